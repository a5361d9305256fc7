"""Opening and decoding audio with PyAV, shared by the probe and the transcoder.

Both walk the file the same way, so a file the probe accepted decodes the same in the transcoder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from numpy.typing import NDArray

from cadenza.adapters.audio._sniff import audio_kind, mp4_has_index
from cadenza.domain.errors import InvalidDelivery

# One damaged packet in a long track is a click, not a broken file; more than this is refused.
_TOLERATED_BAD_PACKETS = 2
_TOLERATED_BAD_RATIO = 1 / 1000
_GAP_S = 0.05  # a jump in timestamps larger than this means frames were lost


@dataclass
class DecodeReport:
    """What decoding found, for the probe's verdict."""

    packets: int = 0
    bad_packets: int = 0
    seconds: float = 0.0
    gap_s: float = 0.0
    demux_failed: bool = False
    end_byte: int = 0  # how far into the file the demuxer got
    expected_time: float = 0.0  # where the next frame should start; streams start at ~0

    def count(self, frame: AudioFrame) -> None:
        length = frame.samples / frame.sample_rate
        if frame.time is not None:
            # Decoders ignore gaps the demuxer skipped over; the timestamps still show them.
            if frame.time - self.expected_time > _GAP_S:
                self.gap_s += frame.time - self.expected_time
            self.expected_time = frame.time
        self.expected_time += length
        self.seconds += length


def open_audio(path: Path) -> tuple[Any, AudioStream]:
    """Open `path` and pick its first audio stream; refuse anything FFmpeg cannot read as audio."""
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as error:
        raise _unreadable(path) from error
    if not container.streams.audio:
        container.close()
        if audio_kind(path) == "MP4" and not mp4_has_index(path):
            raise _unreadable(path)
        raise InvalidDelivery("the file holds no audio", code="not_audio", file=path.name)
    return container, container.streams.audio[0]


def _unreadable(path: Path) -> InvalidDelivery:
    kind = audio_kind(path)
    if kind == "MP4" and not mp4_has_index(path):
        return InvalidDelivery(
            "the MP4 file has no index (moov box, written last): it was probably cut short "
            "while copying",
            code="audio_truncated",
            file=path.name,
        )
    if kind is not None:
        return InvalidDelivery(
            f"the file starts like {kind} audio but cannot be read",
            code="audio_corrupt",
            file=path.name,
        )
    return InvalidDelivery("not an audio file FFmpeg can read", code="not_audio", file=path.name)


def decode(
    container: Any, stream: AudioStream, report: DecodeReport, file: str
) -> Iterator[AudioFrame]:
    """Decode `stream` frame by frame, skipping (and counting) undecodable packets.

    Raises audio_corrupt once bad packets exceed the tolerance; a demuxer that gives up (a cut
    file) ends the iteration and is noted in `report`."""
    context = stream.codec_context
    # Audio decoders gain nothing from threads; ingest runs whole tracks in parallel instead.
    context.thread_count = 1
    channels = context.channels
    if context.layout.name == f"{channels} channels" and channels in (1, 2):
        # Plain WAV/AIFF headers leave the layout unnamed, which FFmpeg's resampler refuses.
        context.layout = "mono" if channels == 1 else "stereo"
    if stream.start_time is not None and stream.time_base is not None:
        report.expected_time = float(stream.start_time * stream.time_base)
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.FFmpegError:
            report.demux_failed = True
            yield from _flush(context, report)
            return
        report.packets += 1
        if packet.pos is not None and packet.pos >= 0:
            report.end_byte = max(report.end_byte, packet.pos + packet.size)
        try:
            frames = context.decode(packet)
        except av.FFmpegError as error:
            report.bad_packets += 1
            if report.bad_packets > _TOLERATED_BAD_PACKETS + report.packets * _TOLERATED_BAD_RATIO:
                raise InvalidDelivery(
                    f"the audio is damaged and cannot be decoded ({error.strerror})",
                    code="audio_corrupt",
                    file=file,
                ) from error
            continue
        for frame in frames:
            report.count(frame)
            yield frame


def _flush(context: Any, report: DecodeReport) -> Iterator[AudioFrame]:
    try:
        frames = context.decode(None)
    except av.FFmpegError:
        return
    for frame in frames:
        report.count(frame)
        yield frame


def to_float(frame: AudioFrame) -> NDArray[np.float32]:
    """Samples as a C-contiguous (channels, n) float32 array, full scale +-1.0."""
    array = frame.to_ndarray()
    if not frame.format.is_planar:
        array = array.reshape(-1, len(frame.layout.channels)).T
    if array.dtype.kind == "f":
        return np.ascontiguousarray(array, dtype=np.float32)
    floats = np.ascontiguousarray(array, dtype=np.float32)
    if array.dtype.kind == "u":  # unsigned PCM is offset binary
        floats -= 2 ** (8 * array.dtype.itemsize - 1)
    floats *= 1.0 / 2 ** (8 * array.dtype.itemsize - 1)
    return floats
