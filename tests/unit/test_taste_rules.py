"""The rules of Only You and Your year: where each part of the day begins, when a pair of
artists is rare, who comes to dinner, which mixes are made, and what a year counts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadenza.domain import taste
from cadenza.domain.taste import Heard

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def heard(track: int, artists: tuple[int, ...], at: datetime, genre: str = "pop") -> Heard:
    return Heard(track, artists, (genre,), at, 60_000)


@pytest.mark.parametrize(
    ("hour", "minute", "part"),
    [
        (0, 0, "night"),
        (4, 59, "night"),
        (5, 0, "morning"),
        (11, 59, "morning"),
        (12, 0, "afternoon"),
        (16, 59, "afternoon"),
        (17, 0, "evening"),
        (21, 59, "evening"),
        (22, 0, "night"),
    ],
)
def test_each_part_of_the_day_begins_at_its_hour(hour: int, minute: int, part: str) -> None:
    assert taste.part_of_day(NOW.replace(hour=hour, minute=minute)) == part


def test_only_you_needs_twenty_plays_of_three_artists() -> None:
    two_artists = [heard(n, (n % 2,), NOW) for n in range(40)]
    assert not taste.enough(two_artists)
    nineteen = [heard(n, (n % 3,), NOW) for n in range(19)]
    assert not taste.enough(nineteen)
    assert taste.enough([*nineteen, heard(19, (5,), NOW)])


def test_a_pair_a_fifth_of_the_others_play_is_rare_and_more_is_not() -> None:
    plays = Counter({1: 10, 2: 8, 3: 4})
    # 11 listeners: 10 others. (1,2): her and 2 others; (1,3): her and 3 others.
    shared = {(1, 2): 3, (1, 3): 4}
    found = taste.rare_pairs(plays, shared, listeners=11)
    assert [(p.artist_ids, p.shared_by) for p in found] == [((2, 3), 0), ((1, 2), 2)]
    assert found[1].your_plays == 8  # the less played of the two


@given(st.integers(1, 50), st.integers(1, 50))
def test_a_pair_never_counts_the_listener_among_those_who_share_it(sharing: int, more: int) -> None:
    plays = Counter({1: 3, 2: 3})
    found = taste.rare_pairs(plays, {(1, 2): sharing}, listeners=sharing + more)
    assert all(p.shared_by == sharing - 1 for p in found)
    rare = (sharing - 1) / (sharing + more - 1) <= taste.RARE_SHARE
    assert bool(found) == rare


def test_steady_listening_has_no_rising_artist_and_a_common_one_is_not_rare() -> None:
    plays = []
    for day in range(60):  # the same two plays of artist 1, one of 2 and 3, every day
        at = NOW - timedelta(days=day, hours=1)
        plays += [heard(1, (1,), at), heard(2, (1,), at), heard(3, (2,), at), heard(4, (3,), at)]
    everyone = {1: 10, 2: 10, 3: 10}
    guests = taste.dream_dinner(plays, NOW, everyone, listeners=10)
    assert [(g.artist_id, g.role) for g in guests] == [
        (1, "favourite"),
        (2, "regular"),
        (3, "regular"),
    ]
    few = taste.dream_dinner(plays, NOW, {1: 10, 2: 10, 3: 2}, listeners=10)
    assert (3, "rare") in [(g.artist_id, g.role) for g in few]
    assert (
        taste.reason(few[1], "Obscura")
        == "Hardly anyone else plays Obscura: 1 other listener here."
    )


def test_a_part_of_the_day_needs_three_different_songs_for_a_mix() -> None:
    morning = NOW.replace(hour=8)
    evening = NOW.replace(hour=19)
    plays = [heard(t, (1,), morning) for t in (1, 2, 3, 1)] + [heard(9, (2,), evening)] * 5
    parts = taste.by_part_of_day(plays)
    mixes = taste.themed_mixes(parts, plays, [])
    assert [(m.theme, m.track_ids) for m in mixes] == [("morning", (1, 2, 3))]
    assert taste.mix_name("morning") == "Your morning mix"


def test_a_year_counts_a_song_for_each_of_its_artists_and_only_new_artists_as_new() -> None:
    plays = [
        heard(1, (1, 2), NOW, "soul"),
        heard(1, (1, 2), NOW, "soul"),
        heard(2, (3,), NOW, "metal"),
    ]
    summary = taste.year_summary(2026, plays, known_before={1})
    assert summary.minutes == 3 and summary.plays == 3
    assert summary.top_artists == ((1, 2), (2, 2), (3, 1))
    assert summary.top_tracks == ((1, 2), (2, 1))
    assert summary.top_genres == (("soul", 2), ("metal", 1))
    assert summary.new_artists == 2
    assert taste.year_summary(2025, [], set()).top_artists == ()
