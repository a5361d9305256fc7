"""Only You and Your year for a listener, from their counted plays and, for what makes their
taste rare, counts over every listener's (how many share a pair of artists, never who).

Your year's shareable cards are PNG images painted by a `CardPainter` made on first use, so the
image library is loaded by the first request for a card, never when the server starts."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from threading import Lock
from typing import TypeVar

from cadenza.domain import taste
from cadenza.domain.catalog import ArtistRef, ReleaseView, TrackView, Viewer
from cadenza.domain.entitlements import Listener
from cadenza.domain.errors import InvalidRequest, NotFound
from cadenza.domain.taste import DayPart, Guest, Heard, RarePair, ThemedMix, YearSummary
from cadenza.domain.time_zones import zone_of
from cadenza.ports.cards import Card, CardPainter
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

Picked = tuple[TrackView, ReleaseView]
FIRST_YEAR = 2000
CARD_KINDS = ("artists", "tracks", "minutes")
CARD_SIZES = {"square": (1080, 1080), "wide": (1200, 630)}
CACHED_CARDS = 512
LOOKUP_CHUNK = 5_000  # ids per catalog query
T = TypeVar("T", TrackView, ReleaseView)


@dataclass(frozen=True)
class Pairing:
    pair: RarePair
    artists: tuple[ArtistRef, ArtistRef]


@dataclass(frozen=True)
class PartOfDay:
    part: DayPart
    artists: list[ArtistRef]


@dataclass(frozen=True)
class DinnerGuest:
    guest: Guest
    artist: ArtistRef
    reason: str


@dataclass(frozen=True)
class MixSummary:
    mix: ThemedMix
    name: str


@dataclass(frozen=True)
class OnlyYou:
    since: datetime
    plays: int
    rare_pairs: list[Pairing]
    parts_of_day: list[PartOfDay]
    dream_dinner: list[DinnerGuest]
    mixes: list[MixSummary]


@dataclass(frozen=True)
class Year:
    summary: YearSummary
    top_artists: list[tuple[ArtistRef, int]]
    top_tracks: list[tuple[Picked, int]]


class TasteService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        listener: Callable[[int], Listener],
        painter: Callable[[], CardPainter],
    ) -> None:
        self.uow, self.clock, self.listener = uow, clock, listener
        self._painter = painter
        self._cards: OrderedDict[tuple[int, int, str, str], tuple[str, bytes]] = OrderedDict()
        self._cards_lock = Lock()

    def zone(self, account_id: int) -> tzinfo:
        """The listener's time zone, as saved on the account (UTC until one is)."""
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        return zone_of(account.time_zone if account else None)

    # -- Only You ------------------------------------------------------------------------
    def only_you(self, account_id: int) -> OnlyYou:
        """What makes the listener's last year of listening theirs (`not_enough_listening`
        until they have MIN_PLAYS counted plays of MIN_ARTISTS artists)."""
        now = self.clock.now()
        heard, tracks = self._heard(account_id, now - taste.PERIOD, now)
        if not taste.enough(heard):
            raise NotFound(
                f"Only You needs at least {taste.MIN_PLAYS} counted plays of "
                f"{taste.MIN_ARTISTS} different artists in the last year; "
                f"you have {len(heard)} so far",
                code="not_enough_listening",
            )
        plays = taste.artist_plays(heard)
        compared = sorted({a for pair in taste.pairs_to_compare(plays) for a in pair})
        with self.uow() as uow:
            listeners = uow.taste.listeners()
            pairs = uow.taste.listeners_of_pairs(compared)
            by_artist = uow.taste.listeners_of_artists(taste.most_played(plays, taste.RARE_GUESTS))
        names = _artists(tracks)
        rare = taste.rare_pairs(plays, pairs, listeners)
        parts = taste.by_part_of_day(heard)
        guests = taste.dream_dinner(
            heard, now.astimezone(self.zone(account_id)), by_artist, listeners
        )
        return OnlyYou(
            since=now - taste.PERIOD,
            plays=len(heard),
            rare_pairs=[Pairing(p, (names[p.artist_ids[0]], names[p.artist_ids[1]])) for p in rare],
            parts_of_day=[PartOfDay(p, [names[a] for a in p.artist_ids]) for p in parts],
            dream_dinner=[
                DinnerGuest(g, names[g.artist_id], taste.reason(g, names[g.artist_id].name))
                for g in guests
            ],
            mixes=[
                MixSummary(m, taste.mix_name(m.theme))
                for m in taste.themed_mixes(parts, heard, rare)
            ],
        )

    def mix(self, account_id: int, number: int) -> tuple[str, list[Picked]]:
        """Themed mix `number` of Only You: its name and the tracks the listener may play."""
        made = self.only_you(account_id)
        found = next((m for m in made.mixes if m.mix.number == number), None)
        if found is None:
            raise NotFound(f"no Only You mix {number}", code="mix_not_found")
        who = self.listener(account_id)
        viewer = Viewer(
            country=who.country, now=self.clock.now(), allow_explicit=who.allow_explicit
        )
        playable = self._playable(list(found.mix.track_ids), viewer)
        return found.name, [playable[t] for t in found.mix.track_ids if t in playable]

    def mix_context(self, account_id: int, viewer: Viewer, number: int) -> list[int | None]:
        """The player's `taste_mix` context: the mix's tracks this viewer may play."""
        _, picked = self.mix(account_id, number)
        return [t.id for t, release in picked if release.visible_to(viewer)]

    # -- Your year -----------------------------------------------------------------------
    def year(self, account_id: int, year: int) -> Year:
        """One calendar year (in the listener's time zone) summed: empty for a year without
        plays, refused (`year_not_started`) for one still to come."""
        zone = self.zone(account_id)
        if year > self.clock.now().astimezone(zone).year:
            raise InvalidRequest(f"{year} has not started yet", code="year_not_started")
        if year < FIRST_YEAR:
            raise InvalidRequest(f"years from {FIRST_YEAR} on", code="year_not_available")
        start = datetime(year, 1, 1, tzinfo=zone)
        end = datetime(year + 1, 1, 1, tzinfo=zone)
        heard, tracks = self._heard(account_id, start, end)
        with self.uow() as uow:
            known = uow.taste.artists_played_before(account_id, start) if heard else set()
            releases = _by_id(uow.catalog.releases(sorted({t.release_id for t in tracks.values()})))
        summary = taste.year_summary(year, heard, known)
        names = _artists(tracks)
        return Year(
            summary=summary,
            top_artists=[(names[a], n) for a, n in summary.top_artists],
            top_tracks=[
                ((tracks[t], releases[tracks[t].release_id]), n)
                for t, n in summary.top_tracks
                if tracks[t].release_id in releases
            ],
        )

    def card(self, account_id: int, year: int, kind: str, size: str) -> bytes:
        """A PNG to share: top artists, top tracks or minutes listened; kept per account,
        year, kind and size until the numbers on it change."""
        if kind not in CARD_KINDS:
            raise InvalidRequest(f"kind is one of {', '.join(CARD_KINDS)}", code="invalid_card")
        if size not in CARD_SIZES:
            raise InvalidRequest(f"size is one of {', '.join(CARD_SIZES)}", code="invalid_card")
        card = _card(self.year(account_id, year), kind)
        fingerprint = hashlib.sha256(repr(card).encode()).hexdigest()
        key = (account_id, year, kind, size)
        with self._cards_lock:
            cached = self._cards.get(key)
            if cached is not None and cached[0] == fingerprint:
                self._cards.move_to_end(key)
                return cached[1]
        width, height = CARD_SIZES[size]
        png = self._painter().paint(card, width, height)
        with self._cards_lock:
            self._cards[key] = (fingerprint, png)
            self._cards.move_to_end(key)
            while len(self._cards) > CACHED_CARDS:
                self._cards.popitem(last=False)
        return png

    # -- reading -------------------------------------------------------------------------
    def _heard(
        self, account_id: int, start: datetime, end: datetime
    ) -> tuple[list[Heard], dict[int, TrackView]]:
        """The counted plays in [start, end), as taste sees them, with their tracks."""
        zone = self.zone(account_id)
        with self.uow() as uow:
            plays = uow.taste.counted_plays(account_id, start, end, taste.MAX_PLAYS)
            ids = sorted({t for t, _, _ in plays})
            tracks = _by_id(_chunked(uow.catalog.tracks, ids))
            release_ids = sorted({t.release_id for t in tracks.values()})
            releases = _by_id(uow.catalog.releases(release_ids))
        heard = []
        for track_id, at, ms in plays:
            track = tracks.get(track_id)
            if track is None:
                continue
            release = releases.get(track.release_id)
            genres = (*track.genres, *(release.genres if release else ()))
            heard.append(
                Heard(
                    track_id=track_id,
                    artist_ids=tuple(a.id for a in track.artists),
                    genres=tuple(dict.fromkeys(g.casefold() for g in genres)),
                    at=at.astimezone(zone),
                    listened_ms=ms,
                )
            )
        return heard, tracks

    def _playable(self, track_ids: list[int], viewer: Viewer) -> dict[int, Picked]:
        with self.uow() as uow:
            tracks = uow.catalog.tracks(track_ids)
            releases = _by_id(uow.catalog.releases(sorted({t.release_id for t in tracks})))
        return {
            t.id: (t, releases[t.release_id])
            for t in tracks
            if t.release_id in releases
            and releases[t.release_id].visible_to(viewer)
            and (viewer.allow_explicit or not t.explicit)
        }


