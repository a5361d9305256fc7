"""The rules that pick a station's and a mix's songs: seed first, artists spread out, favourites
and discoveries in a Daily Mix, every member heard in a Duo or Family Mix."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from cadenza.domain.mixes import ARTIST_GAP, Song, daily_mixes, group_mix, spread, station


def song(track: int, artist: int, genre: str = "electronic", streams: int = 0) -> Song:
    return Song(track, (artist,), (genre,), streams)


def test_a_station_starts_with_its_seed_and_plays_the_seed_artist_every_third_track() -> None:
    seed = song(1, artist=10)
    own = [song(t, 10) for t in range(2, 8)]
    others = [song(t, 20 + t) for t in range(100, 120)]
    played = station(seed, {10}, own + others, set(), random.Random(1), length=12)
    assert played[0] == 1 and len(played) == 12 and len(set(played)) == 12
    by_seed_artist = [t for t in played[1:] if t < 100]
    assert 3 <= len(by_seed_artist) <= 4  # about one in three, not a wall of the same artist


def test_a_station_leaves_what_was_heard_lately_for_last() -> None:
    candidates = [song(t, t) for t in range(1, 21)]
    heard = set(range(1, 11))
    played = station(None, set(), candidates, heard, random.Random(3), length=10)
    assert set(played) == set(range(11, 21))


def test_popular_songs_tend_to_come_first_but_stations_differ() -> None:
    hits = [song(t, t, streams=10_000) for t in range(1, 6)]
    rare = [song(t, t, streams=0) for t in range(6, 56)]
    firsts = [
        station(None, set(), hits + rare, set(), random.Random(n), length=5) for n in range(20)
    ]
    share = sum(t <= 5 for played in firsts for t in played) / 100
    assert share > 0.8
    assert len({tuple(p) for p in firsts}) > 1


@given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=30))
def test_spread_keeps_every_song_and_parts_an_artist_when_it_can(artists: list[int]) -> None:
    songs = [song(n, a) for n, a in enumerate(artists)]
    ordered = spread(songs)
    assert sorted(ordered) == list(range(len(songs)))
    by_track = {s.track_id: s.artist_ids[0] for s in songs}
    if len(set(artists)) > ARTIST_GAP:
        # With more artists than the gap, an artist repeats within the gap only once the others
        # have run out; so the first repeat comes no earlier than that.
        runs = [by_track[t] for t in ordered]
        distinct_left = [len(set(runs[i:])) for i in range(len(runs))]
        for i in range(1, len(runs)):
            if runs[i] == runs[i - 1]:
                assert distinct_left[i - 1] <= ARTIST_GAP


def test_daily_mixes_follow_the_genres_played_most_with_favourites_and_new_songs() -> None:
    songs = {
        1: song(1, 10, "electronic"),
        2: song(2, 11, "electronic"),
        3: song(3, 30, "pop"),
        4: song(4, 40, "jazz"),
    }
    history = {1: 5, 2: 1, 3: 3, 4: 2}
    fresh = {"electronic": [song(t, 50 + t, "electronic", 100) for t in range(100, 110)]}
    mixes = daily_mixes(history, songs, fresh, random.Random(0), length=6)
    assert [(m.number, m.genre) for m in mixes] == [(1, "electronic"), (2, "pop")]  # jazz: 2 plays
    electronic = mixes[0]
    assert electronic.track_ids[0] == 1  # the favourite leads
    assert {1, 2} <= set(electronic.track_ids) and len(electronic.track_ids) == 6
    assert len(set(electronic.track_ids) - {1, 2}) == 4  # and the rest is new to the listener
    assert electronic.artist_ids[:2] == (10, 11)
    assert mixes[1].track_ids == (3,)  # nothing new in pop: just what they played


def test_a_plan_mix_puts_shared_songs_first_and_gives_each_member_turns() -> None:
    songs = {t: song(t, t) for t in range(1, 30)}
    ada = {1: 9, 2: 8, 3: 7, 20: 1}
    bo = {10: 9, 11: 8, 12: 7, 20: 2}
    mixed = group_mix([ada, bo], songs, random.Random(0), length=5)
    assert mixed[0] == 20  # both play it
    assert set(mixed[1:]) == {1, 2, 10, 11}  # two favourites each, taking turns
