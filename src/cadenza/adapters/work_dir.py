"""The work folder of a data dir: transcodes and uploads in progress. Every process using it holds
a shared lock on it for its life; the kernel lets go of a killed process's lock, so a process
that starts when no other holds it knows whatever is left there is stale, and sweeps it."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

LOCK_NAME = ".in-use"


class WorkDirClaim:
    """`sweep`: a process that starts on its own (a server, a command) sweeps what killed ones
    left; a child of a server (a worker, a clock's job) never does: started just before its
    parent was killed, it would otherwise sweep the parent's folders as it goes down too."""

    def __init__(self, work_dir: Path, *, sweep: bool = True) -> None:
        work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.fd: int | None = os.open(work_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        if sweep:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass  # another live process works here: its folders stay
            else:
                self.swept = _sweep(work_dir)
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    swept = 0  # folders and files left by processes that were killed

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None


def _sweep(work_dir: Path) -> int:
    count = 0
    for entry in work_dir.iterdir():
        if entry.name == LOCK_NAME:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        count += 1
    return count
