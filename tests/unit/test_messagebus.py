"""The message bus: handlers from one table, in its order; a durable stream behind it."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest

from cadenza import bootstrap
from cadenza.domain import events
from cadenza.domain.events import AccountClosing, Event, PlayCounted, TrackFinished
from cadenza.services.messagebus import MessageBus


def finished(track: int = 7) -> TrackFinished:
    return TrackFinished(
        account_id=1,
        track_id=track,
        listened_ms=31_000,
        skipped=False,
        genres=(),
        ended_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_handlers_run_in_the_tables_order_with_the_event() -> None:
    heard: list[tuple[str, Event]] = []
    bus = MessageBus(
        {
            TrackFinished: [
                lambda e: heard.append(("player", e)),
                lambda e: heard.append(("ads", e)),
            ],
            PlayCounted: [lambda e: heard.append(("popularity", e))],
        }
    )
    bus.publish(finished())
    assert heard == [("player", finished()), ("ads", finished())]


def test_an_event_nobody_handles_is_fine() -> None:
    MessageBus({}).publish(PlayCounted(account_id=1, track_id=2))


def test_a_handler_may_publish_and_its_event_is_handled_before_the_next_handler() -> None:
    heard: list[str] = []
    bus: MessageBus

    def player_moves_on(event: TrackFinished) -> None:
        heard.append("player")
        bus.publish(PlayCounted(event.account_id, event.track_id))

    bus = MessageBus(
        {
            TrackFinished: [player_moves_on, lambda e: heard.append("ads")],
            PlayCounted: [lambda e: heard.append("counted")],
        }
    )
    bus.publish(finished())
    assert heard == ["player", "counted", "ads"]


def test_a_failing_handler_reaches_the_publisher() -> None:
    def refuse(event: AccountClosing) -> None:
        raise RuntimeError("the plan could not end")

    bus = MessageBus({AccountClosing: [refuse]})
    with pytest.raises(RuntimeError, match="could not end"):
        bus.publish(AccountClosing(account_id=3))


def test_a_durable_stream_gets_every_event_after_the_handlers() -> None:
    seen: list[str] = []

    class Stream:
        def append(self, event: Event) -> None:
            seen.append(f"stream {type(event).__name__}")

    bus = MessageBus({TrackFinished: [lambda e: seen.append("handler")]}, stream=Stream())
    bus.publish(finished())
    bus.publish(PlayCounted(account_id=1, track_id=7))
    assert seen == ["handler", "stream TrackFinished", "stream PlayCounted"]


def test_events_are_values() -> None:
    assert finished(7) == finished(7)
    with pytest.raises(AttributeError):
        finished().track_id = 8  # type: ignore[misc]


def test_the_handlers_table_names_every_domain_event() -> None:
    """The flow reads in one place: each event the services publish has its row."""
    declared = {
        cls
        for _, cls in inspect.getmembers(events, inspect.isclass)
        if issubclass(cls, Event) and cls is not Event
    }
    assert set(bootstrap.event_handlers()) == declared
