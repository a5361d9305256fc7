"""Recommendations from the trained model, or from popularity per country and content (same
artist, same genre) while there is no model or too little listening: Discover Weekly, similar
tracks, Fans also like, an artist's top tracks, and the candidates Radio and Daily Mixes draw.

Every answer says its `basis`: "model" or "popular". Every track passes the catalog's viewer
rules (taken down, out of territory, not yet released, explicit filtered) before it is shown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cadenza.domain import recs
from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.entitlements import Listener
from cadenza.domain.recs import Candidate
from cadenza.domain.search import Kind
from cadenza.domain.time_zones import MONDAY, week_start
from cadenza.ports.clock import Clock
from cadenza.ports.recommendations import StoredWeek, TasteModel
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.catalog import CatalogService
from cadenza.services.search import SearchService

Picked = tuple[TrackView, ReleaseView]
MODEL, POPULAR = "model", "popular"
HISTORY = 500  # the listener's most played tracks a recommendation starts from
WEEKLY_CANDIDATES = 600
POPULAR_DAYS = 28
POPULAR_CANDIDATES = 300
SIMILAR = 20
RELATED_ARTISTS = 20
TOP_TRACKS = 10
NEIGHBOURS_FOR_ARTISTS = 400
GENRE_CANDIDATES = 50
REASON_SEEDS = 20  # the listener's tracks a reason may name
PICKED_TOP = 10  # a new listener's picked artists: this many of each one's top tracks
PICKED_PLAYS = 3  # what each of those counts as, until the listener has history of their own
POPULAR_EVERY = 3  # cold start: every third new candidate is one of the country's popular


@dataclass(frozen=True)
class Weekly:
    week_start: datetime
    basis: str
    tracks: list[tuple[Picked, str]]  # (track, why)


@dataclass(frozen=True)
class Related:
    basis: str
    artists: list[tuple[int, str]]  # (artist id, name)


@dataclass(frozen=True)
class Tracks:
    basis: str
    tracks: list[Picked]


class Recommendations:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        catalog: CatalogService,
        search: SearchService,
        model: TasteModel,
        listener: Callable[[int], Listener],
        min_plays: int,
    ) -> None:
        self.uow, self.clock, self.catalog, self.search = uow, clock, catalog, search
        self.model, self.listener, self.min_plays = model, listener, min_plays

    def ready(self) -> bool:
        """A model is in service and it learned from enough listening."""
        info = self.model.info()
        return info is not None and info.counted_plays >= self.min_plays

    def viewer(self, account_id: int) -> Viewer:
        who = self.listener(account_id)
        return Viewer(country=who.country, now=self.clock.now(), allow_explicit=who.allow_explicit)

    # -- Discover Weekly -----------------------------------------------------------------
    def discover_weekly(self, account_id: int) -> Weekly:
        """30 tracks for the week from Monday: made once (from the model when it is ready, and
        again the first time it is, if the week began on popularity), the same all week."""
        viewer = self.viewer(account_id)
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
            zone = account.time_zone if account is not None else None
            start = week_start(self.clock.now(), zone, MONDAY)
            stored = uow.listener_taste.stored_week(account_id)
        ready = self.ready()
        fresh = stored is not None and stored.week_start == start
        if not fresh or (stored is not None and stored.basis == POPULAR and ready):
            made = self._make_week(account_id, start, viewer, ready)
            if not fresh or made.basis == MODEL:  # popularity's week stays until the model's
                stored = made
                with self.uow() as uow:
                    uow.listener_taste.store_week(account_id, stored)
                    uow.commit()
        assert stored is not None  # what was unheard when made stays all week, played or not
        shown = self._visible([t for t, _ in stored.tracks], viewer)
        reasons = dict(stored.tracks)
        return Weekly(start, stored.basis, [(shown[t], reasons[t]) for t in shown])

    def _make_week(
        self, account_id: int, start: datetime, viewer: Viewer, ready: bool
    ) -> StoredWeek:
        with self.uow() as uow:
            taste = uow.listener_taste
            heard = taste.heard(account_id)
            history = taste.history(account_id, HISTORY)
            followed = taste.followed_artists(account_id)
        picked = {} if history else self.picked_start(account_id, viewer)
        seeds = history or picked
        basis = MODEL if ready and seeds else POPULAR
        found: list[tuple[int, float]] = []
        if basis == MODEL:
            found = self.model.for_listener(account_id, seeds, WEEKLY_CANDIDATES, heard)
            basis = MODEL if found else POPULAR
        favourites = sorted(seeds, key=lambda t: -seeds[t])[:REASON_SEEDS]
        if basis == POPULAR:
            found = (
                self._picked_candidates(list(picked), viewer)
                if picked
                else self._popular_candidates(favourites, viewer)
            )
        elif picked:  # the picks' neighbours, and the country's popular songs among them
            found = _every(found, self._country_popular(viewer), POPULAR_EVERY)
        visible = self._visible([t for t, _ in found if t not in heard], viewer)
        scores = dict(found)
        names = {a.id: a.name for t, _ in visible.values() for a in t.artists}
        with self.uow() as uow:
            artists_of = uow.listener_taste.track_artists(list({*visible, *favourites}))
            names.update(
                uow.collection.artist_names(
                    list({a for f in favourites for a in artists_of.get(f, ())})
                )
            )
        known = followed | {a for t in favourites for a in artists_of.get(t, ())[:1]}
        candidates = [
            Candidate(t, artists_of.get(t, ()), scores[t]) for t in visible if artists_of.get(t)
        ]
        chosen = recs.discover_weekly(candidates, known, heard)
        verb = "like" if picked else "play"
        tracks = [
            (c.track_id, self._reason(c, favourites, artists_of, names, basis, viewer, verb))
            for c in chosen
        ]
        return StoredWeek(start, basis, tracks)

    # -- cold start ----------------------------------------------------------------------
    def picked_start(self, account_id: int, viewer: Viewer) -> dict[int, float]:
        """For a listener with no history yet: the top tracks (in their country) of the
        artists they picked at sign-up, each as if played PICKED_PLAYS times, picks in order;
        empty without picks. Discover Weekly and Daily Mixes start from these."""
        with self.uow() as uow:
            ranked = [
                t
                for artist_id in uow.taste_picks.picks(account_id)
                for t in uow.listener_taste.top_tracks(artist_id, viewer.country, PICKED_TOP)
            ]
        return dict.fromkeys(self._visible(ranked, viewer), float(PICKED_PLAYS))

    def _picked_candidates(self, seeds: list[int], viewer: Viewer) -> list[tuple[int, float]]:
        """Before there is a model: the picked artists' top tracks and popular songs of their
        genres (the artists alike by content), with the country's popular songs every
        POPULAR_EVERY-th."""
        mine = self._visible(seeds, viewer)
        genres = Counter(g.casefold() for t, r in mine.values() for g in (*t.genres, *r.genres))
        alike = list(seeds)
        for genre, _ in genres.most_common(3):
            alike += self._genre_tracks(genre, viewer)
        ranked = [(t, 1.0 / (1 + i)) for i, t in enumerate(dict.fromkeys(alike))]
        return _every(ranked, self._country_popular(viewer), POPULAR_EVERY)

    def _country_popular(self, viewer: Viewer) -> list[int]:
        since = self.clock.now() - timedelta(days=POPULAR_DAYS)
        with self.uow() as uow:
            ranked = uow.listener_taste.popular(viewer.country, since, POPULAR_CANDIDATES)
            ranked += uow.listener_taste.popular(None, since, POPULAR_CANDIDATES)
        return list(dict.fromkeys(ranked))

    def _reason(
        self,
        c: Candidate,
        favourites: list[int],
        artists_of: dict[int, tuple[int, ...]],
        names: dict[int, str],
        basis: str,
        viewer: Viewer,
        verb: str = "play",
    ) -> str:
        seed = self.model.closest(c.track_id, favourites) if basis == MODEL else None
        if seed is None:
            shared = [f for f in favourites if set(artists_of.get(f, ())) & set(c.artist_ids)]
            seed = shared[0] if shared else None
        artist = artists_of.get(seed, ())[:1] if seed is not None else ()
        if artist and artist[0] in names:
            return f"Because you {verb} {names[artist[0]]}"
        return f"Popular in {viewer.country}" if viewer.country else "Popular right now"

    def _popular_candidates(self, favourites: list[int], viewer: Viewer) -> list[tuple[int, float]]:
        """Popular songs of the listener's country, then of their artists and genres."""
        since = self.clock.now() - timedelta(days=POPULAR_DAYS)
        with self.uow() as uow:
            taste = uow.listener_taste
            ranked = taste.popular(viewer.country, since, POPULAR_CANDIDATES)
            ranked += taste.popular(None, since, POPULAR_CANDIDATES)
        mine = self._visible(favourites[:5], viewer)
        genres = Counter(g.casefold() for t, r in mine.values() for g in (*t.genres, *r.genres))
        for genre, _ in genres.most_common(3):
            ranked += self._genre_tracks(genre, viewer)
        ranked = list(dict.fromkeys(ranked))
        return [(t, 1.0 / (1 + i)) for i, t in enumerate(ranked)]

    # -- similar tracks, Fans also like, top tracks --------------------------------------
    def similar_tracks(self, track_id: int, viewer: Viewer, count: int = SIMILAR) -> Tracks:
        track, release = self.catalog.track(track_id, viewer)  # NotFound when not seen
        if self.ready():
            found = self.model.similar([track_id], count * 3)
            shown = self._visible([t for t, _ in found], viewer)
            if shown:
                return Tracks(MODEL, list(shown.values())[:count])
        return Tracks(POPULAR, self._content_neighbours(track, release, viewer, count))

    def _content_neighbours(
        self, track: TrackView, release: ReleaseView, viewer: Viewer, count: int
    ) -> list[Picked]:
        """Songs by the same artists, then popular songs of the same genres."""
        with self.uow() as uow:
            ids: list[int] = []
            for artist in track.artists[:2]:
                ids += uow.listener_taste.top_tracks(artist.id, viewer.country, count)
        for genre in list(dict.fromkeys(g.casefold() for g in (*track.genres, *release.genres)))[
            :2
        ]:
            ids += self._genre_tracks(genre, viewer)
        shown = self._visible([t for t in dict.fromkeys(ids) if t != track.id], viewer)
        return list(shown.values())[:count]

    def related_artists(
        self, artist_id: int, viewer: Viewer, count: int = RELATED_ARTISTS
    ) -> Related:
        """Fans also like: artists whose songs sit nearest this artist's (model), or who share
        its genres, most streamed first (popular)."""
        artist = self.catalog.artist(artist_id, viewer)  # NotFound when not seen
        with self.uow() as uow:
            own = uow.listener_taste.artist_tracks(artist_id, 200)
        basis, ranked = POPULAR, []
        if self.ready() and own:
            ranked = [t for t, _ in self.model.similar(own, NEIGHBOURS_FOR_ARTISTS)]
            basis = MODEL if ranked else POPULAR
        if basis == POPULAR:
            genres = Counter(g.casefold() for r in artist.all_releases for g in r.genres)
            for genre, _ in genres.most_common(3):
                ranked += self._genre_tracks(genre, viewer)
        shown = self._visible(list(dict.fromkeys(ranked)), viewer)
        order: dict[int, str] = {}
        for t, _ in shown.values():
            for a in t.artists:
                if a.id != artist_id:
                    order.setdefault(a.id, a.name)
        return Related(basis, list(order.items())[:count])

    def top_tracks(self, artist_id: int, viewer: Viewer, count: int = TOP_TRACKS) -> Tracks:
        """The artist's 10 most streamed songs among the viewer's country's listeners (then
        everyone's): popularity from counted streams."""
        self.catalog.artist(artist_id, viewer)  # NotFound when not seen
        with self.uow() as uow:
            ranked = uow.listener_taste.top_tracks(artist_id, viewer.country, 500)
        return Tracks(POPULAR, list(self._visible(ranked, viewer).values())[:count])

    # -- shared --------------------------------------------------------------------------
    def _genre_tracks(self, genre: str, viewer: Viewer) -> list[int]:
        words = genre.replace('"', " ").strip()
        if not words:
            return []
        found = self.search.search(f'genre:"{words}"', viewer, [Kind.TRACK], GENRE_CANDIDATES)
        return [h.track.id for h in found.groups[Kind.TRACK].hits if h.track is not None]

    def _visible(self, track_ids: list[int], viewer: Viewer) -> dict[int, Picked]:
        """Those of these tracks the viewer may see, in the order given."""
        if not track_ids:
            return {}
        with self.uow() as uow:
            tracks = {t.id: t for t in uow.catalog.tracks(track_ids)}
            releases = {
                r.id: r for r in uow.catalog.releases(list({t.release_id for t in tracks.values()}))
            }
        shown: dict[int, Picked] = {}
        for track_id in track_ids:
            track = tracks.get(track_id)
            release = releases.get(track.release_id) if track is not None else None
            if (
                track is not None
                and release is not None
                and release.visible_to(viewer)
                and (viewer.allow_explicit or not track.explicit)
            ):
                shown[track_id] = (track, release)
        return shown


def _every(
    ranked: list[tuple[int, float]], extra: list[int], every: int
) -> list[tuple[int, float]]:
    """`ranked` with one of `extra` (in order, none already there) as every `every`-th, and
    scores by the new positions (best first), so the extra ones take their turns."""
    taken = {t for t, _ in ranked}
    others = [t for t in extra if t not in taken]
    mixed: list[int] = []
    main = [t for t, _ in ranked]
    while main or others:
        turn = others if len(mixed) % every == every - 1 else main
        source = turn or main or others
        mixed.append(source.pop(0))
    return [(t, 1.0 / (1 + i)) for i, t in enumerate(mixed)]
