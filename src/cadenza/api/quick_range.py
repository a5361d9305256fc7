"""The range a player asks for, answered in raw ASGI: the request a listening client makes most
(one every few seconds per listener), so it takes the shortest way there is in Python.

A granted range (GET, one range of at most 1 MiB, no If-Range or If-None-Match, the bytes in
the page cache) is read with one `preadv(RWF_NOWAIT)` on the event loop (no trip to a thread,
which costs more than the read) and sent as one body, with headers built from a stat kept for
a second per file (blobs are named by their content and never change; a removed one stops
answering within that second). The headers are those Starlette's FileResponse sends for the
same range (api/audio_file.py answers every other request: no range, several, HEAD, 416...);
`None` from `answer_range` sends the request there.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import quote

QUICK_RANGE_BYTES = 1 << 20
MAX_DIGITS = 18  # of a range's offsets
STAT_KEPT_S = 1.0
MAX_FILES_KEPT = 1024
_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None)  # Linux: fail rather than wait for disk

Send = Callable[[dict[str, Any]], Awaitable[None]]


class _File:
    """One file's stat, as headers, for a second."""

    __slots__ = ("fixed", "kept_until", "last_modified", "path", "size")

    def __init__(
        self,
        path: str,
        size: int,
        fixed: list[tuple[bytes, bytes]],
        last_modified: bytes,
        kept_until: float,
    ) -> None:
        self.path, self.size, self.fixed = path, size, fixed
        self.last_modified, self.kept_until = last_modified, kept_until


_files: dict[tuple[str, str, str], _File] = {}


def _file(
    blob: str, where: Callable[[str], Path | None], media_type: str, filename: str
) -> _File | None:
    """The file's path, size and fixed headers (in FileResponse's order); None: not a regular
    file, or missing."""
    key = (blob, media_type, filename)
    now = time.monotonic()
    found = _files.get(key)
    if found is not None and found.kept_until > now:
        return found
    _files.pop(key, None)
    path = where(blob)
    if path is None:  # a blob in a remote store: the ordinary answer streams it
        return None
    try:
        stat_result = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(stat_result.st_mode):
        return None
    name = quote(filename)
    disposition = (
        f'inline; filename="{filename}"' if name == filename else f"inline; filename*=utf-8''{name}"
    )
    fixed = [
        (b"etag", f'"{blob}"'.encode("latin-1")),
        (b"cache-control", b"private, max-age=86400"),
        (b"content-type", media_type.encode("latin-1")),
        (b"accept-ranges", b"bytes"),
        (b"content-disposition", disposition.encode("latin-1")),
    ]
    last_modified = formatdate(stat_result.st_mtime, usegmt=True).encode("latin-1")
    found = _File(str(path), stat_result.st_size, fixed, last_modified, now + STAT_KEPT_S)
    if len(_files) >= MAX_FILES_KEPT:
        _files.clear()
    _files[key] = found
    return found


_reading = threading.local()


def _buffer() -> memoryview:
    """This thread's read buffer (an event loop's thread reads one range at a time)."""
    buffer: memoryview | None = getattr(_reading, "buffer", None)
    if buffer is None:
        buffer = _reading.buffer = memoryview(bytearray(QUICK_RANGE_BYTES))
    return buffer


def one_range(range_header: bytes) -> tuple[int | None, int | None] | None:
    """(first, last) of `bytes=first-last`, `bytes=first-` or `bytes=-suffix` (suffix as
    (None, n)); None for anything else (several ranges, spaces, another unit)."""
    if not range_header.startswith(b"bytes="):
        return None
    first, dash, last = range_header[6:].partition(b"-")
    if not dash or not (first.isdigit() or not first) or not (last.isdigit() or not last):
        return None
    if len(first) > MAX_DIGITS or len(last) > MAX_DIGITS:  # beyond any file: the usual way
        return None
    if not first:
        return (None, int(last)) if last else None
    return int(first), int(last) if last else None


async def answer_range(
    send: Send,
    blob: str,
    where: Callable[[str], Path | None],
    media_type: str,
    filename: str,
    wanted: tuple[int | None, int | None],
    on_sent: Callable[[int, int], None],
) -> bool:
    """Sends the range of the blob (its ETag its name; `where` finds its file) and tells `on_sent` its length and the file's size; False (nothing sent) where the
    ordinary file answer must reply: too long, not satisfiable, not cached, not a file."""
    if _NOWAIT is None:
        return False
    found = _file(blob, where, media_type, filename)
    if found is None:
        return False
    size = found.size
    first, last = wanted
    if first is None:  # the last `last` bytes
        if not last:
            return False
        start, end = max(size - last, 0), size - 1
    else:
        start, end = first, size - 1 if last is None else min(last, size - 1)
    length = end - start + 1
    if start > end or start >= size or length > QUICK_RANGE_BYTES:
        return False
    buffer = _buffer()
    try:
        fd = os.open(found.path, os.O_RDONLY)
    except OSError:
        return False
    try:
        got = os.preadv(fd, [buffer[:length]], start, _NOWAIT)
    except OSError:  # EAGAIN: not all in the page cache
        return False
    finally:
        os.close(fd)
    if got != length:  # shorter than its stat of a moment ago, or not all cached
        return False
    body = bytes(buffer[:length])  # the one copy: the buffer is this thread's next read's
    headers = [
        *found.fixed,
        (b"content-length", str(length).encode()),
        (b"last-modified", found.last_modified),
        (b"content-range", f"bytes {start}-{end}/{size}".encode()),
    ]
    on_sent(length, size)
    await send({"type": "http.response.start", "status": 206, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
    return True
