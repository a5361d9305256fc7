"""Encode one stream of decoded PCM to several rungs of the quality ladder at once.

`LadderEncoder` takes `av.AudioFrame`s as they come out of a decoder: one resampler turns them into
48 kHz float for every Opus rung (libopus takes 48 kHz only, in 20 ms frames), and the FLAC rung
gets them untouched, at the source rate and bit depth. `encode_pcm_ladder` runs it over already
decoded frames, which is the "encoders alone" baseline the ingest benchmark compares against:

    frames = list(av.open("track.flac").decode(audio=0))        # decode outside the timing
    encode_pcm_ladder(frames, ladder_for(True), out_dir)         # time this
    # or, from a numpy (channels, n) int16/int32 array:
    encode_pcm_ladder(frames_from_array(pcm, 44100), ladder_for(True), out_dir)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream
from numpy.typing import NDArray

from cadenza.domain.audio import Quality
from cadenza.ports.audio import EncodedFile

OPUS_RATE = 48000
OPUS_FRAME = 960  # 20 ms, libopus's default frame
_OPUS_MAX_KBPS_PER_CHANNEL = 256  # libopus refuses more


def output_path(out_dir: Path, quality: Quality) -> Path:
    return out_dir / f"{quality.value}.{quality.extension}"


class _Output:
    """One encoder writing one file: Ogg Opus, or FLAC (whose muxer rewrites STREAMINFO with the
    total sample count and MD5 at close, so players know the duration and can seek)."""

    def __init__(self, path: Path, codec: str, rate: int, layout: str, sample_format: str) -> None:
        self.path = path
        self.container = av.open(str(path), "w", format="ogg" if codec == "libopus" else "flac")
        self.stream = cast(AudioStream, self.container.add_stream(codec, rate=rate, layout=layout))
        self.stream.format = sample_format
        self.stream.time_base = Fraction(1, rate)

    def encode(self, frame: AudioFrame | None) -> None:
        self.container.mux(self.stream.encode(frame))

    def finish(self) -> None:
        self.encode(None)
        self.container.close()

    def abort(self) -> None:
        # Already failing: a second error while closing must not hide the first one.
        with contextlib.suppress(av.FFmpegError, OSError):
            self.container.close()
        self.path.unlink(missing_ok=True)


class LadderEncoder:
    """Feed decoded frames with `encode`, then `finish` (or `abort` to remove partial files)."""

    def __init__(
        self,
        qualities: Sequence[Quality],
        out_dir: Path,
        *,
        sample_rate: int,
        channels: int,
        bits: int,
        opus_complexity: int = 10,
    ) -> None:
        layout = "mono" if channels == 1 else "stereo"
        self._rate, self._samples = sample_rate, 0
        self._opus: list[_Output] = []
        self._flac: _Output | None = None
        self._files: list[EncodedFile] = []
        try:
            for quality in qualities:
                self._add(output_path(out_dir, quality), quality, layout, bits, opus_complexity)
        except BaseException:
            self.abort()
            raise
        self._resampler = AudioResampler(
            format="flt", layout=layout, rate=OPUS_RATE, frame_size=OPUS_FRAME
        )

    def _add(self, path: Path, quality: Quality, layout: str, bits: int, complexity: int) -> None:
        if quality is Quality.LOSSLESS:
            sample_format = "s16" if bits <= 16 else "s32"  # s32 carries 24-bit FLAC
            self._flac = _Output(path, "flac", self._rate, layout, sample_format)
            self._files.append(EncodedFile(quality, path, None))
            return
        channels = 1 if layout == "mono" else 2
        kbps = min(quality.bitrate_kbps or 0, _OPUS_MAX_KBPS_PER_CHANNEL * channels)
        output = _Output(path, "libopus", OPUS_RATE, layout, "flt")
        output.stream.bit_rate = kbps * 1000
        output.stream.codec_context.options = {"compression_level": str(complexity)}
        self._opus.append(output)
        self._files.append(EncodedFile(quality, path, kbps))

    def encode(self, frame: AudioFrame) -> None:
        # Decoders' timestamps may start anywhere or be missing: count samples instead, so the
        # outputs start at 0 and the Ogg granule positions give the exact duration.
        frame.pts, frame.time_base = self._samples, Fraction(1, self._rate)
        self._samples += frame.samples
        if self._flac is not None:
            self._flac.encode(frame)
        if self._opus:
            self._to_opus(self._resampler.resample(frame))

    def _to_opus(self, frames: list[AudioFrame]) -> None:
        for resampled in frames:
            for output in self._opus:
                output.encode(resampled)

    def finish(self) -> tuple[EncodedFile, ...]:
        if self._opus:
            self._to_opus(self._resampler.resample(None))
        for output in self._outputs():
            output.finish()
        return tuple(self._files)

    def abort(self) -> None:
        for output in self._outputs():
            output.abort()

    def _outputs(self) -> Iterator[_Output]:
        yield from self._opus
        if self._flac is not None:
            yield self._flac


def encode_pcm_ladder(
    frames: Iterable[AudioFrame],
    qualities: Sequence[Quality],
    out_dir: Path,
    *,
    opus_complexity: int = 10,
) -> tuple[EncodedFile, ...]:
    """Encode decoded frames (all alike: rate, layout, format) to every quality, nothing else."""
    encoder: LadderEncoder | None = None
    for frame in frames:
        if encoder is None:
            encoder = LadderEncoder(
                qualities,
                out_dir,
                sample_rate=frame.sample_rate,
                channels=len(frame.layout.channels),
                bits=16 if frame.format.bytes == 2 else 24,
                opus_complexity=opus_complexity,
            )
        encoder.encode(frame)
    if encoder is None:
        raise ValueError("no frames to encode")
    return encoder.finish()


def frames_from_array(
    pcm: NDArray[np.int16] | NDArray[np.int32], sample_rate: int, frame_samples: int = 4096
) -> list[AudioFrame]:
    """Planar frames from a (channels, n) int16 or int32 (24-bit in the top bits) array."""
    sample_format = "s16p" if pcm.dtype == np.int16 else "s32p"
    layout = "mono" if pcm.shape[0] == 1 else "stereo"
    frames = []
    for start in range(0, pcm.shape[1], frame_samples):
        chunk = pcm[:, start : start + frame_samples].copy()  # a contiguous copy
        frame = AudioFrame.from_ndarray(chunk, format=sample_format, layout=layout)
        frame.sample_rate = sample_rate
        frames.append(frame)
    return frames
