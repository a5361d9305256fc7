"""GET /metrics: the Prometheus text format of what api/operations.py counted, the queues'
depths and the process (memory, CPU). Readable from this machine (a loopback client whose
request no proxy forwarded) or with `Authorization: Bearer <CADENZA_METRICS_TOKEN>`; anyone
else gets 403 `metrics_forbidden`, so a public node does not publish its traffic by default."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from cadenza.api.errors import error_response
from cadenza.api.operations import LATENCY_BUCKETS, LOGIN_ROUTE, RequestTally
from cadenza.domain.errors import Forbidden
from cadenza.services.queue_depths import QueueDepths

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

_FORWARDED = ("x-forwarded-for", "x-real-ip", "forwarded")


def allowed(request: Request, token: str | None) -> bool:
    """With a token set, the bearer of it; else (or also) a loopback client that no proxy
    stands in front of (a proxy on this machine would make every visitor look local)."""
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if any(name in request.headers for name in _FORWARDED):
        return False
    host = request.client.host if request.client else ""
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_answer(
    request: Request,
    token: str | None,
    registry: Callable[[], CollectorRegistry],
) -> Response:
    if not allowed(request, token):
        return error_response(
            Forbidden("metrics are for this machine or the metrics token", code="metrics_forbidden")
        )
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)


def new_registry(tally: RequestTally, depths: Callable[[], QueueDepths]) -> CollectorRegistry:
    """A registry of this App's counts (tests run several Apps in one process; each has its
    own), with the process' memory and CPU."""
    from prometheus_client import CollectorRegistry, ProcessCollector

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(tally, depths))
    ProcessCollector(namespace="cadenza", registry=registry)
    return registry


class _Collector:
    def __init__(self, tally: RequestTally, depths: Callable[[], QueueDepths]) -> None:
        self.tally, self.depths = tally, depths

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            HistogramMetricFamily,
        )

        t = self.tally
        requests = CounterMetricFamily(
            "cadenza_http_requests",
            "HTTP requests answered, by route template, method and status",
            labels=["route", "method", "status"],
        )
        for (route, method, status), count in list(t.requests.items()):
            requests.add_metric([route, method, str(status)], count)
        yield requests

        latency = HistogramMetricFamily(
            "cadenza_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template",
            labels=["route", "method"],
        )
        for (route, method), timing in list(t.latency.items()):
            cumulative: float = 0.0
            buckets: list[tuple[str, float]] = []
            for bound, seen in zip((*LATENCY_BUCKETS, float("inf")), timing[:-1], strict=True):
                cumulative += seen
                buckets.append((_bound(bound), cumulative))
            latency.add_metric([route, method], buckets, sum_value=timing[-1])
        yield latency

        sent = CounterMetricFamily(
            "cadenza_http_sent_bytes",
            "Response body bytes sent by this process (audio: granted streams)",
            labels=["kind"],
        )
        for kind, count in t.sent_bytes.items():
            sent.add_metric([kind], count)
        yield sent
        yield CounterMetricFamily(
            "cadenza_streams_started",
            "Granted audio requests that start a track (no range, or a range from byte 0)",
            value=t.streams_started,
        )
        yield CounterMetricFamily(
            "cadenza_login_failures",
            "Refused logins (POST /api/v1/auth/token)",
            value=t.login_failures,
        )
        throttled = CounterMetricFamily(
            "cadenza_throttled_requests",
            "Requests answered 429, by route template",
            labels=["route"],
        )
        for route, count in list(t.throttled.items()):
            throttled.add_metric([route], count)
        yield throttled
        yield CounterMetricFamily(
            "cadenza_login_throttled",
            "Logins refused for too many attempts (429)",
            value=t.throttled.get(LOGIN_ROUTE, 0),
        )
        events = CounterMetricFamily(
            "cadenza_listening_events",
            "Listening events received, by outcome",
            labels=["outcome"],
        )
        events.add_metric(["accepted"], t.events_accepted)
        events.add_metric(["rejected"], t.events_rejected)
        yield events
        yield GaugeMetricFamily(
            "cadenza_listening_events_pending",
            "Accepted listening events not yet handled by their consumers (0 in process: they "
            "are handled before the answer)",
            value=0,
        )

        depths = self.depths()
        yield GaugeMetricFamily(
            "cadenza_mail_queue_depth", "E-mails waiting to be sent", value=depths.mail_waiting
        )
        deliveries = GaugeMetricFamily(
            "cadenza_ingest_deliveries",
            "Distributor deliveries not finished, by stage",
            labels=["stage"],
        )
        for stage, count in sorted(depths.deliveries.items()):
            deliveries.add_metric([stage], count)
        yield deliveries
        yield GaugeMetricFamily(
            "cadenza_ingest_progress_ratio",
            "Mean progress (0-1) of the deliveries being ingested; 1 when none",
            value=depths.ingest_progress,
        )


def _bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)
