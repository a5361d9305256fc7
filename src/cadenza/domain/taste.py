"""Only You and Your year: what a listener's counted plays say about their taste.

Only You looks back a year: the artist pairs they play that few other listeners here share (a
count, never who), what they play at each part of the day (in their own time zone), three
artists for a dream dinner, and themed mixes made of it. Your year sums one calendar year: top
artists, tracks and genres, minutes listened, and the artists heard for the first time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import TypeVar

PERIOD = timedelta(days=365)  # Only You looks back this far
RECENT = timedelta(
    days=30
)  # "rising": a larger share of the last 30 days than of the months before
MIN_PLAYS = 20  # counted plays in the period before Only You has anything to say
MIN_ARTISTS = 3
PAIR_ARTISTS = 12  # the listener's most played artists whose pairs are compared (66 pairs)
RARE_GUESTS = 100  # the listener's most played artists a rare dinner guest is chosen from
RARE_SHARE = 0.2  # a pair is rare when at most this share of the other listeners play it
RARE_PAIRS = 5
TOP = 5  # top artists and tracks of a year
TOP_GENRES = 5
PART_TOP = 3  # genres and artists named per part of the day
MIX_LENGTH = 50
MIN_MIX_TRACKS = 3  # a themed mix needs this many different songs
MAX_PLAYS = 50_000  # counted plays read for one answer (about 135 a day for a year)

# Parts of the day, by the hour they start, in the listener's time zone.
PARTS = (("morning", 5), ("afternoon", 12), ("evening", 17), ("night", 22))
PART_NAMES = tuple(name for name, _ in PARTS)
K = TypeVar("K", int, str)


@dataclass(frozen=True)
class Heard:
    """One counted play as taste sees it: the song, its artists and genres (folded), when it
    started in the listener's time zone, and how long they listened."""

    track_id: int
    artist_ids: tuple[int, ...]
    genres: tuple[str, ...]
    at: datetime
    listened_ms: int


@dataclass(frozen=True)
class RarePair:
    artist_ids: tuple[int, int]
    shared_by: int  # other listeners who play both, never who
    your_plays: int  # the listener's counted plays of the less played one


@dataclass(frozen=True)
class DayPart:
    name: str  # morning, afternoon, evening, night
    plays: int
    minutes: int
    genres: tuple[str, ...]
    artist_ids: tuple[int, ...]
    track_ids: tuple[int, ...]  # most played there first


@dataclass(frozen=True)
class Guest:
    artist_id: int
    role: str  # favourite, rising, rare, regular
    plays: int
    figure: int  # favourite: plays; rising: plays in the last 30 days; rare: other listeners


@dataclass(frozen=True)
class ThemedMix:
    number: int
    theme: str  # morning, afternoon, evening, night, rare-pairings
    track_ids: tuple[int, ...]


@dataclass(frozen=True)
class YearSummary:
    year: int
    plays: int
    minutes: int
    top_artists: tuple[tuple[int, int], ...]  # (artist id, counted plays)
    top_tracks: tuple[tuple[int, int], ...]  # (track id, counted plays)
    top_genres: tuple[tuple[str, int], ...]
    new_artists: int  # artists first played this year


def part_of_day(at: datetime) -> str:
    """Morning 05-12, afternoon 12-17, evening 17-22, night 22-05 (hours of `at` as given)."""
    name = PARTS[-1][0]
    for part, starts in PARTS:
        if at.hour >= starts:
            name = part
    return name


def enough(heard: Sequence[Heard]) -> bool:
    return len(heard) >= MIN_PLAYS and len(artist_plays(heard)) >= MIN_ARTISTS


def artist_plays(heard: Iterable[Heard]) -> Counter[int]:
    """Counted plays per artist (a song by two artists counts for both)."""
    counts: Counter[int] = Counter()
    for play in heard:
        counts.update(set(play.artist_ids))
    return counts


