"""A real HTTP server on loopback, in a thread, over the test's App; and an SSE reader."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx2
import uvicorn

from cadenza.api.app import create_app
from cadenza.bootstrap import App


@contextmanager
def live_server(app: App) -> Iterator[str]:
    """The base URL of a uvicorn server on a free loopback port (its lifespan is the test's)."""
    config = uvicorn.Config(
        create_app(app),
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass(frozen=True)
class Event:
    kind: str
    data: Any
    received: float  # time.monotonic() when the reader got it
    received_at: datetime  # the wall clock then, to compare with the server's times


class EventStream:
    """Reads a text/event-stream in a thread; events wait in a queue with their arrival time."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.events: queue.Queue[Event] = queue.Queue()
        self.status: int | None = None
        self.keepalives = 0
        self.content_type = ""
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._http = httpx2.Client(timeout=httpx2.Timeout(10, read=None))

    def __enter__(self) -> EventStream:
        self._thread.start()
        assert self._opened.wait(10), "the stream did not open"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._http.close()
        self._thread.join(timeout=5)

    def _read(self) -> None:
        try:
            self._read_events()
        except (httpx2.HTTPError, RuntimeError, OSError):  # closed from the test's side
            self._opened.set()

    def _read_events(self) -> None:
        with self._http.stream("GET", self.url) as answer:
            self.status = answer.status_code
            self.content_type = answer.headers.get("content-type", "")
            self._opened.set()
            kind, data = "message", []
            for line in answer.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "" and data:
                    parsed = json.loads("\n".join(data))
                    if kind == "keepalive":  # counted, not queued: they come whenever it is quiet
                        self.keepalives += 1
                    else:
                        self.events.put(Event(kind, parsed, time.monotonic(), datetime.now(UTC)))
                    kind, data = "message", []

    def next(self, kind: str | None = None, timeout: float = 5.0) -> Event:
        """The next event (of this kind, the others passed over)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {kind or 'event'} arrived"
            event = self.events.get(timeout=left)
            if kind is None or event.kind == kind:
                return event

    def until(self, matches: Callable[[Event], bool], timeout: float = 10.0) -> list[Event]:
        """The events up to and including the first that matches (which is last). Waits for that
        event itself: the ones before it were sent before it, so none can arrive later."""
        passed: list[Event] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"nothing matching arrived; passed over {[e.kind for e in passed]}"
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            passed.append(event)
            if matches(event):
                return passed

    def drain(self) -> list[Event]:
        found = []
        while not self.events.empty():
            found.append(self.events.get_nowait())
        return found


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for a condition, with a generous deadline (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.02)
