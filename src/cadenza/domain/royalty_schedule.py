"""When the background clock closes a month: on a set day of the next month (the 5th by
default), once, after the month has ended and its late online plays have had days to arrive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cadenza.domain.royalties import add_months, month_bounds


@dataclass(frozen=True)
class ScheduledClose:
    month: str  # the month that closes
    at: datetime  # from when (the clock closes it on its first tick after this)


def month_of(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def close_time(month: str, close_day: int) -> datetime:
    """The instant `month` is due to close: 00:00 UTC on `close_day` of the month after."""
    start = month_bounds(month)[1]
    return datetime(start.year, start.month, close_day, tzinfo=UTC)


def due_month(now: datetime, close_day: int) -> str | None:
    """The month the clock closes now, if any: the previous month, from its close day on."""
    if close_day <= 0:
        return None
    previous = add_months(month_of(now), -1)
    return previous if now >= close_time(previous, close_day) else None


def next_close(now: datetime, close_day: int, closed: set[str]) -> ScheduledClose | None:
    """The next close the clock makes: the previous month's (overdue when its day is past and
    the clock has not run yet), or this month's, next month. None when the clock is off."""
    if close_day <= 0:
        return None
    previous = add_months(month_of(now), -1)
    month = previous if previous not in closed else month_of(now)
    return ScheduledClose(month, close_time(month, close_day))
