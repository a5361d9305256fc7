"""The completions of words being typed, kept for a second per database engine and process
(what `SearchVocabulary.completions` asked the vocabulary lately)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from weakref import WeakKeyDictionary

from sqlalchemy import Engine


class Completions:
    """The completions of typed starts, shared by one process's queries on one database:
    bounded, emptied whenever this process changes the vocabulary (and again when that change
    commits or rolls back), and each kept a second only, for other processes' changes (`cadenza
    ingest` or `cadenza search reindex` beside a running server)."""

    SIZE = 4096
    KEEP_S = 1.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.found: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()
        self.generation = 0

    def get(self, start: str) -> tuple[list[str] | None, int]:
        """The completions if still fresh, and the generation to put new ones under."""
        with self.lock:
            kept = self.found.get(start)
            if kept is not None and time.monotonic() - kept[0] < self.KEEP_S:
                self.found.move_to_end(start)
                return kept[1], self.generation
            return None, self.generation

    def put(self, start: str, completions: list[str], generation: int, at: float) -> None:
        with self.lock:
            if generation != self.generation:  # the vocabulary changed while they were read
                return
            self.found[start] = (at, completions)
            self.found.move_to_end(start)
            if len(self.found) > self.SIZE:
                self.found.popitem(last=False)

    def changed(self, *_: object) -> None:
        with self.lock:
            self.generation += 1
            self.found.clear()


_COMPLETIONS: WeakKeyDictionary[Engine, Completions] = WeakKeyDictionary()

_COMPLETIONS_LOCK = threading.Lock()


def completions_of(engine: Engine) -> Completions:
    with _COMPLETIONS_LOCK:
        cache = _COMPLETIONS.get(engine)
        if cache is None:
            cache = _COMPLETIONS[engine] = Completions()
        return cache
