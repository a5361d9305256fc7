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

from cadenza.domain.served_audio import ServedAudio
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

RECORD_EVERY = timedelta(seconds=20)


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
