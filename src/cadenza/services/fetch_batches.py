"""What this process served, added to the deployment's shared fetch tally a few times a second:
one round trip to the tally per batch instead of one per audio response (rip detection runs
over a window of minutes; being told a quarter of a second late changes nothing)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from cadenza.domain.ripping import FetchLedger, TrackFetch, TrackKey
from cadenza.ports.rip import FetchTally

log = logging.getLogger(__name__)

FLUSH_S = 0.25

Judge = Callable[[int, FetchLedger, datetime], None]


class FetchBatches:
    def __init__(self, tally: FetchTally, judge: Judge, flush_s: float = FLUSH_S) -> None:
        self.tally, self.judge, self.flush_s = tally, judge, flush_s
        self._pending: dict[int, dict[TrackKey, TrackFetch]] = {}
        self._latest: datetime | None = None
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time (the thread, or close)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(
        self,
        account_id: int,
        key: TrackKey,
        sent: int,
        size: int,
        duration_s: float,
        now: datetime,
    ) -> None:
        with self._lock:
            files = self._pending.setdefault(account_id, {})
            fetch = files.get(key)
            if fetch is None:
                fetch = files[key] = TrackFetch(size=size, duration_s=duration_s)
            fetch.sent += max(0, sent)
            fetch.last_at = now
            self._latest = now if self._latest is None else max(self._latest, now)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="rip-tally", daemon=True)
                self._thread.start()

    def flush(self) -> None:
        """Add what is pending to the tally, and judge each account with its whole ledger."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, {}
                now = self._latest
            if not batch or now is None:
                return
            for account_id, ledger in self.tally.record(batch, now).items():
                self.judge(account_id, ledger, now)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_s):
            try:
                self.flush()
            except Exception:  # Redis or the database away for a moment: counted anew later
                log.exception("adding this process's audio responses to the rip tally failed")
