"""A stored file as an HTTP answer, with a quick way for the ranges players ask for.

Starlette's FileResponse goes to a worker thread for each of stat, open, seek, read and close.
A player's range (one range, up to 1 MiB) is answered here with one trip instead: open, stat,
read and close together, on threads of its own, the bytes sent as one body; and with none when
the bytes are in the page cache (read with RWF_NOWAIT, which fails rather than wait for the
disk), since the trip to a thread costs more than the read. The rip watch hears the size on the
same trip. Every other request (no range, several ranges, If-Range, a range that cannot be
satisfied, HEAD) takes Starlette's own way, so the headers and the refusals (416, 400) are the
same either way.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
import weakref
from collections.abc import Callable

import anyio
import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

QUICK_RANGE_BYTES = 1 << 20
AUDIO_READ_THREADS = 8
_readers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _audio_readers() -> anyio.CapacityLimiter:
    """Threads of their own for range reads: they never wait behind the routes that block on
    the database (which share the default 40), so a burst of play commands cannot hold up the
    audio of those already listening. One set per event loop (tests run several)."""
    loop = asyncio.get_running_loop()
    if loop not in _readers:
        _readers[loop] = anyio.CapacityLimiter(AUDIO_READ_THREADS)
    return _readers[loop]


_ONE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class AudioFile(FileResponse):
    # Told the size of a quick range's body on the reader's thread, in the same trip as the
    # read (a second trip to a thread per range costs as much as the read); `None`: not told.
    on_read: Callable[[int], None] | None = None
    read_reported = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wanted = _quick_range(scope) if self.status_code == 200 else None
        read = None
        if wanted is not None:
            # In the page cache (a file being played is): read at once, no trip to a thread,
            # which costs more than the read. Else on a reader thread.
            read = _read_range(str(self.path), *wanted, self.on_read, cached_only=True)
            if read is NOT_CACHED:
                read = await anyio.to_thread.run_sync(
                    _read_range, str(self.path), *wanted, self.on_read, limiter=_audio_readers()
                )
        if read is None or isinstance(read, _NotCached):
            await super().__call__(scope, receive, send)
            return
        self.read_reported = self.on_read is not None
        stat_result, start, data = read
        self.set_stat_headers(stat_result)
        headers = MutableHeaders(raw=list(self.raw_headers))
        headers["content-range"] = f"bytes {start}-{start + len(data) - 1}/{stat_result.st_size}"
        headers["content-length"] = str(len(data))
        await send({"type": "http.response.start", "status": 206, "headers": headers.raw})
        await send({"type": "http.response.body", "body": data, "more_body": False})


def _quick_range(scope: Scope) -> tuple[int | None, int | None] | None:
    """(first, last) of a single range on a GET without If-Range; a suffix is (None, length)."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    headers = Headers(scope=scope)
    found = _ONE_RANGE.match(headers.get("range") or "")
    if found is None or "if-range" in headers:
        return None
    first, last = found.group(1), found.group(2)
    if not first and not last:
        return None
    if not first:
        return None, int(last)
    return int(first), int(last) if last else None


class _NotCached:
    pass


NOT_CACHED = _NotCached()
_NOWAIT = getattr(os, "RWF_NOWAIT", None)  # Linux: fail rather than wait for the disk


def _read_range(
    path: str,
    first: int | None,
    last: int | None,
    on_read: Callable[[int], None] | None,
    *,
    cached_only: bool = False,
) -> tuple[os.stat_result, int, bytes] | _NotCached | None:
    """The bytes of the range, or None where Starlette's way should answer (too long, not
    satisfiable, not a regular file, missing); `on_read` hears how many. `cached_only`:
    NOT_CACHED unless every byte is in the page cache (nothing may wait for the disk)."""
    if cached_only and _NOWAIT is None:
        return NOT_CACHED
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        stat_result = os.fstat(fd)
        size = stat_result.st_size
        if first is None:  # the last `last` bytes
            if last is None or last == 0:
                return None
            start, end = max(size - last, 0), size - 1
        else:
            start, end = first, size - 1 if last is None else min(last, size - 1)
        if not stat.S_ISREG(stat_result.st_mode):
            return None
        if start > end or start >= size or end - start + 1 > QUICK_RANGE_BYTES:
            return None
        if cached_only:
            buffer = bytearray(end - start + 1)
            try:
                got = os.preadv(fd, [buffer], start, _NOWAIT)  # type: ignore[arg-type]
            except OSError:  # EAGAIN: not all cached; or a file system without RWF_NOWAIT
                return NOT_CACHED
            if got != len(buffer):
                return NOT_CACHED
            data = bytes(buffer)
        else:
            data = os.pread(fd, end - start + 1, start)
    finally:
        os.close(fd)
    if on_read is not None:
        on_read(len(data))
    return stat_result, start, data