def most_played(plays: Counter[int], count: int) -> list[int]:
    return [a for a, _ in _ranked(plays)[:count]]


def pairs_to_compare(plays: Counter[int], count: int = PAIR_ARTISTS) -> list[tuple[int, int]]:
    """Every pair of the listener's `count` most played artists, lower id first."""
    top = sorted(a for a, _ in _ranked(plays)[:count])
    return list(combinations(top, 2))


def rare_pairs(
    plays: Counter[int], listeners_of_pair: Mapping[tuple[int, int], int], listeners: int
) -> list[RarePair]:
    """The pairs few others play: `listeners_of_pair` counts every listener with counted plays
    of both (the listener too), `listeners` everyone with a counted play. Rarest first, then
    the pairs the listener plays most. A pair most of the others also play is not rare."""
    others = max(listeners - 1, 1)
    found = []
    for pair, sharing in listeners_of_pair.items():
        shared_by = max(sharing - 1, 0)
        if shared_by / others <= RARE_SHARE:
            found.append(RarePair(pair, shared_by, min(plays[pair[0]], plays[pair[1]])))
    for pair in pairs_to_compare(plays):  # pairs nobody else plays may be missing from the count
        if pair not in listeners_of_pair:
            found.append(RarePair(pair, 0, min(plays[pair[0]], plays[pair[1]])))
    found.sort(key=lambda p: (p.shared_by, -p.your_plays, p.artist_ids))
    return found[:RARE_PAIRS]


def by_part_of_day(heard: Iterable[Heard]) -> list[DayPart]:
    """What the listener plays in each part of the day (parts with no plays included)."""
    grouped: dict[str, list[Heard]] = {name: [] for name in PART_NAMES}
    for play in heard:
        grouped[part_of_day(play.at)].append(play)
    parts = []
    for name in PART_NAMES:
        plays = grouped[name]
        genres: Counter[str] = Counter()
        for play in plays:
            genres.update(set(play.genres))
        tracks = Counter(p.track_id for p in plays)
        parts.append(
            DayPart(
                name=name,
                plays=len(plays),
                minutes=sum(p.listened_ms for p in plays) // 60_000,
                genres=tuple(g for g, _ in _ranked(genres)[:PART_TOP]),
                artist_ids=tuple(a for a, _ in _ranked(artist_plays(plays))[:PART_TOP]),
                track_ids=tuple(t for t, _ in _ranked(tracks)[:MIX_LENGTH]),
            )
        )
    return parts


def dream_dinner(
    heard: Sequence[Heard], now: datetime, listeners_of_artist: Mapping[int, int], listeners: int
) -> list[Guest]:
    """Three artists to invite: the most played; the one rising fastest (the largest gain in
    their share of the listener's plays in the last 30 days over the months before); and the
    one fewest other listeners play, if few enough to be rare (of those `listeners_of_artist`
    counts: the listener's most played). Where one of those cannot be
    found, the next most played comes instead."""
    plays = artist_plays(heard)
    ranked = [a for a, _ in _ranked(plays)]
    if not ranked:
        return []
    guests = [Guest(ranked[0], "favourite", plays[ranked[0]], plays[ranked[0]])]
    invited = {ranked[0]}
    recent_plays = [p for p in heard if p.at >= now - RECENT]
    earlier_plays = [p for p in heard if p.at < now - RECENT]
    recent, earlier = artist_plays(recent_plays), artist_plays(earlier_plays)

    def gain(artist: int) -> float:
        before = earlier[artist] / len(earlier_plays) if earlier_plays else 0.0
        return recent[artist] / len(recent_plays) - before

    rising = sorted(
        (a for a in recent if a not in invited and recent[a] >= 2 and gain(a) > 0),
        key=lambda a: (-gain(a), -recent[a], a),
    )
    if rising:
        guests.append(Guest(rising[0], "rising", plays[rising[0]], recent[rising[0]]))
        invited.add(rising[0])
    others = max(listeners - 1, 1)
    rare = sorted(
        (
            a
            for a in ranked
            if a not in invited
            and a in listeners_of_artist
            and plays[a] >= 2
            and max(listeners_of_artist[a] - 1, 0) / others <= RARE_SHARE
        ),
        key=lambda a: (listeners_of_artist[a], -plays[a], a),
    )
    if rare:
        shared_by = max(listeners_of_artist[rare[0]] - 1, 0)
        guests.append(Guest(rare[0], "rare", plays[rare[0]], shared_by))
        invited.add(rare[0])
    for artist in ranked:
        if len(guests) >= 3:
            break
        if artist not in invited:
            guests.append(Guest(artist, "regular", plays[artist], plays[artist]))
            invited.add(artist)
    return guests


