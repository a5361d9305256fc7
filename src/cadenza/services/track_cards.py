"""Tracks as a listener sees them in a playlist or in liked songs: kept whatever happens to
them, marked unplayable when they cannot play, and without metadata the viewer may not see."""

from __future__ import annotations

from dataclasses import dataclass, replace

from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.collection import Availability, availability
from cadenza.domain.errors import NotFound
from cadenza.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class TrackCard:
    track_id: int
    availability: Availability
    track: TrackView | None = None  # None when nothing may show
    release: ReleaseView | None = None  # without its tracks

    @property
    def playable(self) -> bool:
        return self.availability is Availability.PLAYABLE


def availabilities(uow: UnitOfWork, track_ids: list[int], viewer: Viewer) -> list[Availability]:
    facts = uow.collection.track_facts(track_ids)
    return [availability(facts.get(t), viewer) for t in track_ids]


def track_cards(uow: UnitOfWork, track_ids: list[int], viewer: Viewer) -> list[TrackCard]:
    """One card per id, in order (a duplicated id gets a card at each place)."""
    found = availabilities(uow, track_ids, viewer)
    shown = [t for t, a in zip(track_ids, found, strict=True) if a.shows_metadata]
    tracks = {t.id: t for t in uow.catalog.tracks(list(set(shown)))} if shown else {}
    release_ids = list({t.release_id for t in tracks.values()})
    releases = {r.id: replace(r, tracks=()) for r in uow.catalog.releases(release_ids)}
    cards = []
    for track_id, seen in zip(track_ids, found, strict=True):
        track = tracks.get(track_id) if seen.shows_metadata else None
        release = releases.get(track.release_id) if track else None
        if track is None or release is None:
            cards.append(TrackCard(track_id, Availability.UNAVAILABLE))
        else:
            cards.append(TrackCard(track_id, seen, track, release))
    return cards


def playable_ids(uow: UnitOfWork, track_ids: list[int], viewer: Viewer) -> list[int | None]:
    """The ids a player may play, None in the place of each one it may not."""
    found = availabilities(uow, track_ids, viewer)
    return [
        t if a is Availability.PLAYABLE else None for t, a in zip(track_ids, found, strict=True)
    ]


def require_playable(uow: UnitOfWork, track_ids: list[int], viewer: Viewer) -> None:
    """404 for the first track the viewer cannot see or play, as the catalog answers it; in
    one query, however many tracks."""
    for track_id, seen in zip(track_ids, availabilities(uow, track_ids, viewer), strict=True):
        if seen is Availability.EXPLICIT_FILTERED:
            raise NotFound(f"no track {track_id}", code="explicit_content_filtered")
        if seen is not Availability.PLAYABLE:
            raise NotFound(f"no track {track_id}")
