"""How the player moves through a context, the queue, shuffle and repeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cadenza.domain.entitlements import Context
from cadenza.domain.player import (
    PlayerState,
    Repeat,
    advance,
    back,
    enqueue,
    set_shuffle,
    start,
    up_next,
)

NOW = datetime(2026, 11, 1, tzinfo=UTC)
TRACKS = [11, 12, 13, 14, 15]


def begin(offset: int | None = None, shuffle: bool = False) -> PlayerState:
    return start(
        PlayerState(),
        Context.RELEASE,
        1,
        TRACKS,
        offset=offset,
        shuffle=shuffle,
        seed=7,
        device="phone",
        now=NOW,
    )


def test_a_release_plays_in_order_from_the_chosen_track_and_stops_at_its_end() -> None:
    state = begin(offset=3)
    assert state.current == 14 and state.playing
    state = advance(state, NOW, track_ended=True)
    assert state.current == 15
    state = advance(state, NOW, track_ended=True)
    assert state.current is None and not state.playing


def test_the_queue_plays_before_the_context_goes_on() -> None:
    state = enqueue(enqueue(begin(offset=0), 99), 98)
    assert up_next(state, 4) == [99, 98, 12, 13]
    state = advance(state, NOW, track_ended=True)
    assert (state.current, state.from_queue) == (99, True)
    state = advance(advance(state, NOW, track_ended=True), NOW, track_ended=True)
    assert state.current == 12


def test_repeat_track_and_repeat_context() -> None:
    state = begin(offset=4)
    from dataclasses import replace

    looped = advance(replace(state, repeat=Repeat.CONTEXT), NOW, track_ended=True)
    assert looped.current == 11
    again = advance(replace(state, repeat=Repeat.TRACK), NOW, track_ended=True)
    assert again.current == 15
    skipped = advance(replace(state, repeat=Repeat.TRACK), NOW, track_ended=False)
    assert skipped.current == 11  # a skip leaves a repeated track, and goes round the release


def test_previous_restarts_a_track_a_few_seconds_in() -> None:
    state = begin(offset=2)
    assert back(state, NOW + timedelta(seconds=10)).current == 13
    assert back(state, NOW + timedelta(seconds=1)).current == 12


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**31))
def test_a_shuffled_context_plays_every_track_once_then_stops(seed: int) -> None:
    state = start(
        PlayerState(),
        Context.PLAYLIST,
        2,
        TRACKS,
        offset=None,
        shuffle=True,
        seed=seed,
        device=None,
        now=NOW,
    )
    heard = []
    while state.current is not None:
        heard.append(state.current)
        state = advance(state, NOW, track_ended=True)
    assert sorted(heard) == sorted(TRACKS)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**31), st.lists(st.sampled_from(["next", "on", "off"]), max_size=30))
def test_turning_shuffle_on_or_off_never_changes_the_track(seed: int, moves: list[str]) -> None:
    state = begin(offset=1)
    for move in moves:
        if move == "next":
            state = advance(state, NOW, track_ended=True)
        else:
            before = state.current
            state = set_shuffle(state, move == "on", seed)
            assert state.current == before
            assert sorted(state.order) == list(range(len(TRACKS)))


@given(st.integers(min_value=2, max_value=8), st.integers(min_value=0, max_value=2**31 - 1))
def test_a_shuffle_never_comes_out_in_the_albums_own_order(count: int, seed: int) -> None:
    from cadenza.domain.player import shuffled

    order = shuffled(count, seed)
    assert sorted(order) == list(range(count))
    assert list(order) != list(range(count))
    led = shuffled(count, seed, first=0)
    assert led[0] == 0 and sorted(led) == list(range(count))
    if count > 2:  # with the first track fixed, the rest still moves
        assert list(led) != list(range(count))
