"""Domain events onto the durable event stream (the message bus's EventStream, with
CADENZA_NATS_URL): after the in-process handlers ran, each event is stored under
`domain.<EventType>` as JSON (its fields; datetimes in ISO 8601), so consumers in other
processes and the batch jobs see them in order. PlayerChanged is not sent: it carries the
player's view for this process's devices, which reach other processes through the live bus
(PlayerEvents); the stream would only hold a copy nobody reads."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import fields
from datetime import datetime
from enum import Enum

from cadenza.domain.event_stream import DOMAIN, EventStreamUnavailable
from cadenza.domain.events import Event, PlayerChanged
from cadenza.ports.event_log import EventLog

NOT_SENT = (PlayerChanged,)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def encode(event: Event) -> bytes:
    body = {f.name: _plain(getattr(event, f.name)) for f in fields(event)}
    return json.dumps({"type": type(event).__name__, **body}, separators=(",", ":")).encode()


class LoggedEvents:
    """The message bus's EventStream on an EventLog. The change an event tells of is committed
    by then, so a log that does not confirm the store does not fail the publisher: the event
    waits in this process, in order, and a thread sends it again every RETRY_S until stored
    (a process that dies meanwhile loses what waits: at most one outage's domain events;
    listening events never wait here, their answer refuses instead)."""

    RETRY_S = 2.0
    MAX_WAITING = 100_000

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self._waiting: deque[tuple[str, bytes, str]] = deque(maxlen=self.MAX_WAITING)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def append(self, event: Event) -> None:
        if isinstance(event, NOT_SENT):
            return
        entry = (f"{DOMAIN}.{type(event).__name__}", encode(event), uuid.uuid4().hex)
        with self._lock:
            if self._waiting:  # keep the order: behind those waiting
                self._waiting.append(entry)
                return
        try:
            self.log.append(*entry)
        except EventStreamUnavailable:
            with self._lock:
                self._waiting.append(entry)
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._resend, name="domain-events", daemon=True
                    )
                    self._thread.start()

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def _resend(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    return
                entry = self._waiting[0]
            try:
                self.log.append(*entry)
            except EventStreamUnavailable:
                time.sleep(self.RETRY_S)
                continue
            with self._lock:
                self._waiting.popleft()
