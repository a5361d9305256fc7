"""Helper processes die with the server: a server killed with SIGKILL cannot stop its transcode
workers, so each watches its own parent instead and exits when the parent is gone.

The fork server preloads `cadenza.adapters.fork_server_watch`, which calls `watch_parent()`;
the pool's workers call it as their initializer. Once both are gone the resource tracker reads
the end of its pipe and exits too.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


def watch_parent(*, death_signal: bool = True, interval_s: float = 0.5) -> None:
    """Exit this process when its parent is gone. `death_signal`: also ask Linux to kill it at
    once (only where the parent's creating thread lives as long as the parent does)."""
    parent = os.getppid()
    if death_signal and sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(interval_s)
        os._exit(0)  # no clean-up to run: the server that wanted the work is gone

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
