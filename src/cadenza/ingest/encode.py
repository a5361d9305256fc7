"""Stages `validate`, `loudness` and `transcode` for one track, run in a worker process.

Loudness is measured from the same decoded frames the encoders receive (one decode pass), so the
`loudness` stage lives inside the transcoder; `validate` is a full decode by the probe first, so a
corrupt file is refused before any encoder starts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cadenza.domain.audio import ladder_for
from cadenza.domain.errors import InvalidDelivery
from cadenza.ports.audio import AudioInfo, AudioProbe, Transcoder, TranscodeResult


@dataclass(frozen=True)
class EncodeJob:
    source: Path
    out_dir: Path
    probe: AudioProbe
    transcoder: Transcoder
    reuse_if_sha: frozenset[str] = frozenset()  # sources already encoded for this release


@dataclass(frozen=True)
class EncodedTrack:
    source: Path
    sha256: str
    info: AudioInfo
    result: TranscodeResult | None  # None: the same bytes were encoded before; reuse those files


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def validate(job: EncodeJob) -> tuple[AudioInfo, str]:
    """Stage `validate`: the file decodes from start to end within the limits."""
    info = job.probe.probe(job.source)
    return info, file_sha256(job.source)


def encode_track(job: EncodeJob) -> EncodedTrack:
    """Validate, then measure loudness and encode the ladder in one decode pass."""
    info, sha = validate(job)
    if sha in job.reuse_if_sha:
        return EncodedTrack(job.source, sha, info, None)
    job.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = job.transcoder.transcode(job.source, ladder_for(info.lossless), job.out_dir)
    except InvalidDelivery as exc:
        exc.file = exc.file or job.source.name
        raise
    return EncodedTrack(job.source, sha, info, result)
