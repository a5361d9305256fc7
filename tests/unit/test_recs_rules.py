"""The rules of the recommendation surfaces, on any candidates: a Radio station never repeats
the listener's last 50 plays nor plays one artist twice in a row, an artist skipped twice is
gone from the session's stations; Discover Weekly holds nothing heard and 2 songs per artist at
most; the week starts on Monday in the listener's zone."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from cadenza.domain.recs import (
    Candidate,
    discover_weekly,
    session_weights,
    station,
)
from cadenza.domain.time_zones import MONDAY, week_start

candidates = st.lists(
    st.builds(
        Candidate,
        track_id=st.integers(1, 300),
        artist_ids=st.lists(st.integers(1, 12), min_size=1, max_size=2, unique=True).map(tuple),
        score=st.floats(0.01, 10),
    ),
    max_size=200,
)


@settings(max_examples=200, deadline=None)
@given(candidates, st.lists(st.integers(1, 300), max_size=80), st.integers(0, 2**32))
def test_a_station_never_repeats_within_50_plays_nor_one_artist_twice_in_a_row(
    found: list[Candidate], recent: list[int], seed: int
) -> None:
    artists: dict[int, tuple[int, ...]] = {}
    for c in found:  # a track listed twice is the first listing
        artists.setdefault(c.track_id, c.artist_ids)
    last = artists.get(recent[0], ()) if recent else ()
    order = station(found, recent, last, {}, random.Random(seed))
    assert len(order) == len(set(order)) <= 50
    assert not set(order) & set(recent[:50])
    sequence = [last, *(artists[t] for t in order)] if last else [artists[t] for t in order]
    assert all(not set(a) & set(b) for a, b in pairwise(sequence))


def test_an_artist_skipped_twice_leaves_the_session_and_once_comes_less() -> None:
    found = [Candidate(t, (1 + t % 4,), 1.0) for t in range(1, 200)]
    gone = session_weights([(2,), (2,)], [])
    for seed in range(20):
        order = station(found, [], (), gone, random.Random(seed))
        assert order and all(1 + t % 4 != 2 for t in order)
    once = session_weights([(3,)], [])
    firsts = [station(found, [], (), once, random.Random(s))[:12] for s in range(30)]
    share = sum(1 + t % 4 == 3 for order in firsts for t in order) / (12 * 30)
    assert share < 0.2  # a quarter of the candidates, far fewer of the first songs


@settings(max_examples=200, deadline=None)
@given(candidates, st.sets(st.integers(1, 300), max_size=100), st.sets(st.integers(1, 12)))
def test_discover_weekly_holds_nothing_heard_and_two_per_artist_at_most(
    found: list[Candidate], heard: set[int], known: set[int]
) -> None:
    picked = discover_weekly(found, known, heard)
    ids = [c.track_id for c in picked]
    assert len(ids) == len(set(ids)) <= 30 and not set(ids) & heard
    per_artist: dict[int, int] = {}
    for c in picked:
        for a in c.artist_ids:
            per_artist[a] = per_artist.get(a, 0) + 1
    assert all(n <= 2 for n in per_artist.values())


def test_the_week_starts_on_monday_in_the_listeners_zone() -> None:
    sunday_night_utc = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert week_start(sunday_night_utc, "UTC", MONDAY) == datetime(2026, 11, 30, tzinfo=UTC)
    # Already Monday in Tokyo: the week began at Tokyo's midnight, 15:00 UTC on Sunday.
    tokyo_monday = datetime(2026, 12, 6, 15, tzinfo=UTC)
    assert week_start(sunday_night_utc, "Asia/Tokyo", MONDAY) == tokyo_monday
