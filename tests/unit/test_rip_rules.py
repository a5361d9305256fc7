"""Rip detection's rule, with the real defaults: a ripper's ten hours in thirty minutes trips
it; listening, seeking and skipping through a playlist never do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadenza.domain.ripping import FetchLedger, RipRules

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KBPS = 320
TRACK_S = 240.0
SIZE = int(TRACK_S * KBPS * 1000 / 8)  # a four-minute track at 320 kbit/s


def bytes_for(seconds: float) -> int:
    return int(seconds * KBPS * 1000 / 8)


def test_ten_hours_fetched_in_thirty_minutes_outruns_real_time() -> None:
    ledger = FetchLedger(RipRules())
    tracks = int(10 * 3600 / TRACK_S)  # 150 tracks
    for n in range(tracks):
        at = T0 + timedelta(seconds=n * 1800 / tracks)
        ledger.record((n, "very_high"), SIZE, SIZE, TRACK_S, at)
    verdict = ledger.verdict(T0 + timedelta(minutes=29, seconds=59))
    assert verdict.outruns_real_time
    assert verdict.audio_seconds > 8 * 3600  # the free openings aside, it is all counted
    assert verdict.tracks == tracks


def test_a_ripper_is_caught_within_minutes_not_at_the_end() -> None:
    ledger = FetchLedger(RipRules())
    caught_at = None
    for n in range(150):
        at = T0 + timedelta(seconds=n * 12)  # 20x real time
        ledger.record((n, "very_high"), SIZE, SIZE, TRACK_S, at)
        if ledger.verdict(at).outruns_real_time:
            caught_at = at
            break
    assert caught_at is not None and caught_at - T0 < timedelta(minutes=5)


def test_listening_all_day_with_a_prefetched_track_never_outruns() -> None:
    ledger = FetchLedger(RipRules())
    for n in range(int(8 * 3600 / TRACK_S)):
        start = T0 + timedelta(seconds=n * TRACK_S)
        # the whole track at once (a browser buffers it) and the next one prefetched early
        ledger.record((n, "very_high"), SIZE, SIZE, TRACK_S, start)
        ledger.record((n + 1, "very_high"), SIZE, SIZE, TRACK_S, start + timedelta(seconds=5))
        assert not ledger.verdict(start + timedelta(seconds=5)).outruns_real_time


def test_seeking_back_and_forth_counts_a_track_once() -> None:
    ledger = FetchLedger(RipRules())
    for n in range(10):
        at = T0 + timedelta(minutes=4 * n)
        for jump in range(200):  # 200 seeks per track, each fetching the rest of the file
            ledger.record((n, "lossless"), SIZE - bytes_for(jump % 200), SIZE, TRACK_S, at)
    verdict = ledger.verdict(T0 + timedelta(minutes=40))
    assert not verdict.outruns_real_time
    assert verdict.audio_seconds <= 8 * TRACK_S


def test_skipping_quickly_through_a_long_playlist_never_outruns() -> None:
    ledger = FetchLedger(RipRules())
    for n in range(1000):  # a skip every two seconds for over half an hour
        at = T0 + timedelta(seconds=2 * n)
        ledger.record((n, "very_high"), bytes_for(15), SIZE, TRACK_S, at)  # the first 15 s
        assert not ledger.verdict(at).outruns_real_time


def test_fetches_leave_the_window_and_a_throttled_account_waits_for_them() -> None:
    rules = RipRules()
    ledger = FetchLedger(rules)
    for n in range(100):
        ledger.record((n, "high"), SIZE, SIZE, TRACK_S, T0)
    now = T0 + timedelta(minutes=1)
    throttled = ledger.verdict(now, throttled=True)
    assert throttled.outruns_real_time
    assert 0 < throttled.retry_after_s <= rules.window.total_seconds()
    later = now + timedelta(seconds=throttled.retry_after_s)
    assert not ledger.verdict(later, throttled=True).outruns_real_time


def test_downloads_are_counted_apart() -> None:
    ledger = FetchLedger(RipRules())
    for _ in range(500):  # 500 tracks made available offline
        ledger.record_download(SIZE, SIZE, TRACK_S)
    assert not ledger.verdict(T0).outruns_real_time
    assert ledger.downloaded_s == 500 * TRACK_S


def test_a_track_fetched_again_after_the_window_starts_from_nothing() -> None:
    ledger = FetchLedger(RipRules())
    ledger.record((1, "high"), SIZE, SIZE, TRACK_S, T0)
    later = T0 + timedelta(hours=1)
    ledger.record((1, "high"), bytes_for(10), SIZE, TRACK_S, later)  # only the opening
    assert ledger.verdict(later).audio_seconds == 0.0
