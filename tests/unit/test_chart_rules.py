"""The charts' rules: the Top 50 by this week's streams, the Viral 50 by growth with a floor,
and movement since yesterday; Release Radar's order."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from cadenza.domain.charts import EVERYWHERE, Movement, TrackCounts, by_country, top, viral
from cadenza.domain.release_radar import NewSong, artists_to_follow, radar


def test_everywhere_sums_every_country_and_each_country_keeps_its_own() -> None:
    counts = by_country(
        [TrackCounts(1, "FR", 3, 1), TrackCounts(1, "US", 2, 0), TrackCounts(2, "US", 1, 4)]
    )
    assert counts[EVERYWHERE] == {1: (5, 1), 2: (1, 4)}
    assert counts["FR"] == {1: (3, 1)}
    assert counts["US"] == {1: (2, 0), 2: (1, 4)}


def test_the_top_ranks_this_weeks_streams_and_says_where_each_song_was_yesterday() -> None:
    placed = top({1: (5, 0), 2: (9, 1), 3: (5, 7), 4: (0, 30)}, previous={1: 1, 3: 2})
    assert [(p.track_id, p.rank, p.streams) for p in placed] == [(2, 1, 9), (3, 2, 5), (1, 3, 5)]
    assert [p.movement for p in placed] == [Movement.NEW, Movement.SAME, Movement.DOWN]


def test_viral_needs_five_streams_this_week_and_a_rise() -> None:
    placed = viral({1: (5, 0), 2: (4, 0), 3: (40, 20), 4: (9, 10), 5: (6, 0)}, previous={5: 3})
    # 1: 8/3, 5: 9/3 (the fastest), 3: 43/23; 2 under the floor, 4 falling.
    assert [p.track_id for p in placed] == [5, 1, 3]
    assert placed[0].movement is Movement.UP


def test_the_radar_takes_each_new_releases_first_song_then_the_second() -> None:
    now = datetime(2026, 12, 4, tzinfo=UTC)
    songs = [
        NewSong(10, 1, now - timedelta(days=2), (7,)),
        NewSong(11, 1, now - timedelta(days=2), (7,)),
        NewSong(20, 2, now - timedelta(days=1), (8, 9)),
        NewSong(21, 2, now - timedelta(days=1), (8,)),
        NewSong(30, 3, now, (99,)),  # nobody the listener knows
    ]
    artists = artists_to_follow([8], Counter({7: 5, 8: 1}), picks=[99])
    assert artists == [8, 7]  # followed first; the picks only count with no plays
    assert radar(songs, artists) == [20, 10, 21, 11]
    assert radar(songs, artists, length=3) == [20, 10, 21]
    assert artists_to_follow([], Counter(), picks=[99]) == [99]
