"""A listener's saved tracks, albums and artists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cadenza.domain.collection import TrackFacts


@dataclass(frozen=True)
class Saved:
    """One liked track, saved release or followed artist, by its catalog id."""

    id: int
    added_at: datetime


class CollectionRepository(Protocol):
    """Liked songs ("track"), saved releases ("release") and followed artists ("artist")."""

    def lock_listener(self, user_id: int) -> None:
        """Hold the listener's row until commit (limits are counted under it)."""
        ...

    def save(self, kind: str, user_id: int, ids: list[int], now: datetime) -> None: ...

    def unsave(self, kind: str, user_id: int, ids: list[int]) -> None: ...

    def saved(self, kind: str, user_id: int, limit: int, offset: int) -> list[Saved]:
        """Newest first."""
        ...

    def count(self, kind: str, user_id: int) -> int: ...

    def contains(self, kind: str, user_id: int, ids: list[int]) -> set[int]: ...

    def track_facts(self, track_ids: list[int]) -> dict[int, TrackFacts]: ...

    def playlist_track_facts(self, playlist_id: int) -> list[tuple[int, TrackFacts | None]]:
        """(track id, facts) of each entry, in playlist order, in one statement."""
        ...

    def artist_names(self, artist_ids: list[int]) -> dict[int, str]: ...
