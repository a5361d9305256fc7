"""The artists' statistics' rules: age ranges on the day, ranges, cities and genders given,
the privacy threshold, estimated earnings to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cadenza.domain.artist_stats import (
    Bucket,
    age_range,
    clean_city,
    clean_gender,
    estimated_cents,
    first_day,
    shown,
    source_of,
)
from cadenza.domain.errors import InvalidRequest


def test_age_ranges_count_the_birthday() -> None:
    born = date(2000, 6, 15)
    assert age_range(born, date(2018, 6, 14)) == "under_18"
    assert age_range(born, date(2018, 6, 15)) == "18-22"
    assert age_range(born, date(2023, 6, 15)) == "23-27"
    assert age_range(born, date(2035, 6, 15)) == "35-44"
    assert age_range(born, date(2060, 6, 15)) == "60+"


def test_ranges_end_today() -> None:
    today = date(2026, 12, 7)
    assert first_day("7d", today) == (date(2026, 12, 1), False)
    assert first_day("28d", today) == (date(2026, 11, 10), False)
    assert first_day("all", today) == (None, True)
    with pytest.raises(InvalidRequest):
        first_day("3y", today)


def test_cities_and_genders_as_given() -> None:
    assert clean_city("  Saint   Étienne ") == "Saint Étienne"
    assert clean_city("   ") is None and clean_city(None) is None
    for bad in ("x" * 101, "Lyon\x00"):
        with pytest.raises(InvalidRequest):
            clean_city(bad)
    assert clean_gender("non_binary") == "non_binary" and clean_gender(None) is None
    with pytest.raises(InvalidRequest):
        clean_gender("robot")
    assert source_of(None) == "other" and source_of("editorial") == "editorial"
    assert source_of("elsewhere") == "other"


def test_small_buckets_are_hidden_and_estimates_round_to_the_cent() -> None:
    buckets = [Bucket("FR", 50, 6), Bucket("DE", 9, 4), Bucket("", 3, 9)]
    assert [b.value for b in shown(buckets, 5)] == ["FR"]
    assert estimated_cents(1_000_001, Decimal("0.4")) == 400_000
    assert estimated_cents(3, Decimal("0.5")) == 2
