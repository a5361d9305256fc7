"""Artificial streams: what the fraud job reads, the flags it keeps, the admins' reviews."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Protocol

from cadenza.domain.fraud import FraudFlag, StreamFacts, TrackFlags


class FraudRepository(Protocol):
    def counted_streams(self, since: datetime, until: datetime) -> Iterator[list[StreamFacts]]:
        """Counted streams started in [since, until), in batches."""
        ...

    def account_facts(
        self, account_ids: list[int], trial_since: datetime
    ) -> dict[int, tuple[datetime, bool]]:
        """Per account: when it was made, and whether a free trial began since `trial_since`."""
        ...

    def addresses(self, account_ids: list[int], since: datetime) -> list[tuple[int, str]]:
        """(account, IP address) of the sign-ins and listening since `since`, each pair once."""
        ...

    def saw_listening(self, account_id: int, ip: str, day: date) -> None:
        """Listening events came from this address on this day (kept once)."""
        ...

    def cleared_until(self, account_ids: list[int]) -> dict[int, datetime]:
        """Per account, the end of its latest cleared flag's window (streams before stay clear)."""
        ...

    def flag_account(
        self,
        account_id: int,
        score: float,
        reasons: list[dict[str, object]],
        window: tuple[datetime, datetime],
        now: datetime,
    ) -> int:
        """Flag the account's counted streams in the window (not yet in a closed royalty
        month); its open flag is brought up to date, or a new one made. Returns how many
        streams are flagged under it."""
        ...

    def fraud_flags(
        self, status: str | None, account_id: int | None, limit: int, offset: int
    ) -> list[FraudFlag]: ...

    def fraud_flag(self, flag_id: int) -> FraudFlag | None: ...

    def review_fraud_flag(self, flag_id: int, by: int, now: datetime, clear: bool) -> bool:
        """Record the review of an open flag; clearing unflags its streams. False if it was
        reviewed already."""
        ...

    def flagged_per_track(self, distributor_id: int) -> list[TrackFlags]:
        """The distributor's tracks that have flagged streams, most flagged first."""
        ...
