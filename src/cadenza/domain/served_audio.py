"""The audio (ms of each track) a server process sent per account and track and has not yet
written to a grant window (services/grant_log.py): added up in memory as the ranges go out, so
the hot path of streaming writes nothing. Several processes share theirs through Redis
(adapters/events/served_audio.py)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from cadenza.domain.stream_counts import served_ms

FORGET_AFTER = timedelta(hours=1)  # sent audio never written (no grant or events since) goes
SWEEP_EVERY = 1000  # additions between sweeps


class ServedAudio:
    """Audio (ms of each track) this process sent per account and track, not yet written."""

    def __init__(self) -> None:
        self._sent: dict[tuple[int, int], tuple[int, datetime]] = {}
        self._lock = threading.Lock()
        self._adds = 0

    def add(
        self, account_id: int, track_id: int, sent: int, size: int, duration_ms: int, now: datetime
    ) -> None:
        ms = served_ms(sent, size, duration_ms)
        if ms <= 0:
            return
        key = (account_id, track_id)
        with self._lock:
            before = self._sent.get(key)
            self._sent[key] = ((before[0] if before else 0) + ms, now)
            self._adds += 1
            if self._adds % SWEEP_EVERY == 0:
                stale = [k for k, (_, at) in self._sent.items() if at < now - FORGET_AFTER]
                for k in stale:
                    del self._sent[k]

    def peek(self, account_id: int, track_id: int) -> int:
        with self._lock:
            found = self._sent.get((account_id, track_id))
        return found[0] if found else 0

    def take(self, account_id: int, track_id: int) -> int:
        with self._lock:
            found = self._sent.pop((account_id, track_id), None)
        return found[0] if found else 0

    def settle(self, since: float) -> bool:
        """Wait until what other processes sent before `since` (time.monotonic) can be taken
        here; False: no others (the tally is this process's alone), nothing waited for."""
        return False

    def close(self) -> None:
        """Nothing to hand over: this process's tally ends with it."""
