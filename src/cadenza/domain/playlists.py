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
INVITE_DAYS = 30  # a share link works this long after it was made

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
    editorial: bool = False  # made by the service's editors: plays from it are tagged so

    @property
    def snapshot_id(self) -> str:
        return f"{self.id}-{self.version}"


@dataclass(frozen=True)
class PlaylistAccess:
    """How a listener other than the owner stands with a playlist."""

    following: bool = False
    collaborator: bool = False  # joined through a collaboration invite
    invited: bool = False  # joined through an invite link (any kind)


@dataclass(frozen=True)
class Follower:
    """Someone following a playlist, as its owner sees them."""

    user_id: int
    display_name: str
    collaborator: bool
    invited: bool
    followed_at: datetime


def can_read(playlist: Playlist, viewer_id: int | None, member: PlaylistAccess) -> bool:
    """Public playlists are for everyone; a private one only for its owner and those who
    accepted an invite to it. Following it while it was public grants nothing once private."""
    return playlist.public or viewer_id == playlist.owner_id or member.invited


def insertion_point(total: int, count: int, position: int | None) -> int:
    """Where `count` new tracks go in a playlist of `total` (checked): the end when None."""
    if count < 1:
        raise InvalidRequest("give at least one track", code="no_tracks")
    if count > MAX_TRACKS_PER_EDIT:
        raise InvalidRequest(
            f"at most {MAX_TRACKS_PER_EDIT} tracks at a time", code="too_many_tracks"
        )
    if total + count > MAX_TRACKS:
        raise InvalidRequest(f"a playlist holds at most {MAX_TRACKS} tracks", code="playlist_full")
    at = total if position is None else position
    if not 0 <= at <= total:
        raise InvalidRequest(f"position must be 0 to {total}", code="position_out_of_range")
    return at


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
    at = insertion_point(len(entries), len(added), position)
    return [*entries[:at], *added, *entries[at:]]


def remove(
    entries: list[T], track_of: dict[int, int], picks: list[tuple[int, int | None]]
) -> list[T]:
    """`entries` without the picks' positions (see removed_positions)."""
    gone = removed_positions(track_of, picks)
    return [e for i, e in enumerate(entries) if i not in gone]


def removed_positions(track_of: dict[int, int], picks: list[tuple[int, int | None]]) -> set[int]:
    """The positions that (track id, position) picks remove. A position names one occurrence
    of a duplicated track, and must still hold that track; without a position every
    occurrence goes. `track_of` maps positions to track ids: at least the picked positions
    and every position of a track picked without one."""
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
    return gone


@dataclass(frozen=True)
class Shift:
    """A reorder as the repository does it, in one statement: the positions from `low` up to
    (not including) `high` change; those of the moved range [range_start, range_end) by
    `range_by`, the others by `others_by`."""

    low: int
    high: int
    range_start: int
    range_end: int
    range_by: int
    others_by: int

    def new_position(self, position: int) -> int:
        if self.range_start <= position < self.range_end:
            return position + self.range_by
        if self.low <= position < self.high:
            return position + self.others_by
        return position


def move_shift(size: int, range_start: int, range_length: int, insert_before: int) -> Shift | None:
    """Spotify's reorder of a playlist of `size`: the `range_length` entries from
    `range_start` move to stand before the entry that was at `insert_before` (the end when it
    equals the size). None when nothing moves."""
    if range_length < 1 or not range_start >= 0 or range_start + range_length > size:
        raise InvalidRequest(
            f"the range must lie within the playlist's {size} tracks", code="range_out_of_range"
        )
    if not 0 <= insert_before <= size:
        raise InvalidRequest(f"insert_before must be 0 to {size}", code="position_out_of_range")
    end = range_start + range_length
    if range_start <= insert_before <= end:
        return None  # into itself
    if insert_before > end:  # down: the entries it passes move up by its length
        return Shift(
            range_start, insert_before, range_start, end, insert_before - end, -range_length
        )
    return Shift(insert_before, end, range_start, end, insert_before - range_start, range_length)


def move(entries: list[T], range_start: int, range_length: int, insert_before: int) -> list[T]:
    """The entries after move_shift, as a list (what the repository's statement does)."""
    shift = move_shift(len(entries), range_start, range_length, insert_before)
    if shift is None:
        return list(entries)
    placed = sorted((shift.new_position(i), i) for i in range(len(entries)))
    return [entries[i] for _, i in placed]


@dataclass(frozen=True)
class Entry:
    """A track at a place in a playlist; `id` is None until it is stored."""

    id: int | None
    track_id: int
    added_by: int | None
    added_at: datetime
    added_by_name: str | None = None


def best_named(words: str, groups: list[list[Playlist]]) -> Playlist | None:
    """The playlist `words` name, from groups in order of preference (e.g. the listener's own,
    followed, public): in each, an exact name (any case) before one that starts with the words,
    before one that holds them; the first group with any match wins."""
    wanted = " ".join(words.casefold().split())
    if not wanted:
        return None
    for group in groups:
        names = [(" ".join(p.name.casefold().split()), p) for p in group]
        for matches in (
            lambda n: n == wanted,
            lambda n: n.startswith(wanted),
            lambda n: wanted in n,
        ):
            found = [p for n, p in names if matches(n)]
            if found:
                return found[0]
    return None
