"""Blends: members, tracks, invites, and the counted signals of each member's taste."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.blends import Blend, BlendTrack


class BlendRepository(Protocol):
    def add_invite(self, token_hash: str, inviter_id: int, now: datetime) -> None: ...

    def invite(self, token_hash: str) -> tuple[int, datetime, datetime | None] | None:
        """(inviter, made at, used at) of an invite link."""
        ...

    def use_invite(self, token_hash: str, now: datetime) -> bool:
        """Mark the invite used; False when it already was (whoever came first wins)."""
        ...

    def create(self, member_ids: list[int], match_score: int, now: datetime) -> int: ...

    def get(self, blend_id: int) -> Blend | None: ...

    def of_member(self, user_id: int) -> list[Blend]:
        """The listener's Blends, newest first."""
        ...

    def is_member(self, blend_id: int, user_id: int) -> bool: ...

    def tracks(self, blend_id: int) -> list[BlendTrack]: ...

    def replace_tracks(
        self, blend_id: int, tracks: list[BlendTrack], match_score: int, now: datetime
    ) -> None:
        """The Blend made again: these tracks in order, its score, refreshed now."""
        ...

    def stale(self, now: datetime) -> list[int]:
        """Blends last made before the day of `now` (UTC)."""
        ...

    def leave(self, blend_id: int, user_id: int) -> int:
        """Remove the member; returns how many are left."""
        ...

    def delete(self, blend_id: int) -> None: ...

    def listening_of(self, user_id: int) -> tuple[dict[int, int], set[int], set[int]]:
        """(track -> counted plays, liked tracks, followed artists) of one listener."""
        ...

    def track_facts(
        self, track_ids: list[int]
    ) -> dict[int, tuple[tuple[int, ...], tuple[str, ...], int]]:
        """Track -> (its artists, its and its release's genres, counted streams)."""
        ...

    def tracks_by_artists(self, artist_ids: list[int], per_artist: int) -> list[int]:
        """Up to `per_artist` tracks of each artist, most streamed first."""
        ...

    def popular_tracks(self, limit: int) -> list[int]:
        """The most streamed tracks (then the newest, where too few were streamed yet)."""
        ...
