"""Release Radar: new songs by artists, and each listener's radar of the week, kept."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.release_radar import NewSong


class ReleaseRadarRepository(Protocol):
    def new_songs(self, artist_ids: list[int], since: datetime, until: datetime) -> list[NewSong]:
        """Songs of releases dated from `since` to `until` (not taken down) that any of these
        artists made or sang on, in each release's order."""
        ...

    def kept(self, user_id: int) -> tuple[datetime, list[int]] | None:
        """The radar made for the listener last: the week it is for, and its songs."""
        ...

    def keep(self, user_id: int, week: datetime, track_ids: list[int], now: datetime) -> None: ...
