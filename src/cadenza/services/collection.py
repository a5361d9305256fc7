"""The listener's collection: like and unlike tracks, save releases, follow artists, and
"Your Library" (playlists, saved releases, followed artists) sorted and filtered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cadenza.domain.catalog import ReleaseView, Viewer
from cadenza.domain.collection import (
    MAX_IDS,
    MAX_SAVED,
    ItemKind,
    LibraryItem,
)
from cadenza.domain.entitlements import Listener
from cadenza.domain.errors import InvalidRequest
from cadenza.ports.clock import Clock
from cadenza.ports.collection import Saved
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.catalog import CatalogService
from cadenza.services.track_cards import (
    TrackCard,
    playable_ids,
    require_playable,
    track_cards,
)

MAX_LIKED_CONTEXT = 10_000


class SavedKind(StrEnum):
    TRACK = "track"  # liked songs
    RELEASE = "release"
    ARTIST = "artist"


@dataclass(frozen=True)
class SavedRelease:
    added_at: datetime
    release_id: int
    release: ReleaseView | None  # None when the viewer may no longer see it


@dataclass(frozen=True)
class FollowedArtist:
    added_at: datetime
    artist_id: int
    name: str | None


class Collection:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        catalog: CatalogService,
        listener: Callable[[int], Listener],
    ) -> None:
        self.uow, self.clock, self.catalog, self.listener = uow, clock, catalog, listener

    def viewer(self, account_id: int) -> Viewer:
        who = self.listener(account_id)
        return Viewer(country=who.country, now=self.clock.now(), allow_explicit=who.allow_explicit)

    # -- saving --------------------------------------------------------------------------
    def save(self, kind: SavedKind, account_id: int, ids: list[int]) -> None:
        """Like tracks, save releases, follow artists: each must be one the listener can see
        (404 otherwise, as for any unknown id)."""
        ids = _checked(ids)
        viewer = self.viewer(account_id)
        self._require_visible(kind, ids, viewer)
        with self.uow() as uow:
            uow.collection.lock_listener(account_id)  # counted under the lock: no race past it
            new = set(ids) - uow.collection.contains(kind.value, account_id, ids)
            held = uow.collection.count(kind.value, account_id)
            if new and held + len(new) > MAX_SAVED:
                raise InvalidRequest(
                    f"at most {MAX_SAVED} {kind.value}s in a library", code="library_full"
                )
            uow.collection.save(kind.value, account_id, ids, self.clock.now())
            uow.commit()

    def _require_visible(self, kind: SavedKind, ids: list[int], viewer: Viewer) -> None:
        if kind is SavedKind.TRACK:
            with self.uow() as uow:
                require_playable(uow, ids, viewer)
            return
        for item_id in ids:
            if kind is SavedKind.RELEASE:
                self.catalog.release(item_id, viewer)
            else:
                self.catalog.artist(item_id, viewer)

    def unsave(self, kind: SavedKind, account_id: int, ids: list[int]) -> None:
        ids = _checked(ids)
        with self.uow() as uow:
            uow.collection.unsave(kind.value, account_id, ids)
            uow.commit()

    def contains(self, kind: SavedKind, account_id: int, ids: list[int]) -> list[bool]:
        ids = _checked(ids)
        with self.uow() as uow:
            held = uow.collection.contains(kind.value, account_id, ids)
        return [i in held for i in ids]

    # -- reading -------------------------------------------------------------------------
    def liked(
        self, account_id: int, limit: int, offset: int
    ) -> tuple[list[tuple[Saved, TrackCard]], int]:
        viewer = self.viewer(account_id)
        with self.uow() as uow:
            saved = uow.collection.saved("track", account_id, limit, offset)
            total = uow.collection.count("track", account_id)
            cards = track_cards(uow, [s.id for s in saved], viewer)
        return list(zip(saved, cards, strict=True)), total

    def liked_context(self, account_id: int, viewer: Viewer) -> list[int | None]:
        """Liked songs to play, newest first; None for those that cannot play."""
        with self.uow() as uow:
            saved = uow.collection.saved("track", account_id, MAX_LIKED_CONTEXT, 0)
            return playable_ids(uow, [s.id for s in saved], viewer)

    def releases(self, account_id: int, limit: int, offset: int) -> tuple[list[SavedRelease], int]:
        viewer = self.viewer(account_id)
        with self.uow() as uow:
            saved = uow.collection.saved("release", account_id, limit, offset)
            total = uow.collection.count("release", account_id)
            found = {r.id: r for r in uow.catalog.releases([s.id for s in saved])}
        shown = []
        for s in saved:
            release = found.get(s.id)
            visible = release is not None and release.visible_to(viewer)
            shown.append(SavedRelease(s.added_at, s.id, release if visible else None))
        return shown, total

    def artists(self, account_id: int, limit: int, offset: int) -> tuple[list[FollowedArtist], int]:
        with self.uow() as uow:
            saved = uow.collection.saved("artist", account_id, limit, offset)
            total = uow.collection.count("artist", account_id)
            names = uow.collection.artist_names([s.id for s in saved])
        return [FollowedArtist(s.added_at, s.id, names.get(s.id)) for s in saved], total

    def library_items(self, account_id: int) -> list[LibraryItem]:
        """Saved releases (those the listener can see) and followed artists."""
        releases, _ = self.releases(account_id, MAX_SAVED, 0)
        artists, _ = self.artists(account_id, MAX_SAVED, 0)
        items = [
            LibraryItem(
                ItemKind.RELEASE,
                s.release_id,
                s.release.title,
                ", ".join(a.name for a in s.release.artists),
                s.added_at,
                _cover(s.release),
            )
            for s in releases
            if s.release is not None
        ]
        items += [
            LibraryItem(ItemKind.ARTIST, a.artist_id, a.name, None, a.added_at)
            for a in artists
            if a.name is not None
        ]
        return items

    def export(self, account_id: int) -> dict[str, object]:
        with self.uow() as uow:
            parts = {
                name: [
                    {"id": s.id, "added_at": s.added_at.isoformat()}
                    for s in uow.collection.saved(kind, account_id, 1_000_000, 0)
                ]
                for name, kind in (
                    ("liked_tracks", "track"),
                    ("saved_releases", "release"),
                    ("followed_artists", "artist"),
                )
            }
        return dict(parts)


def _cover(release: ReleaseView) -> str | None:
    return release.covers.get(300) or next(iter(release.covers.values()), None)


def _checked(ids: list[int]) -> list[int]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise InvalidRequest("give at least one id", code="ids_required")
    if len(unique) > MAX_IDS:
        raise InvalidRequest(f"at most {MAX_IDS} ids at a time", code="too_many_ids")
    return unique