def _card(year: Year, kind: str) -> Card:
    summary = year.summary
    title = f"My {summary.year} on Cadenza"
    if kind == "artists":
        lines = tuple(f"{n}. {a.name}" for n, (a, _) in enumerate(year.top_artists, start=1))
        return Card(title, "Top artists", lines or ("No plays yet",))
    if kind == "tracks":
        lines = tuple(
            f"{n}. {t.title} · {', '.join(a.name for a in t.artists)}"
            for n, ((t, _), _) in enumerate(year.top_tracks, start=1)
        )
        return Card(title, "Top songs", lines or ("No plays yet",))
    genres = ", ".join(g for g, _ in summary.top_genres[:3])
    lines = (
        f"{summary.plays:,} songs played",
        f"{summary.new_artists:,} artists discovered",
        *((f"Mostly {genres}",) if genres else ()),
    )
    return Card(title, f"{summary.minutes:,} minutes listened", lines)


def _artists(tracks: dict[int, TrackView]) -> dict[int, ArtistRef]:
    return {a.id: a for t in tracks.values() for a in t.artists}


def _by_id(items: Sequence[T]) -> dict[int, T]:
    return {item.id: item for item in items}


def _chunked(read: Callable[[list[int]], list[TrackView]], ids: list[int]) -> list[TrackView]:
    found: list[TrackView] = []
    for start in range(0, len(ids), LOOKUP_CHUNK):
        found += read(ids[start : start + LOOKUP_CHUNK])
    return found
