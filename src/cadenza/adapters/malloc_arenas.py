"""Fewer malloc arenas for an HTTP process. glibc gives each thread that allocates an arena of
its own (up to 8 per core) and memory freed in one is reused only by the threads that use it:
a server's request threads and background clocks each keep theirs. Two arenas hold 2-3 MB less
after 1,000 requests (bench/footprint.py). Python's small objects do not come from malloc and
the rest is allocated under the GIL, so the threads seldom wait on an arena. Elsewhere (musl,
macOS) nothing changes."""

from __future__ import annotations

import ctypes

M_ARENA_MAX = -8  # glibc's malloc.h


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Whether the limit was set: before the process starts its threads, or it holds only for
    the arenas not yet made."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, arenas) == 1)
