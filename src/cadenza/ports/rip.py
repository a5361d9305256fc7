"""Rip detection: what each account fetched lately, and the accounts flagged for it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.ripping import FetchLedger, RipFlag, TrackFetch, TrackKey


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


class RipFlagRepository(Protocol):
    """Accounts flagged for fetching audio faster than anyone listens, and the admins' reviews."""

    def add_rip_flag(
        self,
        user_id: int,
        now: datetime,
        audio_seconds: float,
        allowed_seconds: float,
        window_seconds: float,
        evidence: dict[str, object],
    ) -> int: ...

    def rip_flags(self, status: str | None, limit: int, offset: int) -> list[RipFlag]: ...

    def rip_flag(self, flag_id: int) -> RipFlag | None: ...

    def open_rip_flag_accounts(self) -> set[int]: ...

    def review_rip_flag(self, flag_id: int, status: str, by: int | None, now: datetime) -> bool: ...
