"""Playlists: entries, followers, collaborators and invites."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.playlists import Entry, Follower, Playlist, PlaylistAccess, Shift


class PlaylistRepository(Protocol):
    def add(
        self,
        owner_id: int,
        name: str,
        description: str,
        public: bool,
        collaborative: bool,
        now: datetime,
        editorial: bool = False,
    ) -> int: ...

    def get(self, playlist_id: int) -> Playlist | None: ...

    def editorial(self, limit: int, offset: int) -> list[Playlist]:
        """Public playlists with tracks made by the service's own editors (marked editorial, or
        owned by an admin account), most recently changed first."""
        ...

    def flagged_editorial(self, limit: int) -> list[Playlist]:
        """The playlists marked editorial (empty or not, public or not), by name."""
        ...

    def public_named(self, words: str, limit: int) -> list[Playlist]:
        """Public playlists whose name holds `words` (any case), most tracks first."""
        ...

    def public_of_owner(self, owner_id: int, limit: int) -> list[Playlist]:
        """A listener's public playlists, most recently changed first."""
        ...

    def many(self, playlist_ids: list[int]) -> dict[int, Playlist]:
        """These playlists by id (those that exist)."""
        ...

    def lock_owner(self, owner_id: int) -> None:
        """Hold the listener's row until commit (the playlist limit is counted under it)."""
        ...

    def owned_count(self, owner_id: int) -> int: ...

    def lock(self, playlist_id: int) -> Playlist | None:
        """The playlist read afresh, its row held until commit (edits and access changes
        queue behind each other)."""
        ...

    def bump(self, playlist_id: int, version: int, now: datetime) -> bool:
        """Raise the version if it is still `version` (and lock the row): False when another
        edit came first."""
        ...

    def set_details(
        self, playlist_id: int, name: str, description: str, public: bool, collaborative: bool
    ) -> None: ...

    def delete(self, playlist_id: int) -> None: ...


class PlaylistEntryRepository(Protocol):
    """A playlist's entries in their order: inserted, removed and moved by position."""

    def insert_entries(self, playlist_id: int, at: int, entries: list[Entry]) -> None:
        """Insert new entries before position `at`, shifting the rest in one statement."""
        ...

    def entries(self, playlist_id: int, limit: int | None = None, offset: int = 0) -> list[Entry]:
        """In playlist order; with who added each."""
        ...

    def track_ids(self, playlist_id: int) -> list[int]: ...

    def tracks_at(
        self, playlist_id: int, positions: list[int], track_ids: list[int]
    ) -> dict[int, int]:
        """Position -> track id, for these positions and every place of these tracks."""
        ...

    def remove_positions(self, playlist_id: int, positions: set[int]) -> None:
        """Delete the entries at these positions and close the gaps (set-based)."""
        ...

    def shift_positions(self, playlist_id: int, shift: Shift) -> None:
        """Apply a reorder in one statement."""
        ...


class PlaylistFollowerRepository(Protocol):
    """Who follows or edits a playlist: followers, collaborators and their invites."""

    def membership(self, playlist_id: int, user_id: int) -> PlaylistAccess: ...

    def followers(self, playlist_id: int, limit: int, offset: int) -> tuple[list[Follower], int]:
        """A page of followers, first to follow first, and how many there are."""
        ...

    def follow(
        self, playlist_id: int, user_id: int, collaborator: bool, invited: bool, now: datetime
    ) -> None: ...

    def unfollow(self, playlist_id: int, user_id: int) -> None: ...

    def of_listener(self, user_id: int) -> list[tuple[Playlist, datetime]]:
        """Owned and followed playlists, each with when it came into the library."""
        ...

    def page_of_listener(
        self, user_id: int, limit: int, offset: int
    ) -> tuple[list[tuple[Playlist, PlaylistAccess]], int]:
        """A page of owned and followed playlists (most recently added first), with how the
        listener stands with each, and how many there are."""
        ...

    def drop_uninvited(self, playlist_id: int) -> None:
        """Remove the followers who did not come through an invite."""
        ...

    def end_collaboration(self, playlist_id: int) -> None: ...

    def add_invite(
        self, token_hash: str, playlist_id: int, collaborate: bool, now: datetime
    ) -> None: ...

    def invite(self, token_hash: str) -> tuple[int, bool, datetime] | None:
        """(playlist id, collaborate, made at) of a share link."""
        ...

    def revoke_invites(self, playlist_id: int) -> int: ...
