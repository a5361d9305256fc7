"""The artists' statistics, as rules: the ranges a dashboard shows, listeners' age ranges and
gender, where a stream started, the privacy threshold, and the estimated earnings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from cadenza.domain.errors import InvalidRequest

# A range: how many days back from today (None: since the first stream), and whether the
# series comes per month rather than per day.
RANGES: dict[str, tuple[int | None, bool]] = {
    "7d": (7, False),
    "28d": (28, False),
    "12m": (365, True),
    "all": (None, True),
}
AGE_RANGES = ("under_18", "18-22", "23-27", "28-34", "35-44", "45-59", "60+")
GENDERS = ("female", "male", "non_binary", "other")
SOURCES = (
    "artist",
    "release",
    "own_playlist",
    "editorial",
    "algorithmic",
    "search",
    "library",
    "other",
)
FACETS = ("country", "city", "source", "age", "gender")
NOT_GIVEN = ""  # a city or gender the listener did not give
CITY_MAX = 100
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def first_day(range_name: str, today: date) -> tuple[date | None, bool]:
    """The range's first day (None: all time) and whether its series goes per month."""
    if range_name not in RANGES:
        known = ", ".join(RANGES)
        raise InvalidRequest(f"range is one of {known}", code="unknown_range")
    days, monthly = RANGES[range_name]
    return (None if days is None else today - timedelta(days=days - 1)), monthly


def age_range(birth_date: date, on: date) -> str:
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for bucket, upto in (
        ("under_18", 17),
        ("18-22", 22),
        ("23-27", 27),
        ("28-34", 34),
        ("35-44", 44),
        ("45-59", 59),
    ):
        if years <= upto:
            return bucket
    return "60+"


def source_of(source: str | None) -> str:
    """Where a play started; older plays (and unknown values) are `other`."""
    return source if source in SOURCES else "other"


def clean_city(city: str | None) -> str | None:
    """A city as the listener typed it, spaces tidied; None clears it. Refused: too long, or
    control characters."""
    if city is None:
        return None
    tidy = _SPACES.sub(" ", city).strip()
    if not tidy:
        return None
    if len(tidy) > CITY_MAX or _CONTROL.search(city):
        raise InvalidRequest(
            f"a city is at most {CITY_MAX} characters, without control characters",
            code="bad_city",
        )
    return tidy


def clean_gender(gender: str | None) -> str | None:
    if gender is None or gender == "":
        return None
    if gender not in GENDERS:
        raise InvalidRequest(f"gender is one of {', '.join(GENDERS)}, or null", code="bad_gender")
    return gender


def estimated_cents(streams: int, per_stream_cents: Decimal) -> int:
    """An estimate only (the royalties close pays the real amounts), to the cent."""
    return int((per_stream_cents * streams).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class DayFigures:
    day: date  # the day, or the month's first day in a monthly series
    streams: int
    listeners: int  # distinct that day (a month: the sum of its days' listeners)
    saves: int
    playlist_adds: int
    follows: int


@dataclass(frozen=True)
class Bucket:
    value: str
    streams: int
    listeners: int


@dataclass(frozen=True)
class TopTrack:
    track_id: int
    title: str
    streams: int


@dataclass(frozen=True)
class MonthEarnings:
    month: str  # YYYY-MM
    streams: int
    estimated_cents: int


@dataclass(frozen=True)
class ArtistDashboard:
    artist_id: int
    artist_name: str
    range: str
    first_day: date | None
    last_day: date
    monthly: bool
    rolled_at: datetime | None  # the figures include every stream counted before this
    streams: int
    listeners: int  # distinct over the range
    saves: int
    playlist_adds: int
    follows: int
    series: list[DayFigures]
    top_tracks: list[TopTrack]
    countries: list[Bucket]
    cities: list[Bucket]
    ages: list[Bucket]
    genders: list[Bucket]
    sources: list[Bucket]
    earnings: list[MonthEarnings]
    per_stream_cents: Decimal
    min_listeners: int  # buckets of fewer listeners are not shown


def shown(buckets: list[Bucket], min_listeners: int) -> list[Bucket]:
    """Audience buckets large enough not to single anybody out, largest first."""
    kept = [b for b in buckets if b.listeners >= min_listeners and b.value != NOT_GIVEN]
    return sorted(kept, key=lambda b: (-b.listeners, -b.streams, b.value))


def by_month(days: list[DayFigures]) -> list[DayFigures]:
    months: dict[date, list[int]] = {}
    for d in days:
        sums = months.setdefault(d.day.replace(day=1), [0, 0, 0, 0, 0])
        for i, n in enumerate((d.streams, d.listeners, d.saves, d.playlist_adds, d.follows)):
            sums[i] += n
    return [DayFigures(month, *sums) for month, sums in sorted(months.items())]


def filled(days: list[DayFigures], first: date, last: date) -> list[DayFigures]:
    """Every day from first to last, zeros where nothing happened (a line chart's points)."""
    known = {d.day: d for d in days}
    out = []
    day = first
    while day <= last:
        out.append(known.get(day, DayFigures(day, 0, 0, 0, 0, 0)))
        day += timedelta(days=1)
    return out
