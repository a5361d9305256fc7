"""Rules of the recommendation surfaces, apart from how candidates are found (the model or
popularity): what a week is, how Discover Weekly picks, how a Radio station orders its tracks
and fades an artist the listener skips."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

DISCOVER_WEEKLY_LENGTH = 30
PER_ARTIST = 2  # Discover Weekly: at most this many tracks of one artist
KNOWN_EVERY = 3  # every third Discover Weekly track by an artist the listener knows
STATION_LENGTH = 50
NO_REPEAT_WITHIN = 50  # Radio plays no track again within this many
SKIP_FADE = 0.35  # each early skip of an artist in the session multiplies its weight by this
FADED_OUT_AFTER = 2  # skips of an artist after which the session's station drops it
SAVED_BOOST = 2.0
CLOSENESS = 5.0  # a station's draw: weight e^(5 (score / best score - 1))  # a track saved during the session: its artists' weight times this


@dataclass(frozen=True)
class Candidate:
    track_id: int
    artist_ids: tuple[int, ...]
    score: float
    reason: str = ""


def discover_weekly(
    candidates: Sequence[Candidate],
    known_artists: set[int],
    heard: set[int],
    length: int = DISCOVER_WEEKLY_LENGTH,
) -> list[Candidate]:
    """Up to `length` tracks, best first within each kind: none heard or saved before, at most
    PER_ARTIST per artist, new songs by artists the listener knows (every KNOWN_EVERY-th)
    between songs of artists new to them, and no artist twice in a row where avoidable."""
    per_artist: Counter[int] = Counter()
    known: list[Candidate] = []
    new: list[Candidate] = []
    seen: set[int] = set()
    for c in sorted(candidates, key=lambda c: (-c.score, c.track_id)):
        if c.track_id in heard or c.track_id in seen or not c.artist_ids:
            continue
        if any(per_artist[a] >= PER_ARTIST for a in c.artist_ids):
            continue
        seen.add(c.track_id)
        per_artist.update(c.artist_ids)
        (known if known_artists & set(c.artist_ids) else new).append(c)
    picked: list[Candidate] = []
    while (known or new) and len(picked) < length:
        turn = known if len(picked) % KNOWN_EVERY == KNOWN_EVERY - 1 else new
        picked.append((turn or known or new).pop(0))
    return _apart(picked)


def session_weights(
    skipped: Iterable[tuple[int, ...]], saved: Iterable[tuple[int, ...]]
) -> dict[int, float]:
    """Artist -> weight for the rest of a Radio session: each early skip fades the artist,
    a save brings it forward; an artist skipped FADED_OUT_AFTER times weighs 0."""
    skips: Counter[int] = Counter(a for artists in skipped for a in artists)
    weights = {a: (0.0 if n >= FADED_OUT_AFTER else SKIP_FADE**n) for a, n in skips.items()}
    for artists in saved:
        for a in artists:
            weights[a] = weights.get(a, 1.0) * SAVED_BOOST if skips[a] < FADED_OUT_AFTER else 0
    return weights


def station(
    candidates: Sequence[Candidate],
    recent: Sequence[int],
    last_artists: tuple[int, ...],
    weights: Mapping[int, float],
    rng: random.Random,
    length: int = STATION_LENGTH,
    first: Candidate | None = None,
) -> list[int]:
    """A Radio station: `first` (the seed track, which the listener chose) when given, then
    candidates drawn by score times
    the session's artist weights (a new draw each time); none of the listener's last
    NO_REPEAT_WITHIN plays (`recent`, newest first), no track twice, and never the same
    artist twice in a row (nor the artist of the track just played: `last_artists`); the
    station ends early rather than break that."""
    avoid = set(recent[:NO_REPEAT_WITHIN])
    pool: list[tuple[float, Candidate]] = []
    seen: set[int] = set(avoid)
    if first is not None:
        seen.add(first.track_id)
    top = max((c.score for c in candidates), default=1.0)
    for c in candidates:
        if c.track_id in seen:
            continue
        seen.add(c.track_id)
        # The nearest are far likelier, yet every station differs.
        weight = math.exp(CLOSENESS * (c.score / top - 1.0)) if top > 0 else 1.0
        for a in c.artist_ids:
            weight *= weights.get(a, 1.0)
        if weight > 0:
            pool.append((rng.random() ** (1.0 / weight), c))
    pool.sort(key=lambda p: -p[0])
    order = [c for _, c in pool]
    picked: list[int] = []
    previous = set(last_artists)
    if first is not None:  # the song the listener started the station from: always first
        picked.append(first.track_id)
        previous = set(first.artist_ids)
    while order and len(picked) < length:
        index = next((i for i, c in enumerate(order) if not previous & set(c.artist_ids)), None)
        if index is None:
            break
        chosen = order.pop(index)
        picked.append(chosen.track_id)
        previous = set(chosen.artist_ids)
    return picked


def _apart(picked: list[Candidate]) -> list[Candidate]:
    """Nearly the same order, but no artist twice in a row where another can go between."""
    left, out = list(picked), list[Candidate]()
    while left:
        last = set(out[-1].artist_ids) if out else set()
        index = next((i for i, c in enumerate(left) if not last & set(c.artist_ids)), 0)
        out.append(left.pop(index))
    return out
