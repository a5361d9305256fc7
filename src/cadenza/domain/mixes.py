"""Made for the listener: Radio stations, Daily Mixes and the Duo / Family Mix.

These choose from what the listener played and what the catalog holds, by artist, genre and
popularity (streams). Recommendations trained on everyone's listening will rank the candidates
better; the shapes (a station from a seed, up to six Daily Mixes by taste, a mix of a plan's
members) stay.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MIX_LENGTH = 50
DAILY_MIXES = 6  # as Spotify: up to six, one per strand of the listener's taste
MIN_PLAYS_FOR_A_MIX = 3  # counted plays in a genre before it gets a Daily Mix
FAMILIAR_SHARE = 0.6  # of a Daily Mix: songs the listener played; the rest are new to them
SEED_ARTIST_EVERY = 3  # a station plays the seed's artists about every third track
ARTIST_GAP = 2  # the same artist not again within this many tracks, where that can be avoided


@dataclass(frozen=True)
class Song:
    """A track as mixes see it: who made it, its genres (folded) and how often it is played."""

    track_id: int
    artist_ids: tuple[int, ...]
    genres: tuple[str, ...]
    streams: int

    @property
    def genre(self) -> str | None:
        """Its main genre: the first one given."""
        return self.genres[0] if self.genres else None


@dataclass(frozen=True)
class DailyMix:
    number: int  # 1 to 6, the listener's strongest taste first
    genre: str
    track_ids: tuple[int, ...]
    artist_ids: tuple[int, ...]  # the artists it is built around, most played first


def station(
    seed: Song | None,
    seed_artists: set[int],
    candidates: Iterable[Song],
    heard_recently: set[int],
    rng: random.Random,
    length: int = MIX_LENGTH,
) -> list[int]:
    """A Radio station: the seed track first, then the seed's artists about every third track
    and the rest from the seed's genres, popular ones more likely, each station a new draw.
    What the listener heard lately comes only when nothing else is left."""
    own: list[Song] = []
    others: list[Song] = []
    seen = {seed.track_id} if seed else set()
    for song in candidates:
        if song.track_id in seen:
            continue
        seen.add(song.track_id)
        (own if seed_artists & set(song.artist_ids) else others).append(song)
    own, others = _draw(own, heard_recently, rng), _draw(others, heard_recently, rng)
    picked: list[Song] = []
    while (own or others) and len(picked) < length - (1 if seed else 0):
        turn = own if (len(picked) % SEED_ARTIST_EVERY == SEED_ARTIST_EVERY - 1) else others
        source = turn or own or others
        picked.append(source.pop(0))
    ordered = spread(picked)
    return ([seed.track_id] if seed else []) + ordered


def daily_mixes(
    history: Mapping[int, int],
    songs: Mapping[int, Song],
    new_in_genre: Mapping[str, list[Song]],
    rng: random.Random,
    count: int = DAILY_MIXES,
    length: int = MIX_LENGTH,
) -> list[DailyMix]:
    """Up to six mixes, one per genre the listener plays most (at least three counted plays):
    their own favourites of that genre, most played first, mixed with popular songs of the
    genre they have not played. `history` is track id -> the listener's counted plays."""
    mixes = []
    genres = tastes(history, songs, count)
    for number, genre in enumerate(genres, start=1):
        favourites = sorted(
            (songs[t] for t in history if t in songs and songs[t].genre == genre),
            key=lambda s: (-history[s.track_id], -s.streams, s.track_id),
        )
        familiar = favourites[: round(length * FAMILIAR_SHARE)]
        unheard = [s for s in new_in_genre.get(genre, []) if s.track_id not in history]
        fresh = _draw(unheard, set(), rng)[: length - len(familiar)]
        familiar = favourites[: length - len(fresh)]  # too few new songs: more favourites
        artists: Counter[int] = Counter()
        for song in favourites:
            if song.artist_ids:
                artists[song.artist_ids[0]] += history[song.track_id]
        mixed = interleave(familiar, fresh)
        mixes.append(
            DailyMix(
                number=number,
                genre=genre,
                track_ids=tuple(spread(mixed)),
                artist_ids=tuple(a for a, _ in artists.most_common(3)),
            )
        )
    return mixes


def tastes(
    history: Mapping[int, int], songs: Mapping[int, Song], count: int = DAILY_MIXES
) -> list[str]:
    """The genres a listener plays most, with at least MIN_PLAYS_FOR_A_MIX counted plays each:
    one Daily Mix each, strongest first (a tie goes to the genre played first in `history`)."""
    by_genre: Counter[str] = Counter()
    for track_id, plays in history.items():
        song = songs.get(track_id)
        if song is not None and song.genre is not None:
            by_genre[song.genre] += plays
    return [g for g, plays in by_genre.most_common() if plays >= MIN_PLAYS_FOR_A_MIX][:count]


def group_mix(
    members: Sequence[Mapping[int, int]],
    songs: Mapping[int, Song],
    rng: random.Random,
    length: int = MIX_LENGTH,
) -> list[int]:
    """The Duo or Family Mix: the songs several members play first, then each member's
    favourites in turn, so nobody's taste takes over. Each of `members` is track id -> plays."""
    shared = Counter(t for history in members for t in history if t in songs)
    common = [t for t, n in shared.most_common() if n > 1]
    rng.shuffle(common)
    favourites = [
        [t for t, _ in sorted(h.items(), key=lambda p: (-p[1], p[0])) if t in songs]
        for h in members
    ]
    picked: list[int] = list(dict.fromkeys(common))[:length]
    taken = set(picked)
    while len(picked) < length and any(favourites):
        for queue in favourites:
            while queue and queue[0] in taken:
                queue.pop(0)
            if queue and len(picked) < length:
                taken.add(queue[0])
                picked.append(queue.pop(0))
    return spread([songs[t] for t in picked])


def spread(songs: list[Song]) -> list[int]:
    """The same songs in nearly the same order, but no artist twice within ARTIST_GAP tracks
    where another song can go between."""
    left = list(songs)
    ordered: list[Song] = []
    while left:
        recent = {a for s in ordered[-ARTIST_GAP:] for a in s.artist_ids}
        index = next((i for i, s in enumerate(left) if not recent & set(s.artist_ids)), 0)
        ordered.append(left.pop(index))
    return [s.track_id for s in ordered]


def _draw(songs: list[Song], avoid: set[int], rng: random.Random) -> list[Song]:
    """The songs in a random order weighted by popularity (a song streamed more tends to come
    first, but every station differs), with the ones to avoid at the end."""
    keys = {s.track_id: rng.random() ** (1.0 / (1 + s.streams)) for s in songs}
    return sorted(songs, key=lambda s: (s.track_id in avoid, -keys[s.track_id]))


def interleave(familiar: list[Song], fresh: list[Song]) -> list[Song]:
    """Two familiar songs, then a new one, while both last."""
    out: list[Song] = []
    f, n = list(familiar), list(fresh)
    while f or n:
        for _ in range(2):
            if f:
                out.append(f.pop(0))
        if n:
            out.append(n.pop(0))
    return out
