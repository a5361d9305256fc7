"""Playlists: who may read and edit one, its limits, and how its tracks move. Pure: the
service loads the entries, these rules say what they become, the repository writes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cadenza.domain.errors import Conflict, InvalidRequest

MAX_NAME = 100
MAX_DESCRIPTION = 300
MAX_TRACKS = 10_000
MAX_TRACKS_PER_EDIT = 100
MAX_OWNED = 10_000

T = TypeVar("T")


@dataclass(frozen=True)
class Playlist:
    id: int
    owner_id: int
    owner_name: str
    name: str
    description: str
    public: bool
    collaborative: bool
    version: int  # raised by every edit: the snapshot a client edits against
    total: int
    created_at: datetime
    updated_at: datetime

    @property
    def snapshot_id(self) -> str:
        return f"{self.id}-{self.version}"


@dataclass(frozen=True)
class PlaylistAccess:
    """How a listener other than the owner stands with a playlist."""

    following: bool = False
    collaborator: bool = False  # joined through a collaboration invite


def can_read(playlist: Playlist, viewer_id: int | None, member: PlaylistAccess) -> bool:
    """Public playlists are for everyone; a private one for its owner and those it was
    shared with (who follow it through an invite)."""
    return playlist.public or viewer_id == playlist.owner_id or member.following


def can_edit(playlist: Playlist, viewer_id: int | None, member: PlaylistAccess) -> bool:
    """The owner edits; collaborators edit while the playlist is collaborative."""
    if viewer_id is None:
        return False
    return viewer_id == playlist.owner_id or (playlist.collaborative and member.collaborator)


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidRequest("a playlist needs a name", code="playlist_name_required")
    if len(cleaned) > MAX_NAME:
        raise InvalidRequest(
            f"a playlist name has at most {MAX_NAME} characters", code="playlist_name_too_long"
        )
    return cleaned


def check_description(description: str) -> str:
    cleaned = description.strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise InvalidRequest(
            f"a description has at most {MAX_DESCRIPTION} characters",
            code="playlist_description_too_long",
        )
    return cleaned


def check_flags(public: bool, collaborative: bool) -> None:
    """As on Spotify, a collaborative playlist is never public."""
    if public and collaborative:
        raise InvalidRequest(
            "a collaborative playlist cannot be public; make it private first",
            code="collaborative_playlist_public",
        )


def check_snapshot(playlist: Playlist, snapshot_id: str | None) -> None:
    if snapshot_id is not None and snapshot_id != playlist.snapshot_id:
        raise Conflict(
            "the playlist changed since that snapshot; load it again and redo the edit",
            code="snapshot_stale",
        )


def insert(entries: list[T], added: list[T], position: int | None) -> list[T]:
    """`added` goes in before `position` (the end when None)."""
    if not added:
        raise InvalidRequest("give at least one track", code="no_tracks")
    if len(added) > MAX_TRACKS_PER_EDIT:
        raise InvalidRequest(
            f"at most {MAX_TRACKS_PER_EDIT} tracks at a time", code="too_many_tracks"
        )
    if len(entries) + len(added) > MAX_TRACKS:
        raise InvalidRequest(f"a playlist holds at most {MAX_TRACKS} tracks", code="playlist_full")
    at = len(entries) if position is None else position
    if not 0 <= at <= len(entries):
        raise InvalidRequest(f"position must be 0 to {len(entries)}", code="position_out_of_range")
    return [*entries[:at], *added, *entries[at:]]


def remove(
    entries: list[T], track_of: dict[int, int], picks: list[tuple[int, int | None]]
) -> list[T]:
    """Remove (track id, position) picks. A position names one occurrence of a duplicated
    track, and must still hold that track; without a position every occurrence goes.
    `track_of` maps each index of `entries` to its track id."""
    if not picks:
        raise InvalidRequest("give at least one track to remove", code="no_tracks")
    if len(picks) > MAX_TRACKS_PER_EDIT:
        raise InvalidRequest(
            f"at most {MAX_TRACKS_PER_EDIT} tracks at a time", code="too_many_tracks"
        )
    gone: set[int] = set()
    for track_id, position in picks:
        if position is None:
            gone |= {i for i, t in track_of.items() if t == track_id}
            continue
        if track_of.get(position) != track_id:
            raise Conflict(
                f"track {track_id} is not at position {position}; load the playlist again",
                code="track_not_at_position",
            )
        gone.add(position)
    return [e for i, e in enumerate(entries) if i not in gone]


def move(entries: list[T], range_start: int, range_length: int, insert_before: int) -> list[T]:
    """Spotify's reorder: the `range_length` entries from `range_start` move to stand before
    the entry that was at `insert_before` (the end when it equals the length)."""
    size = len(entries)
    if range_length < 1 or not range_start >= 0 or range_start + range_length > size:
        raise InvalidRequest(
            f"the range must lie within the playlist's {size} tracks", code="range_out_of_range"
        )
    if not 0 <= insert_before <= size:
        raise InvalidRequest(f"insert_before must be 0 to {size}", code="position_out_of_range")
    moving = entries[range_start : range_start + range_length]
    if range_start <= insert_before <= range_start + range_length:
        return list(entries)  # into itself: nothing moves
    rest = entries[:range_start] + entries[range_start + range_length :]
    at = insert_before if insert_before < range_start else insert_before - range_length
    return [*rest[:at], *moving, *rest[at:]]


@dataclass(frozen=True)
class Entry:
    """A track at a place in a playlist; `id` is None until it is stored."""

    id: int | None
    track_id: int
    added_by: int | None
    added_at: datetime
    added_by_name: str | None = None