def reason(guest: Guest, name: str) -> str:
    """The one line that says why this guest is at the table."""
    if guest.role == "favourite":
        return f"{name} is your most played artist: {_plays(guest.figure)}."
    if guest.role == "rising":
        return f"{name} is rising fast: {_plays(guest.figure)} in the last 30 days."
    if guest.role == "rare":
        few = "no other listener" if guest.figure == 0 else _listeners(guest.figure)
        return f"Hardly anyone else plays {name}: {few} here."
    return f"{name} is a steady favourite: {_plays(guest.figure)}."


def themed_mixes(
    parts: Sequence[DayPart], heard: Sequence[Heard], pairs: Sequence[RarePair]
) -> list[ThemedMix]:
    """A mix for each part of the day with enough different songs, then one of the rare
    pairings: the songs of each pair's two artists, most played first, taking turns."""
    themes: list[tuple[str, tuple[int, ...]]] = [
        (p.name, p.track_ids) for p in parts if len(p.track_ids) >= MIN_MIX_TRACKS
    ]
    tracks = Counter(p.track_id for p in heard)
    by_artist: dict[int, list[int]] = {}
    for track_id, _ in _ranked(tracks):
        artists = next(p.artist_ids for p in heard if p.track_id == track_id)
        for artist in artists:
            by_artist.setdefault(artist, []).append(track_id)
    queues = [list(by_artist.get(a, [])) for pair in pairs for a in pair.artist_ids]
    paired: list[int] = []
    while any(queues) and len(paired) < MIX_LENGTH:
        for queue in queues:
            while queue and queue[0] in paired:
                queue.pop(0)
            if queue and len(paired) < MIX_LENGTH:
                paired.append(queue.pop(0))
    if len(paired) >= MIN_MIX_TRACKS:
        themes.append(("rare-pairings", tuple(paired)))
    return [ThemedMix(n, theme, ids) for n, (theme, ids) in enumerate(themes, start=1)]


def mix_name(theme: str) -> str:
    return "Your rare pairings" if theme == "rare-pairings" else f"Your {theme} mix"


def year_summary(year: int, heard: Sequence[Heard], known_before: set[int]) -> YearSummary:
    """One year's counted plays summed; `known_before` are the artists played before it."""
    genres: Counter[str] = Counter()
    for play in heard:
        genres.update(set(play.genres))
    artists = artist_plays(heard)
    return YearSummary(
        year=year,
        plays=len(heard),
        minutes=sum(p.listened_ms for p in heard) // 60_000,
        top_artists=tuple(_ranked(artists)[:TOP]),
        top_tracks=tuple(_ranked(Counter(p.track_id for p in heard))[:TOP]),
        top_genres=tuple(_ranked(genres)[:TOP_GENRES]),
        new_artists=len(set(artists) - known_before),
    )


def _ranked(counts: Counter[K]) -> list[tuple[K, int]]:
    """Most first; a tie goes to the lower id (or the name first in the alphabet)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _plays(n: int) -> str:
    return f"{n} play" if n == 1 else f"{n} plays"


def _listeners(n: int) -> str:
    return f"{n} other listener" if n == 1 else f"{n} other listeners"
