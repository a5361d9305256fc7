"""Charts: the Top 50 (most streamed) and the Viral 50 (fastest risers), everywhere and per
country, made once a day from counted streams.

A week of streams ranks the Top 50 (a small server's single day is too few to rank by); the
Viral 50 ranks songs by how much their streams grew from the week before to this one, each
song needing VIRAL_MIN_STREAMS this week so that a song played once is not "viral". Each
chart keeps more places than it shows (KEPT), so that a listener whose country cannot hear a
few of its songs still gets fifty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

SHOWN = 50
KEPT = 200
WEEK = timedelta(days=7)
VIRAL_MIN_STREAMS = 5  # counted streams this week before a song can be viral
VIRAL_DAMPING = 3  # added to last week's streams: 0 -> 5 is a rise, not an infinite one
EVERYWHERE = ""  # the country of the global charts


class ChartKind(StrEnum):
    TOP = "top"
    VIRAL = "viral"


class Movement(StrEnum):
    """Where a song went since yesterday's chart."""

    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"


@dataclass(frozen=True)
class TrackCounts:
    """One song's counted streams this week and the week before, by listeners of a country."""

    track_id: int
    country: str  # the listeners' country; EVERYWHERE never comes from the database
    this_week: int
    last_week: int


@dataclass(frozen=True)
class Placed:
    """A song's place on a chart as built: its rank, its streams this week, and its rank on
    the last chart built on an earlier day (None: it was not on it)."""

    track_id: int
    rank: int
    streams: int
    previous_rank: int | None

    @property
    def movement(self) -> Movement:
        return movement(self.rank, self.previous_rank)


def movement(rank: int, previous_rank: int | None) -> Movement:
    if previous_rank is None:
        return Movement.NEW
    if rank < previous_rank:
        return Movement.UP
    if rank > previous_rank:
        return Movement.DOWN
    return Movement.SAME


def growth(this_week: int, last_week: int) -> float:
    """How fast a song rose: this week's streams over last week's (damped)."""
    return (this_week + VIRAL_DAMPING) / (last_week + VIRAL_DAMPING)


def by_country(counts: Iterable[TrackCounts]) -> dict[str, dict[int, tuple[int, int]]]:
    """Country -> track -> (this week, last week), with EVERYWHERE the sum of every country."""
    out: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for c in counts:
        for country in {c.country, EVERYWHERE}:
            this, last = out[country].get(c.track_id, (0, 0))
            out[country][c.track_id] = (this + c.this_week, last + c.last_week)
    return dict(out)


def top(
    counts: Mapping[int, tuple[int, int]], previous: Mapping[int, int], kept: int = KEPT
) -> list[Placed]:
    """The most streamed songs this week (ties: the one streamed more last week, then the
    older id, so the order is the same each time)."""
    played = [(t, n) for t, n in counts.items() if n[0] > 0]
    played.sort(key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return _placed([(t, n[0]) for t, n in played[:kept]], previous)


def viral(
    counts: Mapping[int, tuple[int, int]], previous: Mapping[int, int], kept: int = KEPT
) -> list[Placed]:
    """The songs whose streams grew most from last week to this one, each with at least
    VIRAL_MIN_STREAMS this week (ties: more streams this week first)."""
    rising = [
        (t, this, last)
        for t, (this, last) in counts.items()
        if this >= VIRAL_MIN_STREAMS and this > last
    ]
    rising.sort(key=lambda r: (-growth(r[1], r[2]), -r[1], r[0]))
    return _placed([(t, this) for t, this, _ in rising[:kept]], previous)


def _placed(ranked: list[tuple[int, int]], previous: Mapping[int, int]) -> list[Placed]:
    return [
        Placed(track_id=t, rank=n, streams=streams, previous_rank=previous.get(t))
        for n, (t, streams) in enumerate(ranked, 1)
    ]


def chart_name(kind: ChartKind, country: str) -> str:
    """ "Top 50: Global", "Viral 50: FR"."""
    title = "Top 50" if kind is ChartKind.TOP else "Viral 50"
    return f"{title}: {country or 'Global'}"
