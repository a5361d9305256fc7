"""The stream grants issued, kept for the counts (domain/stream_counts.py), cheaply.

A grant lasts a minute and the player renews it as it plays: each (account, device, track) gets
one row per play window, extended on renewal, written at most every RECORD_EVERY per window by
this process (a player that asks again sooner changes nothing worth a write: the verdict allows
the same slack). The audio Cadenza sent for a track is added up in this process's memory as the
ranges go out (no database write per range: the hot path of bench/streaming.py) and written to
the window with its next grant, or with the listener's next events.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from cadenza.domain.stream_counts import served_ms
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

RECORD_EVERY = timedelta(seconds=20)
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


class GrantLog:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        served: ServedAudio,
        metered: Callable[[], bool],
    ) -> None:
        """`metered`: whether Cadenza sends the audio itself (no accel redirect)."""
        self.uow, self.clock, self.served, self.metered = uow, clock, served, metered
        self._written: dict[tuple[int, str, int], datetime] = {}  # key -> expiry last written
        self._lock = threading.Lock()

    def issued(
        self,
        account_id: int,
        device: str | None,
        track_id: int,
        expires_at: datetime,
        issued_at: datetime | None = None,
    ) -> None:
        """A grant was issued: extend (or open) its window. `issued_at`: now, unless given."""
        issued_at = issued_at or self.clock.now()
        key = (account_id, device or "", track_id)
        with self._lock:
            written = self._written.get(key)
            if written is not None and issued_at <= written <= expires_at <= written + RECORD_EVERY:
                return  # the window is open and would grow by seconds: the verdict's slack
            if len(self._written) > 100_000:
                self._written.clear()
            self._written[key] = expires_at
        sent = self.served.take(account_id, track_id)
        with self.uow() as uow:
            uow.grant_log.extend(
                account_id, device or "", track_id, issued_at, expires_at, sent, self.metered()
            )
            uow.commit()
