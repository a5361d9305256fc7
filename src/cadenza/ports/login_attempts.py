"""Failed logins per key (address, IP) and spent proof-of-work challenges."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class LoginAttemptRepository(Protocol):
    """Failed logins per key (address, IP) and spent proof-of-work challenges."""

    def record_failure(self, keys: list[str], now: datetime) -> list[int]: ...

    def forget_failure_ids(self, ids: list[int]) -> None: ...

    def failures(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failed logins counted against `key` since then, and the last one's time."""
        ...

    def forget_failures(self, before: datetime) -> None: ...

    def spend_challenge(self, digest: str, now: datetime, forget_before: datetime) -> bool:
        """Record a proof-of-work challenge as used; False if it was (even at the same instant)."""
        ...
