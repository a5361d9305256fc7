"""What the batch jobs on the archive read from the database besides the events: small side
tables that a cluster engine is handed whole (docs/batch-engines.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class BatchInputRepository(Protocol):
    def account_countries(self) -> list[tuple[int, str]]:
        """(account, country as the account states it, "" when none)."""
        ...

    def listeners(self) -> list[tuple[int, str, str | None, str | None, date]]:
        """(account, country, city, gender, birth date): who each listener is, as the artists'
        statistics count their audience."""
        ...

    def set_aside(self, since: datetime, until: datetime) -> list[tuple[int, str, bool]]:
        """(account, play id, flagged) of the plays started in [since, until) that were heard
        30 s or more and yet do not count as they are: counted and flagged artificial (True),
        or not counted for another reason (False: overlapping another play, a track not
        playable there)."""
        ...

    def track_owners(self) -> list[tuple[int, str, int]]:
        """(track, kind, entity): each track as its own entry ("track"), its release's
        ("release") and each of its artists' ("artist"), as search popularity counts."""
        ...
