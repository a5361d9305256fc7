"""What Only You and Your year read: a listener's counted plays, and counts over everyone's
(how many listeners play an artist, or both artists of a pair: counts, never who)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class TasteRepository(Protocol):
    def counted_plays(
        self, user_id: int, start: datetime, end: datetime, limit: int
    ) -> list[tuple[int, datetime, int]]:
        """The listener's counted plays that started in [start, end), newest first, at most
        `limit`: (track id, when it started, ms listened)."""
        ...

    def artists_played_before(self, user_id: int, before: datetime) -> set[int]:
        """The main artists of every track the listener played (counted) before then."""
        ...

    def listeners(self) -> int:
        """How many listeners have at least one counted play."""
        ...

    def listeners_of_artists(self, artist_ids: list[int]) -> dict[int, int]:
        """Artist id -> how many listeners have counted plays of them (those with any)."""
        ...

    def listeners_of_pairs(self, artist_ids: list[int]) -> dict[tuple[int, int], int]:
        """(lower id, higher id) -> how many listeners have counted plays of both, for each
        pair of these artists that anyone plays together."""
        ...
