"""A durable, ordered log of events shared by every process of a deployment (NATS JetStream
when CADENZA_NATS_URL is set): an append returns once the log has stored the event, and named
consumers read it from where they stopped."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class LogEntry:
    """One stored event as a consumer receives it."""

    subject: str  # relative to the deployment's prefix: "listening.42", "domain.PlayCounted"
    data: bytes
    dedup_id: str | None  # the id it was appended under
    sequence: int  # its place in the log
    delivered: int  # 1 the first time; more after a consumer died or failed before its ack


Handle = Callable[[list[LogEntry]], None]


class EventLog(Protocol):
    def append(self, subject: str, data: bytes, dedup_id: str) -> bool:
        """Store the event under `subject` (relative to the prefix); returns once stored. True:
        stored now; False: an event with this `dedup_id` was stored already. Raises
        EventStreamUnavailable when the log cannot confirm the store in time."""
        ...

    def append_all(self, entries: list[tuple[str, bytes, str]]) -> list[bool]:
        """`append` for each (subject, data, dedup_id), sent at once, in order; returns once
        every one is stored (or raises EventStreamUnavailable: some may be stored)."""
        ...

    def consume(self, name: str, subject: str, handle: Handle, stop: threading.Event) -> None:
        """Hand the events under `subject` ("listening.>") to `handle`, a batch at a time, as
        the durable consumer `name`, until `stop` is set (in a thread of the adapter's). A
        batch is acknowledged once `handle` returns; when it raises, or the process dies
        first, the batch comes again (`delivered` > 1): handlers must be idempotent."""
        ...

    def close(self) -> None: ...
