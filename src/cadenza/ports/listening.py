"""Listening events, counted plays and the saved player state."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.listening import ListeningEvent, PlayExported, PlaySummary


class ListeningRepository(Protocol):
    def add_event(self, user_id: int, event: ListeningEvent, now: datetime) -> bool: ...

    def known_tracks(self, track_ids: set[int]) -> set[int]: ...

    def lock_play(
        self, user_id: int, play_id: str, track_id: int, device: str, at: datetime
    ) -> None: ...

    def play_events(self, user_id: int, play_id: str) -> list[ListeningEvent]: ...

    def lock_listener(self, user_id: int) -> None: ...

    def save_play(
        self,
        user_id: int,
        play_id: str,
        summary: PlaySummary,
        reason: str | None,
        country: str | None,
    ) -> tuple[bool, bool]:
        """Summary and verdict (reason None: it counts); (became counted, became finished)."""
        ...

    def counted_between(
        self, user_id: int, since: datetime, until: datetime, besides: str
    ) -> list[tuple[datetime, int]]: ...

    def heard(self, user_id: int, limit: int, offset: int) -> list[tuple[int, datetime, int]]:
        """The listener's history: plays of 30 s or more, counted or not, newest first."""
        ...

    def every_play(self, user_id: int, limit: int, offset: int) -> list[PlayExported]: ...

    def recently_played(
        self, user_id: int, limit: int, offset: int, before: datetime | None = None
    ) -> list[tuple[int, datetime, int]]:
        """Counted plays, newest first (those started before `before` when given)."""
        ...

    def streams(self, track_id: int) -> int: ...

    def streams_of(self, track_ids: list[int]) -> dict[int, int]:
        """Track id -> its counted streams, for those that have any."""
        ...

    def player_state(self, user_id: int) -> tuple[dict[str, object], int] | None: ...

    def save_player_state(
        self, user_id: int, state: dict[str, object], version: int, now: datetime
    ) -> bool: ...
