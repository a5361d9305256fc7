"""The Blend's balance of several tastes, the match score, counted taste, and friend activity:
pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cadenza.domain.blends import TasteSignals, counted_taste, match_score
from cadenza.domain.social import LastPlay, activity
from cadenza.recs.blend import balance

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_each_member_gets_turns_and_what_both_love_comes_first() -> None:
    ada = {1: 9.0, 50: 8.5, 2: 8.0, 3: 7.0}
    bo = {10: 900.0, 50: 850.0, 11: 800.0, 12: 700.0}  # bigger numbers weigh no more
    picked = balance([ada, bo], 8)
    assert picked[0] == (50, 0)  # near both tops: first, on the first turn
    items = [i for i, _ in picked]
    assert items[1:] == [10, 1, 11, 2, 12, 3]  # then turns, each their own favourite
    assert [m for _, m in picked][:4] == [0, 1, 0, 1]


def test_a_member_with_few_songs_still_gets_their_share_and_nothing_repeats() -> None:
    heavy = {i: float(1000 - i) for i in range(1, 200)}
    light = {500: 1.0, 501: 0.5}
    picked = balance([heavy, light, {}], 10)
    counts = [sum(1 for _, m in picked if m == n) for n in range(3)]
    assert counts == [8, 2, 0]  # the light listener's two, the rest from the heavy one
    assert len({i for i, _ in picked}) == len(picked) == 10


@given(
    st.lists(
        st.dictionaries(st.integers(0, 60), st.floats(0, 100), min_size=1, max_size=30),
        min_size=2,
        max_size=6,
    ),
    st.integers(0, 60),
)
def test_balance_draws_from_every_member_fairly_and_never_twice(
    members: list[dict[int, float]], k: int
) -> None:
    picked = balance(members, k)
    items = [i for i, _ in picked]
    assert len(items) == len(set(items))
    assert len(picked) == min(k, len(set().union(*members)))
    for item, member in picked:
        assert item in members[member]  # credited to a member who scored it
    counts = [sum(1 for _, m in picked if m == n) for n in range(len(members))]
    # Whoever got fewer than another ran out of their own items.
    for n, count in enumerate(counts):
        if count < max(counts) - 1:
            assert set(members[n]) <= set(items)
    if k >= len(members):  # every member is drawn from, unless others took all of theirs
        assert all(c > 0 or set(members[n]) <= set(items) for n, c in enumerate(counts))


def test_the_match_score_says_how_alike_two_tastes_are() -> None:
    artists = {1: (100,), 2: (100,), 3: (200,), 4: (300,)}
    genres = {1: ("house",), 2: ("house",), 3: ("house",), 4: ("metal",)}
    ada = TasteSignals(plays={1: 5, 3: 2}, artists_of=artists, genres_of=genres)
    twin = TasteSignals(plays={2: 5, 3: 2}, artists_of=artists, genres_of=genres)
    other = TasteSignals(plays={4: 9}, artists_of=artists, genres_of=genres)
    assert match_score([ada, twin]) > 90
    assert match_score([ada, other]) == 0
    assert 0 < match_score([ada, twin, other]) < match_score([ada, twin])


def test_counted_taste_puts_played_and_liked_songs_first_then_their_artists() -> None:
    signals = TasteSignals(
        plays={1: 10},
        liked=frozenset({2}),
        artists_of={1: (100,), 2: (200,), 3: (100,), 4: (300,)},
        genres_of={},
        streams={3: 5, 4: 1_000},
    )
    scores = counted_taste(signals)
    assert scores[1] > scores[2] > scores[3] > scores[4]  # popularity only breaks ties


def test_friend_activity_says_playing_now_until_the_song_ends() -> None:
    now_playing = LastPlay(2, "bo", 7, NOW - timedelta(seconds=60), 180_000, False)
    stopped = LastPlay(3, "cy", 8, NOW - timedelta(seconds=30), 180_000, True)
    earlier = LastPlay(4, "di", 9, NOW - timedelta(hours=3), 180_000, False)
    stale = LastPlay(5, "ed", 9, NOW - timedelta(days=30), 180_000, False)
    shown = activity([earlier, stopped, stale, now_playing], NOW)
    assert [(a.display_name, a.playing_now) for a in shown] == [
        ("bo", True),
        ("cy", False),
        ("di", False),
    ]
