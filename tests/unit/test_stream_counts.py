"""The rules of a trusted stream count, on their own (domain/stream_counts.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadenza.domain.stream_counts import (
    GrantWindow,
    NotCounted,
    PlayHeard,
    grant_problem,
    overlaps,
    served_ms,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def window(
    device: str = "phone", *, at: datetime = T0, served: int = 200_000, metered: bool = True
) -> GrantWindow:
    return GrantWindow(device, at, at + 5 * MINUTE, served, metered)


def heard(device: str = "phone", at: datetime = T0, ms: int = 60_000) -> PlayHeard:
    return PlayHeard(device, at, ms)


def test_a_play_counts_on_its_own_devices_grant_with_the_audio_sent() -> None:
    now = T0 + 2 * MINUTE
    assert grant_problem(heard(), [window()], now, 200_000) is None
    assert grant_problem(heard(), [], now, 200_000) is NotCounted.NO_GRANT
    assert grant_problem(heard("laptop"), [window()], now, 200_000) is NotCounted.NO_GRANT
    assert grant_problem(heard(), [window("")], now, 200_000) is None  # asked without a device
    # A grant from yesterday does not cover a play today.
    old = window(at=T0 - timedelta(days=1))
    assert grant_problem(heard(), [old], now, 200_000) is NotCounted.NO_GRANT


def test_listening_must_fit_in_the_time_since_the_first_grant() -> None:
    play = heard(ms=120_000)
    assert grant_problem(play, [window()], T0 + MINUTE, 200_000) is NotCounted.BEYOND_GRANT
    assert grant_problem(play, [window()], T0 + 2 * MINUTE, 200_000) is None


def test_audio_never_sent_does_not_count_unless_nginx_sent_it() -> None:
    now = T0 + 2 * MINUTE
    assert grant_problem(heard(), [window(served=0)], now, 200_000) is NotCounted.NOT_SERVED
    assert grant_problem(heard(), [window(served=29_000)], now, 200_000) is NotCounted.NOT_SERVED
    assert grant_problem(heard(), [window(served=0)], now, 200_000, unflushed_ms=30_000) is None
    assert grant_problem(heard(), [window(served=0, metered=False)], now, 200_000) is None
    # A replay from the cache: a fresh grant, the audio sent an hour before for that device.
    earlier = window(at=T0 - 60 * MINUTE)
    assert grant_problem(heard(), [earlier, window(served=0)], now, 200_000) is None
    # A 20-second track needs its 20 seconds: sent in 64 KiB ranges, each rounded down to the
    # ms, they add up a few ms short, which still counts; half of it does not.
    pieces = sum(
        served_ms(min(65_536, 400_000 - at), 400_000, 20_000) for at in range(0, 400_000, 65_536)
    )
    assert pieces < 20_000
    assert grant_problem(heard(), [window(served=pieces)], now, 20_000) is None
    assert grant_problem(heard(), [window(served=10_000)], now, 20_000) is NotCounted.NOT_SERVED


def test_counted_plays_never_overlap_beyond_a_crossfade() -> None:
    play = heard(at=T0, ms=180_000)
    assert overlaps(play, [(T0 + MINUTE, 60_000)])
    assert not overlaps(play, [(T0 + 170 * timedelta(seconds=1), 60_000)])  # 10 s crossfade
    assert not overlaps(play, [(T0 - 5 * MINUTE, 180_000)])
    assert not overlaps(play, [])


def test_bytes_sent_are_a_fraction_of_the_track() -> None:
    assert served_ms(500, 1000, 200_000) == 100_000
    assert served_ms(5000, 1000, 200_000) == 200_000
    assert served_ms(5, 0, 200_000) == 0
