"""The recommendation model shared by every node through object storage: the node that trains
puts the new version's files in the bucket and then names it there; every serving node looks
at that name at most once a minute and, when it names a version it lacks, fetches the files
into a draft folder and puts them in service as a local training would (store.adopt). A node
that cannot reach the store keeps answering from the model it has."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from cadenza.recs import store

log = logging.getLogger(__name__)
POINTER = "current"


class SharedFolders(Protocol):
    def push(self, folder: Path, name: str) -> None: ...

    def pull(self, name: str, into: Path) -> int: ...

    def write_pointer(self, pointer: str, text: str) -> None: ...

    def read_pointer(self, pointer: str) -> str | None: ...


class ModelMirror:
    def __init__(
        self,
        folders: SharedFolders,
        root: Path,
        every_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folders, self.root, self.every_s, self.clock = folders, root, every_s, clock
        self._lock = threading.Lock()
        self._next_look = 0.0

    def published(self, version: str) -> None:
        """After a local training: the version's files up, then its name."""
        self.folders.push(self.root / version, version)
        self.folders.write_pointer(POINTER, version + "\n")

    def refresh(self) -> None:
        """Fetch the version the store names, if this node lacks it (at most once a minute)."""
        now = self.clock()
        if now < self._next_look or not self._lock.acquire(blocking=False):
            return
        try:
            self._next_look = now + self.every_s
            self._fetch()
        except Exception:  # the store unreachable: keep serving what is here
            log.warning("could not fetch the shared recommendation model", exc_info=True)
        finally:
            self._lock.release()

    def _fetch(self) -> None:
        named = self.folders.read_pointer(POINTER)
        if not named:
            return
        version = named.strip()
        here = store.current(self.root)
        if here is not None and here[0] == version:
            return
        draft = store.start_draft(self.root, version)
        if self.folders.pull(version, draft) == 0:
            return
        store.adopt(self.root, draft, version)
        log.info("recommendation model %s fetched from the shared store", version)
