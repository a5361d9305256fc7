"""AudioProbe with PyAV: read the header, then decode the whole file once (frame by frame, nothing
kept) to prove it plays to the end. Refusals carry stable codes: empty_file, not_audio,
unsupported_format, too_long, audio_corrupt, audio_truncated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import mutagen
from av.audio.format import AudioFormat
from av.audio.stream import AudioStream

from cadenza.adapters.audio._pcm import DecodeReport, decode, open_audio
from cadenza.adapters.audio._sniff import missing_bytes
from cadenza.domain.errors import InvalidDelivery
from cadenza.ports.audio import AudioInfo

_LOSSY = {"mp3", "mp2", "aac", "vorbis", "opus"}
_LOSSLESS = {"flac", "alac"}
_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4"}
# Containers whose duration FFmpeg may only estimate from the bitrate (no frame count).
_ESTIMATED = {"mp3", "aac"}
_MISSING_GAP_S = 0.1


class PyAvProbe:
    def __init__(self, max_duration_s: float = 3 * 3600) -> None:
        self._max_s = max_duration_s

    def probe(self, path: Path) -> AudioInfo:
        if path.stat().st_size == 0:
            raise InvalidDelivery("the file is empty (0 bytes)", code="empty_file", file=path.name)
        container, stream = open_audio(path)
        with container:
            return self._probe(path, container, stream)

    def _probe(self, path: Path, container: Any, stream: AudioStream) -> AudioInfo:
        codec = _codec(stream)
        _check_header(stream, codec, path.name)
        declared = _declared_seconds(path, container, stream, codec)
        if declared is not None:
            self._check_length(declared, path.name)
        report = DecodeReport()
        bits: int | None = None
        first = None
        for frame in decode(container, stream, report, path.name):
            if first is None:
                first, bits = frame, _bits(path, codec, frame.format)
            self._check_length(report.seconds, path.name)
        if first is None:
            # A header that promised audio makes it a broken audio file; otherwise, not audio.
            code = "not_audio" if declared is None else "audio_corrupt"
            raise InvalidDelivery(
                "no audio could be decoded from the file", code=code, file=path.name
            )
        _check_complete(report, declared, container.format.name, path)
        return AudioInfo(
            container=_CONTAINERS.get(container.format.name, container.format.name),
            codec=codec,
            sample_rate=first.sample_rate,
            channels=len(first.layout.channels),
            bits_per_sample=bits,
            duration_s=round(report.seconds, 3),
            lossless=codec in _LOSSLESS or codec.startswith("pcm_"),
        )

    def _check_length(self, seconds: float, file: str) -> None:
        if seconds > self._max_s:
            raise InvalidDelivery(
                f"the audio lasts {seconds / 60:.0f} min or more; the limit is "
                f"{self._max_s / 60:.0f} min",
                code="too_long",
                file=file,
            )


def _codec(stream: AudioStream) -> str:
    name = stream.codec_context.name  # the decoder: mp3float for mp3, libopus or opus...
    return {"mp3float": "mp3", "mp2float": "mp2", "libopus": "opus"}.get(name, name)


def _unsupported(message: str, file: str) -> InvalidDelivery:
    return InvalidDelivery(message, code="unsupported_format", file=file)


def _check_header(stream: AudioStream, codec: str, file: str) -> None:
    if codec not in _LOSSY | _LOSSLESS and not codec.startswith("pcm_"):
        raise _unsupported(
            f"{codec} audio is not accepted: deliver FLAC, WAV, AIFF, ALAC, MP3, AAC, Vorbis "
            "or Opus",
            file,
        )
    rate, channels = stream.codec_context.sample_rate, stream.codec_context.channels
    if rate == 0 or channels == 0:  # FFmpeg guessed a format from the name but found no header
        raise InvalidDelivery("no readable audio in the file", code="not_audio", file=file)
    if not 8000 <= rate <= 192000:
        raise _unsupported(f"sample rate {rate} Hz is outside 8-192 kHz", file)
    if not 1 <= channels <= 2:
        raise _unsupported(f"{channels} channels: only mono and stereo are accepted", file)


def _bits(path: Path, codec: str, sample_format: AudioFormat) -> int | None:
    """Bit depth of lossless audio (None for lossy); refuse depths other than 16 and 24."""
    if codec in _LOSSY:
        return None
    kind, bits = _pcm_layout(codec) if codec.startswith("pcm_") else ("s", 0)
    if not bits:  # FLAC and ALAC decode 17-32-bit audio alike as s32: the header knows
        bits = 16 if sample_format.bytes == 2 else _header_bits(path) or 24
    if kind != "s" or bits not in (16, 24):
        depth = {"f": "floating-point ", "u": "unsigned "}.get(kind, "")
        raise _unsupported(
            f"{bits}-bit {depth}audio is not accepted: deliver 16 or 24-bit", path.name
        )
    return bits


def _pcm_layout(codec: str) -> tuple[str, int]:
    """('s', 24) for pcm_s24le; ('?', 8) for companded PCM such as pcm_alaw."""
    match = re.match(r"pcm_([suf])(\d+)", codec)
    return (match[1], int(match[2])) if match else ("?", 8)


def _header_bits(path: Path) -> int | None:
    try:
        parsed = mutagen.File(path)
    except mutagen.MutagenError:
        return None
    bits = getattr(getattr(parsed, "info", None), "bits_per_sample", None)
    return bits if isinstance(bits, int) and bits > 0 else None


def _declared_seconds(path: Path, container: Any, stream: AudioStream, codec: str) -> float | None:
    """The duration the header promises, before decoding anything."""
    declared: float | None = None
    if stream.duration is not None and stream.time_base is not None:
        declared = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        declared = container.duration / 1_000_000
    if codec.startswith("pcm_") and declared is not None:
        width = _pcm_layout(codec)[1]
        # FFmpeg trims a WAV/AIFF's data size to what is on disk; the RIFF/FORM size does not lie.
        context = stream.codec_context
        declared += missing_bytes(path) / (context.sample_rate * context.channels * width / 8)
    return declared


def _check_complete(report: DecodeReport, declared: float | None, fmt: str, path: Path) -> None:
    """Tell a file cut short (decoding ran to its end, the header promised more) from one damaged
    inside (holes in the timeline, or the demuxer gave up well before the end)."""
    tolerance = 0.0
    if declared is not None:
        tolerance = 0.1 * declared if fmt in _ESTIMATED else max(0.25, 0.01 * declared)
    short = declared is not None and declared - report.seconds > tolerance
    size = path.stat().st_size
    stopped_early = 0 < report.end_byte < size - max(65536, size // 20)
    reaches_end = declared is not None and report.expected_time >= declared - tolerance
    if report.gap_s > _MISSING_GAP_S or (short and (reaches_end or stopped_early)):
        missing = max(report.gap_s, (declared or 0.0) - report.seconds)
        raise InvalidDelivery(
            f"{missing:.1f} s of the audio is damaged and cannot be decoded",
            code="audio_corrupt",
            file=path.name,
        )
    if short:
        raise InvalidDelivery(
            f"the file stops after {report.seconds:.1f} s of the {declared:.1f} s its header "
            "declares; it was probably cut short while copying",
            code="audio_truncated",
            file=path.name,
        )
    if report.demux_failed and declared is None:  # nothing says whether the audio was whole
        raise InvalidDelivery(
            "the file is damaged and could not be read to its end",
            code="audio_corrupt",
            file=path.name,
        )
