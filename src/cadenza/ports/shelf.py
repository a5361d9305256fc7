"""The whole catalog as a shelf, for apps that browse it all at once (Subsonic players list
every artist, every album alphabetically, every genre), and the ratings those apps keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ShelfRelease:
    """A live release (out, not taken down), as lists need it; territories filter it after."""

    id: int
    title: str
    artist_id: int | None
    artist_name: str
    release_at: datetime
    territories: tuple[str, ...]
    genres: tuple[str, ...]


@dataclass(frozen=True)
class ShelfTrack:
    id: int
    release_id: int
    genres: tuple[str, ...]  # the track's own, else its release's
    duration_ms: int
    explicit: bool


class ShelfRepository(Protocol):
    def releases(self, now: datetime) -> list[ShelfRelease]:
        """Every release out by `now` and not taken down."""
        ...

    def artist_releases(self, now: datetime) -> list[tuple[int, str, int]]:
        """(artist id, name, release id) for each release artist of those releases."""
        ...

    def tracks(self, now: datetime) -> list[ShelfTrack]:
        """Every track of those releases, in release then disc and track order."""
        ...

    def artist_named(self, name: str) -> int | None: ...

    def starred(self, user_id: int, kind: str, item_ids: list[int]) -> dict[int, datetime]:
        """When the listener liked (track), saved (release) or followed (artist) each."""
        ...

    def rate(self, user_id: int, kind: str, item_id: int, rating: int, now: datetime) -> None:
        """Keep a 1-5 rating; 0 removes it."""
        ...

    def ratings(self, user_id: int, kind: str, item_ids: list[int]) -> dict[int, int]: ...

    def best_rated(self, user_id: int, kind: str, limit: int) -> list[int]: ...
