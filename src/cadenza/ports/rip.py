"""What each account fetched lately, for rip detection."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.ripping import FetchLedger, TrackFetch, TrackKey


class FetchTally(Protocol):
    """Audio each account fetched lately, added up over every server process (rip detection)."""

    def record(
        self, batch: dict[int, dict[TrackKey, TrackFetch]], now: datetime
    ) -> dict[int, FetchLedger]:
        """Add what some responses sent (per account, per file); each account's whole ledger."""
        ...

    def record_download(self, account_id: int, sent: int, size: int, duration_s: float) -> None: ...

    def ledger(self, account_id: int) -> FetchLedger: ...

    def first_to_flag(self, account_id: int) -> bool:
        """True for the one process that gets to flag the account (until it is forgotten)."""
        ...

    def forget(self, account_id: int) -> None:
        """Its ledger and its flag claim: a dismissed account starts afresh."""
        ...
