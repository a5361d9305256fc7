"""When a play counts: 30 seconds of listening, measured by position and capped by the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadenza.domain.listening import EventKind, ListeningEvent, event_problem, summarise

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def ev(
    kind: EventKind, at_s: float, position_ms: int, seek_to: int | None = None
) -> ListeningEvent:
    return ListeningEvent(
        client_id=f"{kind}-{at_s}",
        play_id="p1",
        kind=kind,
        track_id=7,
        device="phone",
        position_ms=position_ms,
        at=T0 + timedelta(seconds=at_s),
        seek_to_ms=seek_to,
    )


def test_thirty_seconds_of_listening_count() -> None:
    play = summarise(
        [
            ev(EventKind.START, 0, 0),
            ev(EventKind.PROGRESS, 15, 15_000),
            ev(EventKind.PROGRESS, 30, 30_000),
        ]
    )
    assert play.listened_ms == 30_000 and play.counted


def test_twenty_nine_seconds_do_not() -> None:
    play = summarise([ev(EventKind.START, 0, 0), ev(EventKind.SKIP, 29, 29_000)])
    assert play.listened_ms == 29_000 and not play.counted and play.skipped


def test_seeking_forward_adds_no_time() -> None:
    play = summarise(
        [
            ev(EventKind.START, 0, 0),
            ev(EventKind.SEEK, 5, 5_000, seek_to=200_000),
            ev(EventKind.END, 15, 210_000),
        ]
    )
    assert play.listened_ms == 15_000 and not play.counted and play.finished


def test_a_position_running_faster_than_the_clock_is_capped() -> None:
    play = summarise([ev(EventKind.START, 0, 0), ev(EventKind.PROGRESS, 1, 60_000)])
    assert play.listened_ms == 2_000


def test_a_pause_does_not_count_and_arrival_order_does_not_matter() -> None:
    events = [
        ev(EventKind.END, 125, 35_000),
        ev(EventKind.RESUME, 100, 10_000),
        ev(EventKind.START, 0, 0),
        ev(EventKind.PAUSE, 10, 10_000),
    ]
    play = summarise(events)
    assert play.listened_ms == 35_000 and play.counted


def test_events_too_old_or_from_the_future_are_refused() -> None:
    now = T0 + timedelta(days=31)
    assert event_problem(ev(EventKind.START, 0, 0), now) == "event_too_old"
    assert event_problem(ev(EventKind.START, 0, 0), T0 + timedelta(days=29)) is None
    assert event_problem(ev(EventKind.START, 3600, 0), T0) == "event_in_the_future"
    assert event_problem(ev(EventKind.SEEK, 0, 0), T0) == "seek_without_target"
