"""Where decoded sound goes: the sound card (PortAudio through `sounddevice`), a WAV file, or
nowhere (a null sink, for machines without one). Every sink takes 16-bit stereo PCM and keeps
real time, as a sound card does, so a player's position means the same on each."""

from __future__ import annotations

import time
import wave
from pathlib import Path
from typing import Any, Protocol

import numpy as np

RATE = 48_000
CHANNELS = 2
AHEAD_S = 0.2  # how far writing may run ahead of the clock (a sound card's buffer)


class Sink(Protocol):
    name: str

    def write(self, pcm: np.ndarray[Any, np.dtype[np.int16]]) -> None:
        """Interleaved stereo samples; returns about when they are due to be heard."""
        ...

    def restart_clock(self) -> None:
        """After a pause: time runs from now."""
        ...

    def close(self) -> None: ...


class _Paced:
    """Keeps writes to real time on the monotonic clock."""

    def __init__(self) -> None:
        self.restart_clock()

    def restart_clock(self) -> None:
        self._start = time.monotonic()
        self._frames = 0

    def _pace(self, frames: int) -> None:
        self._frames += frames
        due = self._start + self._frames / RATE - AHEAD_S
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        elif wait < -1.0:  # fell far behind (a busy machine): do not race to catch up
            self.restart_clock()


class NullSink(_Paced):
    name = "null"

    def __init__(self) -> None:
        super().__init__()
        self.frames_written = 0

    def write(self, pcm: np.ndarray[Any, np.dtype[np.int16]]) -> None:
        frames = pcm.size // CHANNELS
        self.frames_written += frames
        self._pace(frames)

    def close(self) -> None:
        pass


class WavSink(_Paced):
    """The sound written to a WAV file (48 kHz, 16-bit stereo), in real time."""

    def __init__(self, path: Path, realtime: bool = True) -> None:
        super().__init__()
        self.name = str(path)
        self.realtime = realtime
        self._out = wave.open(str(path), "wb")  # noqa: SIM115 (open until close())
        self._out.setnchannels(CHANNELS)
        self._out.setsampwidth(2)
        self._out.setframerate(RATE)

    def write(self, pcm: np.ndarray[Any, np.dtype[np.int16]]) -> None:
        self._out.writeframes(pcm.astype("<i2").tobytes())
        if self.realtime:
            self._pace(pcm.size // CHANNELS)

    def close(self) -> None:
        self._out.close()


class SoundCardSink:
    """The default output device through PortAudio (blocking writes keep the time)."""

    name = "sound card"

    def __init__(self) -> None:
        import sounddevice  # PortAudio is loaded here: OSError where it is not installed

        self._stream = sounddevice.RawOutputStream(
            samplerate=RATE, channels=CHANNELS, dtype="int16"
        )
        self._stream.start()

    def write(self, pcm: np.ndarray[Any, np.dtype[np.int16]]) -> None:
        self._stream.write(pcm.astype(np.int16).tobytes())

    def restart_clock(self) -> None:
        pass

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()


def open_sink(output: str | None) -> tuple[Sink, str | None]:
    """`None`: the sound card, or the null sink when there is none (with the reason);
    "null": the null sink; anything else: a WAV file."""
    if output == "null":
        return NullSink(), None
    if output:
        return WavSink(Path(output)), None
    try:
        return SoundCardSink(), None
    except Exception as exc:
        return NullSink(), f"no sound card ({exc}): playing to the null sink"
