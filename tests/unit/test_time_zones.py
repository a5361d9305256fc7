"""When a listener's week begins: Monday for Discover Weekly, Friday for Release Radar, at
local midnight."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cadenza.domain.errors import InvalidRequest
from cadenza.domain.time_zones import FRIDAY, MONDAY, valid_time_zone, week_start


def test_friday_begins_at_local_midnight_so_listeners_east_of_utc_get_it_first() -> None:
    # Thursday 2026-12-10 23:30 UTC is already Friday 00:30 in Paris, still Thursday in New York.
    now = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)
    assert week_start(now, "Europe/Paris", FRIDAY) == datetime(2026, 12, 10, 23, 0, tzinfo=UTC)
    assert week_start(now, "America/New_York", FRIDAY) == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
    assert week_start(now, "UTC", FRIDAY) == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    assert week_start(now, None, FRIDAY) == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)


def test_monday_weeks_and_the_day_itself() -> None:
    monday_morning = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert week_start(monday_morning, "UTC", MONDAY) == monday_morning
    sunday_night = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)
    assert week_start(sunday_night, "UTC", MONDAY) == datetime(2026, 11, 30, tzinfo=UTC)


def test_a_week_across_a_clock_change_starts_at_that_days_midnight() -> None:
    # Paris went to summer time on Sunday 2026-03-29: the week from Friday 27th starts at 23:00
    # UTC on the 26th (UTC+1), the next one at 22:00 UTC (UTC+2).
    assert week_start(datetime(2026, 3, 30, 12, tzinfo=UTC), "Europe/Paris", FRIDAY) == datetime(
        2026, 3, 26, 23, tzinfo=UTC
    )
    assert week_start(datetime(2026, 4, 3, 12, tzinfo=UTC), "Europe/Paris", FRIDAY) == datetime(
        2026, 4, 2, 22, tzinfo=UTC
    )


def test_only_known_zones_are_saved() -> None:
    assert valid_time_zone(" Asia/Tokyo ") == "Asia/Tokyo"
    for wrong in ("", "Nowhere/Place", "/etc/localtime", "../UTC", "x" * 65):
        with pytest.raises(InvalidRequest):
            valid_time_zone(wrong)
