"""Transcoder with PyAV: one decode pass feeding the loudness meter and every encoder.

Per decoded frame (a few thousand samples): the meter measures it at the source rate, the FLAC
rung (if asked) encodes it as is, and one resampler makes the 48 kHz frames every Opus rung
shares. Nothing but the current frame, encoder state and 10 loudness values a second is held, so
memory does not depend on the track's length. Timing the encoders alone on the same PCM:
`cadenza.adapters.audio.encoders.encode_pcm_ladder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from av.audio.frame import AudioFrame

from cadenza.adapters.audio._pcm import DecodeReport, decode, open_audio, to_float
from cadenza.adapters.audio.encoders import LadderEncoder
from cadenza.adapters.audio.loudness import LoudnessMeter
from cadenza.adapters.audio.tempo import TempoMeter
from cadenza.domain.audio import Quality
from cadenza.domain.errors import InvalidDelivery
from cadenza.ports.audio import TranscodeResult


class PyAvTranscoder:
    """`opus_complexity` trades encoding speed for quality (libopus 0-10, default 10)."""

    def __init__(self, opus_complexity: int = 10) -> None:
        if not 0 <= opus_complexity <= 10:
            raise ValueError("opus_complexity is 0 to 10")
        self._complexity = opus_complexity

    def transcode(
        self, source: Path, qualities: Sequence[Quality], out_dir: Path
    ) -> TranscodeResult:
        out_dir.mkdir(parents=True, exist_ok=True)
        container, stream = open_audio(source)
        with container:
            return _Pass(source.name, qualities, out_dir, self._complexity).run(container, stream)


class _Pass:
    """One transcoding run; encoders and meter are made once the first frame shows the format."""

    def __init__(
        self, file: str, qualities: Sequence[Quality], out_dir: Path, complexity: int
    ) -> None:
        self._file, self._qualities, self._out_dir = file, qualities, out_dir
        self._complexity = complexity
        self._encoder: LadderEncoder | None = None
        self._meter: LoudnessMeter | None = None
        self._tempo: TempoMeter | None = None
        self._samples = 0
        self._rate = 0

    def run(self, container: Any, stream: Any) -> TranscodeResult:
        try:
            for frame in decode(container, stream, DecodeReport(), self._file):
                self._add(frame)
            if self._encoder is None or self._meter is None:
                raise InvalidDelivery(
                    "no audio could be decoded from the file", code="audio_corrupt", file=self._file
                )
            files = self._encoder.finish()
        except BaseException:
            if self._encoder is not None:
                self._encoder.abort()
            raise
        return TranscodeResult(
            files=files,
            loudness=self._meter.result(),
            duration_s=self._samples / self._rate,
            tempo_bpm=self._tempo.result() if self._tempo is not None else None,
        )

    def _add(self, frame: AudioFrame) -> None:
        if self._encoder is None or self._meter is None:
            self._start(frame)
            assert self._encoder is not None
            assert self._meter is not None
        elif frame.sample_rate != self._rate:
            raise InvalidDelivery(
                "the sample rate changes in the middle of the file",
                code="audio_corrupt",
                file=self._file,
            )
        self._samples += frame.samples
        samples = to_float(frame)  # before encoding: encoders may rebase the frame
        self._meter.add(samples)
        if self._tempo is not None:
            self._tempo.add(samples)
        self._encoder.encode(frame)

    def _start(self, frame: AudioFrame) -> None:
        channels = len(frame.layout.channels)
        if channels > 2:
            raise InvalidDelivery(
                f"{channels} channels: only mono and stereo are accepted",
                code="unsupported_format",
                file=self._file,
            )
        self._rate = frame.sample_rate
        self._meter = LoudnessMeter(frame.sample_rate, channels)
        self._tempo = TempoMeter(frame.sample_rate)
        self._encoder = LadderEncoder(
            self._qualities,
            self._out_dir,
            sample_rate=frame.sample_rate,
            channels=channels,
            bits=16 if frame.format.bytes == 2 else 24,
            opus_complexity=self._complexity,
        )
