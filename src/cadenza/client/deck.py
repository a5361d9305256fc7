"""One track playing: decoded by PyAV in a thread from its `AudioStream` (the file as it
arrives: the decoder waits on bytes not yet in), resampled to the sink's format, with pause,
seek and volume taking effect within a fraction of a second."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np

from cadenza.client.audio_out import CHANNELS, RATE, Sink
from cadenza.client.audio_stream import AudioStream

# A start this close to the top plays from the top: a seek in a file still arriving reads
# pages far off (FFmpeg's Ogg seek bisects the file), and the device follows the server's
# position within 1.5 s anyway (PlayingDevice).
FROM_THE_TOP_MS = 1500


class Deck:
    """Plays `audio` (a stream, or a whole file's bytes) from `start_ms` into `sink`; `on_end`
    runs (in the deck's thread) when the track played to its end, never when it was stopped.
    The stream is closed when the deck is done with it (its source stops fetching)."""

    def __init__(
        self,
        track_id: int,
        audio: AudioStream | bytes,
        sink: Sink,
        *,
        start_ms: int = 0,
        playing: bool = True,
        gain: float = 1.0,
        on_end: Callable[[Deck], None] | None = None,
    ) -> None:
        self.track_id = track_id
        self._stream = AudioStream.whole(audio) if isinstance(audio, bytes) else audio
        self._sink = sink
        self.gain = gain
        self._on_end = on_end
        if start_ms < FROM_THE_TOP_MS:
            start_ms = 0  # a play the server began a moment ago: no seek (no bytes from afar)
        self._position_ms = float(start_ms)
        self._seek_to: int | None = start_ms or None
        self._sound_ends: float | None = None  # when the sound written so far runs out
        self._stream.due = self._due
        self._stopped = threading.Event()
        self._running = threading.Event()
        self.ended = threading.Event()
        self.error: str | None = None
        if playing:
            self._running.set()
        self._thread = threading.Thread(target=self._play, name=f"deck-{track_id}", daemon=True)
        self._thread.start()

    @property
    def stream(self) -> AudioStream:
        """The file as it arrives (how much is in, where the decoder reads)."""
        return self._stream

    @property
    def position_ms(self) -> int:
        return int(self._position_ms)

    @property
    def playing(self) -> bool:
        return self._running.is_set() and not self._stopped.is_set() and not self.ended.is_set()

    @property
    def stalled(self) -> bool:
        """Whether this play stalled: the sound ran out waiting for the file's bytes."""
        return self._stream.stalled

    @property
    def buffering(self) -> bool:
        """Whether the sound is out now, waiting for bytes."""
        return self._stream.starving

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        if not self._running.is_set():
            self._sink.restart_clock()
            if self._sound_ends is not None:
                self._sound_ends = time.monotonic()  # the sound goes on from now
            self._running.set()

    def _due(self) -> float | None:
        """When the sound written so far runs out; None while nothing is due (opening, a
        seek, a pause, the end)."""
        if not self._running.is_set() or self._seek_to is not None or self._stopped.is_set():
            return None
        return self._sound_ends

    def seek(self, position_ms: int) -> None:
        self._seek_to = max(0, position_ms)
        self._position_ms = float(self._seek_to)

    def stop(self) -> None:
        self._stopped.set()
        self._running.set()  # wake a paused thread so it sees the stop
        self._stream.close()  # and one waiting for bytes
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def _play(self) -> None:
        try:
            with av.open(self._stream) as container:
                self._stream.opened()  # seeking may now learn the file's size
                self._decode(container)
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            if not self._stopped.is_set():
                self.error = str(exc)
            return
        finally:
            self._stream.close()
        if not self._stopped.is_set():
            self.ended.set()
            if self._on_end is not None:
                self._on_end(self)

    def _decode(self, container: Any) -> None:
        stream = container.streams.audio[0]
        while not self._stopped.is_set():
            target, self._seek_to = self._seek_to, None
            if target is not None:
                container.seek(int(target * 1000), any_frame=False)  # microseconds
            self._sink.restart_clock()  # a new song or a new place: its time starts now
            self._sound_ends = None  # nothing due until its first sound
            resampler = av.AudioResampler(format="s16", layout="stereo", rate=RATE)
            if self._decode_from(container, stream, resampler, target or 0):
                return  # the end, or stopped

    def _decode_from(self, container: Any, stream: Any, resampler: Any, skip_to: int) -> bool:
        """False when a seek interrupted it."""
        for frame in container.decode(stream):
            if frame.time is not None and frame.time * 1000 < skip_to - 30:
                continue  # before a seek's target (seeking lands on the packet before)
            for out in resampler.resample(frame):
                if not self._write(out):
                    return self._seek_to is None
        return True

    def _write(self, frame: Any) -> bool:
        self._running.wait()
        if self._stopped.is_set() or self._seek_to is not None:
            return False
        pcm = frame.to_ndarray().reshape(-1)
        if self.gain != 1.0:
            pcm = np.clip(pcm.astype(np.float32) * self.gain, -32768, 32767).astype(np.int16)
        self._sink.write(pcm)
        seconds = pcm.size / CHANNELS / RATE
        self._sound_ends = max(self._sound_ends or 0.0, time.monotonic()) + seconds
        self._position_ms += seconds * 1000
        return True
