"""What an operator watches, counted as requests pass: requests by route template and status,
their latency, streams started, bytes sent, login failures and throttles, listening events
accepted; and a request id on every answer (X-Request-Id, echoed when the client sent a sane
one) that JSON logs carry (api/log_format.py).

The counting is plain integers in dictionaries on the event loop's thread, a few hundred
nanoseconds a request: nothing of prometheus_client runs here. `GET /metrics` turns the counts
into Prometheus' text format when scraped (api/metrics_page.py), the only time that library is
imported."""

from __future__ import annotations

import itertools
import os
import re
import threading
from bisect import bisect_left
from contextvars import ContextVar
from pathlib import Path
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cadenza.api.audio_path import PREFIX as AUDIO_PATH

# Seconds: the upper bounds of the latency histogram's buckets (+Inf after the last).
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
AUDIO_ROUTE = AUDIO_PATH + "{file}"
LOGIN_ROUTE = "/api/v1/auth/token"
UNMATCHED = "unmatched"  # no route (a 404, a static file): one label, not one per address
MAX_REQUEST_ID = 64
_SANE_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")

REQUEST_ID: ContextVar[str | None] = ContextVar("cadenza_request_id", default=None)


class RequestTally:
    """Counts of this process since it started (Prometheus counters: they only grow)."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}  # (route, method, status)
        # (route, method) -> [count per bucket (not cumulative), +Inf's count, sum of seconds]
        self.latency: dict[tuple[str, str], list[float]] = {}
        self.sent_bytes = {"audio": 0, "other": 0}
        self.streams_started = 0
        self.login_failures = 0
        self.throttled: dict[str, int] = {}  # route -> 429 answers
        self._lock = threading.Lock()  # for the counts routes add from worker threads
        self.events_accepted = 0
        self.events_rejected = 0

    def observe(
        self, scope: Scope, route: str, status: int, sent: int, seconds: float, audio: bool
    ) -> None:
        method: str = scope["method"]
        key = (route, method, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        timing = self.latency.get((route, method))
        if timing is None:
            timing = self.latency[(route, method)] = [0.0] * (len(LATENCY_BUCKETS) + 2)
        timing[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        timing[-1] += seconds
        self.sent_bytes["audio" if audio else "other"] += sent
        if status == 429:
            self.throttled[route] = self.throttled.get(route, 0) + 1
        if audio and method == "GET" and _starts_a_stream(scope, status):
            self.streams_started += 1
        elif route == LOGIN_ROUTE and status in (400, 401, 403):
            self.login_failures += 1

    def events(self, accepted: int, rejected: int) -> None:
        """Listening events a batch brought (called from the route's worker thread)."""
        with self._lock:
            self.events_accepted += accepted
            self.events_rejected += rejected


def _starts_a_stream(scope: Scope, status: int) -> bool:
    """A whole file, or a range from its first byte (a player starting a track), or the
    redirect to one."""
    if status not in (200, 206, 307):
        return False
    for key, value in scope["headers"]:
        if key == b"range":
            wanted: bytes = value
            return wanted.replace(b" ", b"").startswith(b"bytes=0-")
    return True


class Operations:
    """The ASGI wrapper that counts each request and gives it an id."""

    def __init__(self, tally: RequestTally | None = None) -> None:
        self.tally = tally or RequestTally()

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = perf_counter()
        request_id = _request_id(scope)
        echoed = (b"x-request-id", request_id.encode("latin-1"))
        # Not reset after: each request runs in a task (a context) of its own, and the
        # server's own log of an error that escapes the app still names the request.
        REQUEST_ID.set(request_id)
        status = 500
        sent = 0

        async def sending(message: Message) -> None:
            nonlocal status, sent
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), echoed]}
            elif kind == "http.response.body":
                sent += len(message.get("body", b""))
            elif kind == "http.response.pathsend":
                sent += Path(message["path"]).stat().st_size
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            path: str = scope["path"]
            audio = path.startswith(AUDIO_PATH)
            route = AUDIO_ROUTE if audio else _route_of(scope)
            self.tally.observe(scope, route, status, sent, perf_counter() - started, audio)


def _route_of(scope: Scope) -> str:
    route: Any = scope.get("route")
    found = getattr(route, "path", None) if route is not None else None
    return found if isinstance(found, str) and found else UNMATCHED


def _request_id(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            given: bytes = value
            if _SANE_ID.match(given):
                return given.decode("latin-1")
            break
    return f"{_PROCESS_ID}{next(_numbers):08x}"


# A made id: 8 random hex digits for this process, then a count (a system call for random
# bytes per request cost more than the rest of the counting on a busy machine).
_PROCESS_ID = os.urandom(4).hex()
_numbers = itertools.count(1)
