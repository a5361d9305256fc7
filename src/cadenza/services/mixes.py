"""Radio, Daily Mixes and the Duo / Family Mix for a listener, from their counted plays, the
catalog they may see, and search's genre filter for songs of a genre by popularity.

Each answers through the entitlements: Radio is for Premium, Daily Mixes for every plan, and the
plan mix for Duo and Family members."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cadenza.domain import mixes
from cadenza.domain import recs as domain_recs
from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.entitlements import Entitlements, Listener, Refusal, require
from cadenza.domain.errors import NotFound
from cadenza.domain.mixes import DailyMix, Song
from cadenza.domain.recs import Candidate
from cadenza.domain.search import Kind
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.catalog import CatalogService
from cadenza.services.recommendations import Recommendations
from cadenza.services.search import SearchService

HISTORY = 2000  # counted plays a mix looks back over
GENRE_CANDIDATES = 50  # popular songs of a genre fetched per genre
SEED_GENRES = 3
ARTIST_RELEASES = 10
SEED_ARTISTS = 3
FILL_SEEDS = 20  # tracks of a short list whose artists and genres pad it
STATION_NEIGHBOURS = 300  # nearest tracks a model station draws from
CLUSTERED = 200  # the listener's most played tracks the model's Daily Mixes group
SESSION = timedelta(hours=3)  # skips and saves this recent steer the station
PICKED_BOOST = 3.0  # a new listener's station, before a model: their picked artists' songs

Picked = tuple[TrackView, ReleaseView]


@dataclass(frozen=True)
class Station:
    name: str
    seed_kind: str  # track, artist, release, playlist, genre
    seed_id: str
    tracks: list[Picked]
    basis: str = "popular"  # model | popular


@dataclass(frozen=True)
class Mix:
    number: int
    name: str
    genre: str
    artists: list[str]
    tracks: list[Picked]
    basis: str = "popular"  # model: a cluster of the listener's taste in the model


@dataclass(frozen=True)
class PlanMix:
    name: str  # "Duo Mix", "Family Mix"
    members: list[str]  # display names
    tracks: list[Picked]
    from_members: list[tuple[int, str]]  # each track's member (id, name): whose taste it is


class Mixes:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        catalog: CatalogService,
        search: SearchService,
        entitlements: Entitlements,
        listener: Callable[[int], Listener],
        recs: Recommendations,
        playlist: Callable[[int, int, Viewer], tuple[str, list[int]]],
        blend: Callable[[list[int], int], list[tuple[int, int]]],
    ) -> None:
        self.uow, self.clock, self.catalog, self.search = uow, clock, catalog, search
        self.entitlements, self.listener, self.recs = entitlements, listener, recs
        self.playlist = playlist  # (account, playlist, viewer) -> its name and playable tracks
        self.blend = blend  # (members, length) -> (track, member): services/blends.py

    # -- Radio ---------------------------------------------------------------------------
    def radio(
        self,
        account_id: int,
        *,
        track_id: int | None = None,
        artist_id: int | None = None,
        release_id: int | None = None,
        playlist_id: int | None = None,
        genre: str | None = None,
    ) -> Station:
        """A station from one track, artist, release, playlist or genre (exactly one), a new
        draw each time: the seeds' nearest neighbours in the model (or their artists' and
        genres' popular songs before there is one), steered by what the listener skipped and
        saved in this session, none of their last 50 plays, never one artist twice in a row."""
        who = self.listener(account_id)
        require(self.entitlements.radio(who))
        viewer = self._viewer(who)
        first: Song | None = None
        candidates: list[tuple[Song, Picked]] = []
        seeds: list[int] = []
        if track_id is not None:
            track, release = self.catalog.track(track_id, viewer)
            first = _song(track, release, 0)
            candidates.append((first, (track, release)))
            name, kind, seed_id = track.title, "track", str(track_id)
            artist_ids, genres, seeds = list(first.artist_ids), list(first.genres), [track_id]
        elif artist_id is not None:
            artist = self.catalog.artist(artist_id, viewer)
            name, kind, seed_id = artist.name, "artist", str(artist_id)
            artist_ids = [artist_id]
            genres = _top_genres(g for r in artist.all_releases for g in r.genres)
            seeds = [t.id for r in artist.releases[:ARTIST_RELEASES] for t in r.tracks]
        elif release_id is not None:
            release = self.catalog.release(release_id, viewer)
            name, kind, seed_id = release.title, "release", str(release_id)
            artist_ids = [a.id for a in release.artists]
            genres = _top_genres([*release.genres, *(g for t in release.tracks for g in t.genres)])
            seeds = [t.id for t in release.tracks]
        elif playlist_id is not None:
            name, listed = self.playlist(account_id, playlist_id, viewer)
            kind, seed_id = "playlist", str(playlist_id)
            songs = [_song(t, r, 0) for t, r in self._songs(listed[:FILL_SEEDS], viewer).values()]
            artist_ids = list(dict.fromkeys(a for s in songs for a in s.artist_ids))
            genres = _top_genres(g for s in songs for g in s.genres)
            seeds = listed[:FILL_SEEDS]
        elif genre is not None:
            found = self._popular_in(genre, viewer)
            if not found:
                raise NotFound(f"no songs of the genre {genre!r}", code="genre_not_found")
            name, kind, seed_id = genre.title(), "genre", genre
            artist_ids, genres = [], [genre.casefold()]
            seeds = [s.track_id for s, _ in found[:FILL_SEEDS]]
        else:
            raise NotFound(
                "a station starts from a track, an artist, a release, a playlist or a genre"
            )
        recent, session_skips, session_saves = self._session(account_id)
        basis = "popular"
        scored: list[tuple[Candidate, Picked]] = []
        if self.recs.ready():
            near = self.recs.model.similar(seeds + session_saves, STATION_NEIGHBOURS)
            if near:  # the seeds' own songs play too, as close as the closest
                near = [(t, near[0][1]) for t in seeds] + near
            shown = self._songs([t for t, _ in near], viewer)
            scores = dict(reversed(near))  # a track's first (best) score
            scored = [
                (_candidate(_song(t, r, 0), scores[i]), (t, r)) for i, (t, r) in shown.items()
            ]
            basis = "model" if scored else basis
        if not scored:
            candidates += self._by_artists(artist_ids[:SEED_ARTISTS], viewer)
            for g in genres[:SEED_GENRES]:
                candidates += self._popular_in(g, viewer)
            liked = self._picked_alike(account_id, recent, genres[:SEED_GENRES], viewer)
            candidates += liked
            boost = {s.track_id for s, _ in liked}
            scored = [
                (_candidate(s, (1.0 + s.streams) * (PICKED_BOOST if s.track_id in boost else 1)), p)
                for s, p in candidates
            ]
        with self.uow() as uow:
            artists_of = uow.listener_taste.track_artists(
                list({*session_skips, *session_saves, *recent[:1]})
            )
        weights = domain_recs.session_weights(
            [artists_of.get(t, ()) for t in session_skips],
            [artists_of.get(t, ()) for t in session_saves],
        )
        last = artists_of.get(recent[0], ()) if recent else ()
        rng = random.Random(secrets.randbits(64))
        seed_first = _candidate(first, 1.0) if first is not None else None
        order = domain_recs.station(
            [c for c, _ in scored], recent, last, weights, rng, first=seed_first
        )
        by_id = {c.track_id: pair for c, pair in scored} | {s.track_id: p for s, p in candidates}
        return Station(f"{name} Radio", kind, seed_id, [by_id[t] for t in order], basis)

    def _session(self, account_id: int) -> tuple[list[int], list[int], list[int]]:
        """The listener's last 50 plays (newest first), the tracks they skipped early in this
        session (the last few hours) and those they saved in it."""
        now = self.clock.now()
        with self.uow() as uow:
            taste = uow.listener_taste
            plays = taste.session(
                account_id, now - timedelta(days=3650), domain_recs.NO_REPEAT_WITHIN
            )
            saved = taste.liked_since(account_id, now - SESSION)
        skipped = [p.track_id for p in plays if p.skipped_early and p.started_at >= now - SESSION]
        return [p.track_id for p in plays], skipped, saved

    def _picked_alike(
        self, account_id: int, recent: list[int], genres: list[str], viewer: Viewer
    ) -> list[tuple[Song, Picked]]:
        """A listener who has played nothing yet: the songs of the artists they picked at
        sign-up that are of the station's genres (a station stays its genre)."""
        if recent:
            return []
        with self.uow() as uow:
            picks = uow.taste_picks.picks(account_id)
        wanted = {g.casefold() for g in genres}
        return [
            (s, pair)
            for s, pair in self._by_artists(picks[:SEED_ARTISTS], viewer)
            if wanted & set(s.genres)
        ]

    # -- Free's shuffle -------------------------------------------------------------------
    def shuffle_fill(self, account_id: int, track_ids: list[int], count: int) -> list[int]:
        """Up to `count` recommended tracks to mix into a short list a listener may only
        shuffle (as Spotify pads a short playlist on Free): from the list's artists and
        genres, none of its own. No Radio entitlement: this is every plan's shuffle."""
        viewer = self._viewer(self.listener(account_id))
        own = set(track_ids)
        songs = [_song(t, r, 0) for t, r in self._songs(track_ids[:FILL_SEEDS], viewer).values()]
        artist_ids = list(dict.fromkeys(a for s in songs for a in s.artist_ids))
        candidates = self._by_artists(artist_ids[:SEED_ARTISTS], viewer)
        for genre in _top_genres(g for s in songs for g in s.genres):
            candidates += self._popular_in(genre, viewer)
        fresh = [s for s, _ in candidates if s.track_id not in own]
        heard = set(self._history(account_id, 200))
        rng = random.Random(secrets.randbits(64))
        return mixes.station(None, set(artist_ids), fresh, heard, rng, length=count)

    # -- Daily Mixes ---------------------------------------------------------------------
    def daily_mixes(self, account_id: int) -> list[Mix]:
        """Up to six mixes by the genres the listener plays most (a new listener: of the
        artists they picked at sign-up); the same all day."""
        who = self.listener(account_id)
        require(self.entitlements.daily_mix(who))
        viewer = self._viewer(who)
        history = self._history(account_id, HISTORY, before=self._today())
        count, start = mixes.DAILY_MIXES, {}
        if not history:  # a new listener: the artists they picked at sign-up, if any
            start = self.recs.picked_start(account_id, viewer)
            history = {t: int(plays) for t, plays in start.items()}
        known = self._songs(list(history), viewer)
        songs = {t.id: _song(t, r, 0) for t, r in known.values()}
        if history and self.recs.ready():
            if start:  # one mix per picked artist at most, not one per song
                count = min(count, len({s.artist_ids[0] for s in songs.values() if s.artist_ids}))
            clustered = self._model_mixes(history, songs, known, viewer, count)
            if clustered:
                return clustered
        fresh: dict[str, list[Song]] = {}
        for genre in mixes.tastes(history, songs):
            found = self._popular_in(genre, viewer)
            fresh[genre] = [s for s, _ in found]
            known.update({s.track_id: pair for s, pair in found})
        day = self.clock.now().date().toordinal()
        made = mixes.daily_mixes(history, songs, fresh, random.Random(account_id * 100_003 + day))
        return [self._mix(m, known) for m in made]

    def _model_mixes(
        self,
        history: dict[int, int],
        songs: dict[int, Song],
        known: dict[int, Picked],
        viewer: Viewer,
        count: int,
    ) -> list[Mix]:
        """One mix per cluster of the listener's taste in the model's vector space: its
        favourites (most played first) and the songs nearest them they have not played, named
        by the cluster's main genre and artists."""
        favourites = sorted(history, key=lambda t: (-history[t], t))
        groups = self.recs.model.clusters(favourites[:CLUSTERED], count)
        heard = set(history)  # the plays before today: the mixes stay the same all day
        made: list[Mix] = []
        for group in groups:
            mine = [songs[t] for t in group if t in songs]
            if sum(history[s.track_id] for s in mine) < mixes.MIN_PLAYS_FOR_A_MIX:
                continue
            near = self.recs.model.similar(group[:FILL_SEEDS], mixes.MIX_LENGTH * 2)
            found = self._songs([t for t, _ in near if t not in heard], viewer)
            known.update(found)
            fresh = [_song(*found[t], 0) for t, _ in near if t in found]  # nearest first
            length = mixes.MIX_LENGTH
            familiar = mine[: max(round(length * mixes.FAMILIAR_SHARE), length - len(fresh))]
            order = mixes.spread(mixes.interleave(familiar, fresh[: length - len(familiar)]))
            genres = Counter(s.genre for s in mine if s.genre)
            artists = Counter(a for s in mine for a in s.artist_ids[:1])
            number = len(made) + 1
            made.append(
                self._mix(
                    DailyMix(
                        number,
                        genres.most_common(1)[0][0] if genres else "",
                        tuple(order),
                        tuple(a for a, _ in artists.most_common(3)),
                    ),
                    known,
                    "model",
                )
            )
        return made

    def daily_mix(self, account_id: int, number: int) -> Mix:
        for mix in self.daily_mixes(account_id):
            if mix.number == number:
                return mix
        raise NotFound(f"no Daily Mix {number} yet", code="mix_not_found")

    # -- Duo and Family Mix --------------------------------------------------------------
    def plan_mix(self, account_id: int) -> PlanMix:
        """The songs the members of this Duo or Family plan play, blended as Blend does, each
        with the member whose taste it comes from."""
        who = self.listener(account_id)
        name = who.plan.features.group_mix
        if name is None:
            raise Refusal(
                "duo_or_family_required", "the Duo and Family plans have this mix"
            ).error()
        viewer = self._viewer(who)
        with self.uow() as uow:
            membership = uow.members.membership(account_id)
            members = uow.members.of_subscription(membership.subscription_id) if membership else []
        order = self.blend([m.user_id for m in members], mixes.MIX_LENGTH)
        known = self._songs([t for t, _ in order], viewer)
        names = {m.user_id: m.display_name for m in members}
        shown = [(t, m) for t, m in order if t in known]
        return PlanMix(
            name,
            [m.display_name for m in members],
            [known[t] for t, _ in shown],
            [(m, names[m]) for _, m in shown],
        )

    # -- reading -------------------------------------------------------------------------
    def _history(
        self, account_id: int, limit: int, before: datetime | None = None
    ) -> dict[int, int]:
        """Track id -> the listener's counted plays among the latest `limit` (before then)."""
        with self.uow() as uow:
            plays = uow.listening.recently_played(account_id, limit, 0, before)
        return dict(Counter(track_id for track_id, _, _ in plays))

    def _songs(self, track_ids: list[int], viewer: Viewer) -> dict[int, Picked]:
        """The tracks of these the viewer may see, with their releases."""
        with self.uow() as uow:
            tracks = uow.catalog.tracks(track_ids)
            releases = {r.id: r for r in uow.catalog.releases([t.release_id for t in tracks])}
        return {
            t.id: (t, releases[t.release_id])
            for t in tracks
            if t.release_id in releases
            and releases[t.release_id].visible_to(viewer)
            and (viewer.allow_explicit or not t.explicit)
        }

    def _by_artists(self, artist_ids: list[int], viewer: Viewer) -> list[tuple[Song, Picked]]:
        found: list[Picked] = []
        for artist_id in artist_ids:
            try:
                artist = self.catalog.artist(artist_id, viewer)
            except NotFound:
                continue
            for summary in artist.all_releases[:ARTIST_RELEASES]:
                release = self.catalog.release(summary.id, viewer)
                found += [(t, release) for t in release.tracks]
        return self._with_streams(found)

    def _popular_in(self, genre: str, viewer: Viewer) -> list[tuple[Song, Picked]]:
        words = genre.replace('"', " ").strip()
        results = self.search.search(f'genre:"{words}"', viewer, [Kind.TRACK], GENRE_CANDIDATES)
        found = [
            (h.track, h.release)
            for h in results.groups[Kind.TRACK].hits
            if h.track is not None and h.release is not None
        ]
        return self._with_streams(found)

    def _with_streams(self, found: list[Picked]) -> list[tuple[Song, Picked]]:
        with self.uow() as uow:
            streams = uow.listening.streams_of([t.id for t, _ in found])
        return [(_song(t, r, streams.get(t.id, 0)), (t, r)) for t, r in found]

    def _mix(self, made: DailyMix, known: dict[int, Picked], basis: str = "popular") -> Mix:
        names = {a.id: a.name for t, _ in known.values() for a in t.artists}
        return Mix(
            number=made.number,
            name=f"Daily Mix {made.number}",
            genre=made.genre,
            artists=[names[a] for a in made.artist_ids if a in names],
            tracks=[known[t] for t in made.track_ids],
            basis=basis,
        )

    def _today(self) -> datetime:
        """Midnight UTC: mixes made of the plays before it stay the same all day."""
        now = self.clock.now()
        return now.replace(hour=0, minute=0, second=0, microsecond=0)

    def _viewer(self, who: Listener) -> Viewer:
        now: datetime = self.clock.now()
        return Viewer(country=who.country, now=now, allow_explicit=who.allow_explicit)


def _song(track: TrackView, release: ReleaseView, streams: int) -> Song:
    genres = tuple(g.casefold() for g in (*track.genres, *release.genres))
    return Song(
        track_id=track.id,
        artist_ids=tuple(a.id for a in track.artists),
        genres=tuple(dict.fromkeys(genres)),
        streams=streams,
    )


def _candidate(song: Song, score: float) -> Candidate:
    return Candidate(song.track_id, song.artist_ids, score)


def _top_genres(genres: Iterable[str]) -> list[str]:
    return [g for g, _ in Counter(g.casefold() for g in genres).most_common(SEED_GENRES)]
