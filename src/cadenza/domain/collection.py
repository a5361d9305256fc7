"""The listener's collection: liked songs, saved releases, followed artists and playlists;
how a track in it shows to a viewer; and "Your Library" sorted and filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cadenza.domain.catalog import Viewer, as_utc
from cadenza.domain.territories import available_in

MAX_IDS = 50  # ids in one like / save / follow / contains request
MAX_SAVED = 10_000  # liked songs, saved releases and followed artists each


class Availability(StrEnum):
    PLAYABLE = "playable"
    NOT_IN_COUNTRY = "not_in_your_country"
    EXPLICIT_FILTERED = "explicit_content_filtered"
    UNAVAILABLE = "unavailable"  # not out yet, or gone from the catalog: nothing is shown

    @property
    def shows_metadata(self) -> bool:
        return self is not Availability.UNAVAILABLE


@dataclass(frozen=True)
class TrackFacts:
    """What decides whether a viewer may play a track."""

    release_at: datetime
    territories: tuple[str, ...]
    explicit: bool
    distributor_id: int
    taken_down: bool = False  # withdrawn by its distributor or an admin


def availability(facts: TrackFacts | None, viewer: Viewer) -> Availability:
    """A track in a playlist or liked songs stays listed whatever happens to it; whether it
    plays, and how much of it shows, depends on who looks."""
    if facts is None:
        return Availability.UNAVAILABLE
    own = viewer.distributor_id is not None and viewer.distributor_id == facts.distributor_id
    if not own and (facts.taken_down or as_utc(facts.release_at) > as_utc(viewer.now)):
        return Availability.UNAVAILABLE
    if not own and not available_in(facts.territories, viewer.country):
        return Availability.NOT_IN_COUNTRY
    if facts.explicit and not viewer.allow_explicit:
        return Availability.EXPLICIT_FILTERED
    return Availability.PLAYABLE


class ItemKind(StrEnum):
    PLAYLIST = "playlist"
    RELEASE = "release"
    ARTIST = "artist"


class LibrarySort(StrEnum):
    RECENT = "recent"  # recently added
    ALPHABETICAL = "alphabetical"
    CREATOR = "creator"


@dataclass(frozen=True)
class LibraryItem:
    kind: ItemKind
    id: int
    name: str
    creator: str | None  # a playlist's owner, a release's artists; none for an artist
    added_at: datetime
    image: str | None = None  # a cover's blob digest


def arrange(
    items: list[LibraryItem],
    sort: LibrarySort,
    kind: ItemKind | None = None,
    text: str | None = None,
) -> list[LibraryItem]:
    """Your Library as asked: one kind or all, matching the text in name or creator."""
    needle = " ".join((text or "").casefold().split())
    chosen = [
        i
        for i in items
        if (kind is None or i.kind is kind)
        and (not needle or needle in i.name.casefold() or needle in (i.creator or "").casefold())
    ]
    if sort is LibrarySort.ALPHABETICAL:
        return sorted(chosen, key=lambda i: (i.name.casefold(), i.kind.value, i.id))
    if sort is LibrarySort.CREATOR:
        return sorted(
            chosen, key=lambda i: ((i.creator or i.name).casefold(), i.name.casefold(), i.id)
        )
    return sorted(chosen, key=lambda i: (as_utc(i.added_at), i.id), reverse=True)
