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
    info: AudioInfo | None  # None: not decoded, the same bytes were described before
    result: TranscodeResult | None  # None: the same bytes were encoded before; reuse those files


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def encode_track(job: EncodeJob) -> EncodedTrack:
    """Validate, then measure loudness and encode the ladder in one decode pass. A file with
    the bytes of a track already published for this release is not decoded at all: its stored
    figures and encodes are reused."""
    sha = file_sha256(job.source)
    if sha in job.reuse_if_sha:
        return EncodedTrack(job.source, sha, None, None)
    info = job.probe.probe(job.source)
    job.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = job.transcoder.transcode(job.source, ladder_for(info.lossless), job.out_dir)
    except InvalidDelivery as exc:
        exc.file = exc.file or job.source.name
        raise
    return EncodedTrack(job.source, sha, info, result)
