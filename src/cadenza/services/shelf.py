"""The catalog as a Subsonic app browses it: every artist A to Z, albums in any order (by name,
by artist, by year, by genre, at random, newest), genres with their counts, random songs.
Only what the listener may see: out, not taken down, in their territory, explicit songs left
out where the plan's manager filtered them. The ratings those apps set (setRating) are kept too.

The shelf is read whole (light rows) and kept a few seconds per process: a player asks for
page after page of the same list."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cadenza.domain.catalog import ReleaseView, Viewer, as_utc
from cadenza.domain.errors import InvalidRequest, NotFound
from cadenza.domain.territories import available_in
from cadenza.ports.clock import Clock
from cadenza.ports.shelf import ShelfRelease, ShelfTrack
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.visible_tracks import Picked, visible_tracks

KEPT_S = 10.0
RATED_KINDS = ("track", "release", "artist")


@dataclass
class _Read:
    at: float
    releases: list[ShelfRelease]
    artists: list[tuple[int, str, int]]
    tracks: list[ShelfTrack]
    by_release: dict[int, list[ShelfTrack]] = field(default_factory=dict)


@dataclass(frozen=True)
class ShelfArtist:
    id: int
    name: str
    album_count: int


@dataclass(frozen=True)
class GenreCount:
    name: str
    songs: int
    albums: int


class Shelf:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock
        self._read: _Read | None = None
        self._lock = threading.Lock()

    def _shelf(self) -> _Read:
        read = self._read
        if read is not None and read.at > time.monotonic():
            return read
        with self._lock:
            now = self.clock.now()
            with self.uow() as uow:
                fresh = _Read(
                    time.monotonic() + KEPT_S,
                    uow.shelf.releases(now),
                    uow.shelf.artist_releases(now),
                    uow.shelf.tracks(now),
                )
            for t in fresh.tracks:
                fresh.by_release.setdefault(t.release_id, []).append(t)
            self._read = fresh
        return fresh

    def _releases(self, viewer: Viewer) -> list[ShelfRelease]:
        now = as_utc(viewer.now)
        return [
            r
            for r in self._shelf().releases
            if as_utc(r.release_at) <= now and available_in(r.territories, viewer.country)
        ]

    def _tracks(self, viewer: Viewer, release_ids: set[int] | None = None) -> list[ShelfTrack]:
        shelf = self._shelf()
        seen = {r.id for r in self._releases(viewer)}
        if release_ids is not None:
            seen &= release_ids
        return [
            t
            for r in sorted(seen)
            for t in shelf.by_release.get(r, [])
            if viewer.allow_explicit or not t.explicit
        ]

    # -- artists ---------------------------------------------------------------------------
    def artists(self, viewer: Viewer) -> list[ShelfArtist]:
        seen = {r.id for r in self._releases(viewer)}
        albums: dict[int, set[int]] = defaultdict(set)
        names: dict[int, str] = {}
        for artist_id, name, release_id in self._shelf().artists:
            if release_id in seen:
                albums[artist_id].add(release_id)
                names[artist_id] = name
        found = [ShelfArtist(a, names[a], len(r)) for a, r in albums.items()]
        return sorted(found, key=lambda a: (a.name.casefold(), a.id))

    def artist_named(self, name: str) -> int:
        with self.uow() as uow:
            found = uow.shelf.artist_named(name.strip()[:1000])
        if found is None:
            raise NotFound(f"no artist named {name!r}")
        return found

    # -- albums ----------------------------------------------------------------------------
    def albums(
        self,
        viewer: Viewer,
        order: str,
        size: int,
        offset: int,
        *,
        genre: str | None = None,
        years: tuple[int, int] | None = None,
    ) -> list[int]:
        """Release ids in the order asked: alphabeticalByName, alphabeticalByArtist, random,
        byYear (`years`: from, to; either way round), byGenre, newest."""
        releases = self._releases(viewer)
        if order == "alphabeticalByName":
            releases.sort(key=lambda r: (r.title.casefold(), r.id))
        elif order == "alphabeticalByArtist":
            releases.sort(key=lambda r: (r.artist_name.casefold(), r.title.casefold(), r.id))
        elif order == "random":
            random.shuffle(releases)
            offset = 0
        elif order == "byYear":
            if years is None:
                raise InvalidRequest("byYear needs fromYear and toYear", code="missing_parameter")
            low, high = sorted(years)
            releases = [r for r in releases if low <= r.release_at.year <= high]
            releases.sort(key=lambda r: (r.release_at, r.id), reverse=years[0] > years[1])
        elif order == "byGenre":
            if not genre:
                raise InvalidRequest("byGenre needs genre", code="missing_parameter")
            wanted = genre.casefold()
            releases = [r for r in releases if wanted in self._album_genres(r)]
            releases.sort(key=lambda r: (r.title.casefold(), r.id))
        elif order == "newest":
            releases.sort(key=lambda r: (r.release_at, r.id), reverse=True)
        else:
            raise InvalidRequest(f"unknown album list type {order!r}", code="invalid_type")
        return [r.id for r in releases[offset : offset + size]]

    def _album_genres(self, release: ShelfRelease) -> set[str]:
        found = {g.casefold() for g in release.genres}
        for t in self._shelf().by_release.get(release.id, []):
            found |= {g.casefold() for g in t.genres}
        return found

    def album_facts(self, release_ids: list[int], viewer: Viewer) -> dict[int, tuple[int, int]]:
        """Release id -> (songs, total duration in ms) as this viewer sees them."""
        by_release = self._shelf().by_release
        return {
            r: (
                len(
                    shown := [
                        t for t in by_release.get(r, []) if viewer.allow_explicit or not t.explicit
                    ]
                ),
                sum(t.duration_ms for t in shown),
            )
            for r in release_ids
        }

    # -- genres and songs ------------------------------------------------------------------
    def genres(self, viewer: Viewer) -> list[GenreCount]:
        songs: Counter[str] = Counter()
        albums: dict[str, set[int]] = defaultdict(set)
        names: dict[str, str] = {}
        for t in self._tracks(viewer):
            for g in dict.fromkeys(t.genres):
                key = g.casefold()
                names.setdefault(key, g)
                songs[key] += 1
                albums[key].add(t.release_id)
        found = [GenreCount(names[k], songs[k], len(albums[k])) for k in songs]
        return sorted(found, key=lambda g: g.name.casefold())

    def songs_by_genre(self, viewer: Viewer, genre: str, count: int, offset: int) -> list[int]:
        wanted = genre.casefold()
        found = [t.id for t in self._tracks(viewer) if wanted in {g.casefold() for g in t.genres}]
        return found[offset : offset + count]

    def random_songs(
        self,
        viewer: Viewer,
        size: int,
        genre: str | None = None,
        years: tuple[int | None, int | None] = (None, None),
    ) -> list[int]:
        low, high = years
        release_year = {r.id: r.release_at.year for r in self._releases(viewer)}
        found = [
            t.id
            for t in self._tracks(viewer)
            if (genre is None or genre.casefold() in {g.casefold() for g in t.genres})
            and (low is None or release_year[t.release_id] >= low)
            and (high is None or release_year[t.release_id] <= high)
        ]
        return random.sample(found, min(size, len(found)))

    def every_song(self, viewer: Viewer, count: int, offset: int) -> list[int]:
        """All songs, album by album: what an app syncing the library pages through."""
        return [t.id for t in self._tracks(viewer)][offset : offset + count]

    def every_album(self, viewer: Viewer, count: int, offset: int) -> list[int]:
        return [r.id for r in self._releases(viewer)][offset : offset + count]

    # -- reading what lists name ----------------------------------------------------------
    def songs(self, track_ids: list[int], viewer: Viewer) -> list[Picked]:
        """Those of the tracks the viewer may play, with their releases, in the order given."""
        with self.uow() as uow:
            return list(visible_tracks(uow, track_ids, viewer).values())

    def releases(self, release_ids: list[int], viewer: Viewer) -> list[ReleaseView]:
        """Those of the releases the viewer may see (without their tracks), in order."""
        if not release_ids:
            return []
        with self.uow() as uow:
            found = {r.id: r for r in uow.catalog.releases(release_ids)}
        return [found[r] for r in release_ids if r in found and found[r].visible_to(viewer)]

    def playlist_durations(self, playlist_ids: list[int]) -> dict[int, int]:
        """Playlist id -> the length of its songs in ms (songs still in the catalog)."""
        length = {t.id: t.duration_ms for t in self._shelf().tracks}
        with self.uow() as uow:
            listed = {p: uow.playlist_entries.track_ids(p) for p in playlist_ids}
        return {p: sum(length.get(t, 0) for t in ids) for p, ids in listed.items()}

    # -- ratings ---------------------------------------------------------------------------
    def rate(self, account_id: int, kind: str, item_id: int, rating: int) -> None:
        if kind not in RATED_KINDS or not 0 <= rating <= 5:
            raise InvalidRequest("a rating is 0 (none) to 5", code="invalid_rating")
        with self.uow() as uow:
            uow.shelf.rate(account_id, kind, item_id, rating, self.clock.now())
            uow.commit()

    def ratings(self, account_id: int, kind: str, item_ids: list[int]) -> dict[int, int]:
        with self.uow() as uow:
            return uow.shelf.ratings(account_id, kind, item_ids)

    def marks(
        self, account_id: int, wanted: dict[str, list[int]]
    ) -> tuple[dict[str, dict[int, datetime]], dict[str, dict[int, int]]]:
        """For each kind's ids: when the listener starred them, and how they rated them."""
        with self.uow() as uow:
            starred = {k: uow.shelf.starred(account_id, k, ids) for k, ids in wanted.items()}
            rated = {k: uow.shelf.ratings(account_id, k, ids) for k, ids in wanted.items()}
        return starred, rated

    def best_rated(self, account_id: int, kind: str, limit: int) -> list[int]:
        with self.uow() as uow:
            return uow.shelf.best_rated(account_id, kind, limit)
