"""The message bus: a service says what happened (a domain event) and goes on; who reacts is
registered in one table (bootstrap's HANDLERS), so the flow between services reads in one
place rather than in callbacks appended after construction.

In-process and synchronous: `publish` returns after every handler ran, in the table's order,
and a handler's error reaches the publisher (as a direct call's would). A durable stream (NATS
JetStream, Kafka) plugs in behind the same `publish` as an `EventStream`: it is handed each event
after the handlers here, for the other processes and the batch jobs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from cadenza.domain.events import Event

Publish = Callable[[Event], None]  # what a service is given to publish with
Handler = Callable[[Any], None]  # takes the event type it is registered under
Handlers = Mapping[type[Event], Sequence[Handler]]


class EventStream(Protocol):
    """Where events go beyond this process: a durable, ordered log."""

    def append(self, event: Event) -> None: ...


class MessageBus:
    def __init__(self, handlers: Handlers, stream: EventStream | None = None) -> None:
        self.handlers = {kind: tuple(found) for kind, found in handlers.items()}
        self.stream = stream

    def publish(self, event: Event) -> None:
        for handler in self.handlers.get(type(event), ()):
            handler(event)
        if self.stream is not None:
            self.stream.append(event)


def unheard(_event: Event) -> None:
    """A publisher for a service used alone (a script, a test): nobody listens."""
