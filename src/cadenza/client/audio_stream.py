"""A track's encoded bytes as they arrive, read by the decoder as a file.

A source (the server, peers, the disk) feeds byte ranges in any order from the event loop; the
deck's decoder (PyAV, in its own thread) reads like a file and blocks on bytes not yet in,
telling the source which position it waits for (`on_want`), so a seek past what has arrived
fetches that part first. Sound starts once the opening bytes are in, not the whole file.

The file's size is hidden from the decoder while it opens the file (`opened()` reveals it):
FFmpeg's Ogg reader otherwise reads the file's last page first to learn the duration, which
would wait for the last byte before the first sound. The grant gives the duration anyway.

A play stalls when the decoder waits for bytes the listener should already hear: the player
(`due`, set by the deck) says when the sound written so far runs out, and a read still waiting
`STALL_S` past that has stalled (`stalled`, `stalls`; `on_stall` is told). Waiting while the
file opens, after a seek or while paused is not a stall: nothing was due then.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import io
import threading
import time
from collections.abc import Callable

WAIT_SLICE_S = 0.5  # a blocked read wakes this often to see a stop
SIZE_UNKNOWN = -38  # AVERROR(ENOSYS)
STALL_S = 0.1  # sound this late is a stall (a listener hears a gap)


class StreamClosed(OSError):
    """The stream was closed (the deck stopped) while the decoder waited."""


class AudioStream(io.RawIOBase):
    """`size` bytes, filled by `feed(offset, data)` (event loop side), read by `read`/`seek`
    (decoder side). `on_want(position)` runs on `loop` when a read waits for missing bytes;
    `on_close()` runs on `loop` when the reader is done with the stream (skip, stop, end)."""

    def __init__(
        self,
        size: int,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        on_want: Callable[[int], None] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.size = size
        self._data = bytearray(size)
        self._starts: list[int] = []  # disjoint, merged ranges held: [starts[i], ends[i])
        self._ends: list[int] = []
        self._pos = 0
        self._cond = threading.Condition()
        self._failed: BaseException | None = None
        self._shut = False
        self._size_hidden = True
        self._loop = loop
        self.on_want = on_want
        self.on_close = on_close
        self._wanted: int | None = None
        self._complete_callbacks: list[Callable[[bytes], None]] = []
        self._close_callbacks: list[Callable[[AudioStream], None]] = []
        self.waits = 0  # reads that had to wait for bytes
        # When the sound written so far runs out (monotonic), None while nothing is due (the
        # file opening, a seek, a pause): set by the player that reads the stream.
        self.due: Callable[[], float | None] | None = None
        self.stalls = 0  # times the sound ran out waiting for bytes
        self.starving = False  # a read waits now past the sound's end
        self.on_stall: list[Callable[[], None]] = []  # told (in the reader's thread) per stall

    @classmethod
    def whole(cls, data: bytes) -> AudioStream:
        """A stream with every byte in (a file from the disk)."""
        stream = cls(len(data))
        stream.feed(0, data)
        return stream

    # -- the source's side ------------------------------------------------------------------------
    def feed(self, offset: int, data: bytes) -> None:
        if not data:
            return
        end = min(self.size, offset + len(data))
        with self._cond:
            self._data[offset:end] = data[: end - offset]
            self._add(offset, end)
            done = self.complete
            self._cond.notify_all()
        if done:
            callbacks, self._complete_callbacks = self._complete_callbacks, []
            whole = bytes(self._data)
            for callback in callbacks:
                callback(whole)

    def fail(self, error: BaseException) -> None:
        """The source gave up: a waiting read raises this."""
        with self._cond:
            self._failed = error
            self._cond.notify_all()

    def when_complete(self, callback: Callable[[bytes], None]) -> None:
        """`callback(whole_file)` once every byte is in (at once if it is)."""
        if self.complete:
            callback(bytes(self._data))
        else:
            self._complete_callbacks.append(callback)

    def when_closed(self, callback: Callable[[AudioStream], None]) -> None:
        """`callback(stream)` once the reader is done with it (skip, stop, end), in the
        thread that closed it."""
        self._close_callbacks.append(callback)

    @property
    def complete(self) -> bool:
        return (self._starts == [0] and self._ends == [self.size]) or self.size == 0

    def has(self, start: int, end: int) -> bool:
        """Whether bytes [start, end) are all in."""
        with self._cond:
            return self._held_to(start) >= min(end, self.size)

    def missing_from(self, position: int) -> int | None:
        """The first byte at or after `position` not yet in (None: all in up to the end)."""
        with self._cond:
            end = self._held_to(position)
        return end if end < self.size else None

    def held_after(self, position: int) -> int:
        """The first byte after `position` that is held (the size: none)."""
        with self._cond:
            i = bisect.bisect_right(self._starts, position)
            return self._starts[i] if i < len(self._starts) else self.size

    @property
    def stalled(self) -> bool:
        """Whether this play stalled: the sound ran out while bytes were awaited."""
        return self.stalls > 0

    def held(self) -> list[tuple[int, bytes]]:
        """The bytes in, as (offset, bytes) runs."""
        with self._cond:
            return [
                (s, bytes(self._data[s:e])) for s, e in zip(self._starts, self._ends, strict=True)
            ]

    def received(self) -> int:
        with self._cond:
            return sum(e - s for s, e in zip(self._starts, self._ends, strict=True))

    @property
    def position(self) -> int:
        """Where the decoder reads now (what the source's deadlines follow)."""
        return self._pos

    @property
    def closed_by_reader(self) -> bool:
        return self._shut

    def _add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._ends, start)  # first range that ends at or after start
        j = bisect.bisect_right(self._starts, end)  # ranges starting after end stay
        if i < j:
            start, end = min(start, self._starts[i]), max(end, self._ends[j - 1])
        self._starts[i:j], self._ends[i:j] = [start], [end]

    def _held_to(self, position: int) -> int:
        """The end of the bytes held from `position` on (position itself: none)."""
        i = bisect.bisect_right(self._starts, position) - 1
        if i >= 0 and self._ends[i] > position:
            return self._ends[i]
        return position

    # -- the decoder's side (a file) --------------------------------------------------------------
    def opened(self) -> None:
        """The decoder has opened the file: from now on it may learn the size (seeking)."""
        self._size_hidden = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._pos + offset
        elif whence == io.SEEK_END:
            if self._size_hidden:
                return SIZE_UNKNOWN  # FFmpeg reads a negative answer as "no size"
            target = self.size + offset
        else:
            raise OSError(f"no such seek: {whence}")
        self._pos = max(0, target)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        try:
            with self._cond:
                return self._read(size)
        finally:
            self.starving = False

    def _read(self, size: int) -> bytes:
        while True:
            if self._shut:
                return b""  # the deck stopped: an end for the decoder, never an error
            if self._pos >= self.size:
                return b""
            end = self._held_to(self._pos)
            if end > self._pos:
                if size is not None and size >= 0:
                    end = min(end, self._pos + size)
                found = bytes(self._data[self._pos : end])
                self._pos = end
                return found
            if self._failed is not None:
                raise OSError(str(self._failed)) from self._failed
            self._want(self._pos)
            self.waits += 1
            self._cond.wait(self._starve_check())

    def _starve_check(self) -> float:
        """Notes a stall once the sound ran out `STALL_S` ago; how long to wait before the
        next look."""
        due = self.due() if self.due is not None else None
        if due is None or self.starving:
            return WAIT_SLICE_S
        late = time.monotonic() - due
        if late < STALL_S:
            return min(WAIT_SLICE_S, STALL_S - late + 0.005)
        self.starving = True
        self.stalls += 1
        for told in self.on_stall:
            told()
        return WAIT_SLICE_S

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        found = self.read(len(buffer))
        buffer[: len(found)] = found
        return len(found)

    def _want(self, position: int) -> None:
        if self._wanted == position or self.on_want is None or self._loop is None:
            return
        self._wanted = position
        try:
            self._loop.call_soon_threadsafe(self.on_want, position)
        except RuntimeError:  # the loop has closed: nothing will come
            self._failed = StreamClosed("the event loop has closed")

    def close(self) -> None:
        """The reader is done: a waiting read ends, the source stops fetching."""
        with self._cond:
            already = self._shut
            self._shut = True
            self._cond.notify_all()
        super().close()
        if already:
            return
        callbacks, self._close_callbacks = self._close_callbacks, []
        for callback in callbacks:
            callback(self)
        if self.on_close is None:
            return
        if self._loop is None:
            self.on_close()
            return
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self.on_close)
