"""GET /metrics (Prometheus text format, read with prometheus_client's own parser): the counts
move with real requests (routes by template and status, latency, streams started, audio bytes,
login failures, listening events); only this machine or the token's bearer may read it; every
answer carries a request id, which JSON logs carry too."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.config import Settings
from tests.e2e.grants import ask_grant
from tests.e2e.serve_process import served
from tests.e2e.test_kill_nine import wait_for
from tests.e2e.test_streaming import first_track

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def local(app: App) -> Iterator[TestClient]:
    """A client on this machine's loopback, as a Prometheus beside the server."""
    with TestClient(create_app(app), client=("127.0.0.1", 50000)) as test_client:
        yield test_client


def scrape(client: TestClient, **headers: str) -> Samples:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_with_real_requests(
    local: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    # The premium fixture signed in through `client`, another App's API on the same App:
    # this API's own counts start now.
    track_id = first_track(local, published)
    before = scrape(local)
    for _ in range(3):
        assert local.get("/healthz").status_code == 200
    assert local.get(f"/api/v1/releases/{published}").status_code == 200
    assert local.get("/api/v1/releases/999999").status_code == 404
    wrong = {"email": "premium@example.org", "password": "not the password", "device_id": "d1"}
    assert local.post("/api/v1/auth/token", json=wrong).status_code == 401
    grant = ask_grant(local, premium, track_id, "high").json()
    audio = local.get(grant["url"])
    assert audio.status_code == 200
    seek = local.get(grant["url"], headers={"Range": "bytes=1000-1999"})
    assert seek.status_code == 206
    after = scrape(local)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    health = {"route": "/healthz", "method": "GET"}
    assert moved("cadenza_http_requests_total", status="200", **health) == 3
    release = {"route": "/api/v1/releases/{release_id}", "method": "GET"}
    assert moved("cadenza_http_requests_total", status="200", **release) == 1
    assert moved("cadenza_http_requests_total", status="404", **release) == 1
    assert moved("cadenza_http_request_duration_seconds_count", **health) == 3
    assert moved("cadenza_http_request_duration_seconds_bucket", le="+Inf", **health) == 3
    assert moved("cadenza_http_request_duration_seconds_sum", **health) > 0
    assert moved("cadenza_login_failures_total") == 1
    assert moved("cadenza_streams_started_total") == 1  # the whole file; the seek is no start
    assert moved("cadenza_http_sent_bytes_total", kind="audio") == len(audio.content) + 1000
    assert value(after, "cadenza_process_resident_memory_bytes") > 0
    assert value(after, "cadenza_mail_queue_depth") >= 0
    assert value(after, "cadenza_ingest_progress_ratio") == 1.0  # nothing being ingested


def test_throttled_logins_are_counted(local: TestClient, app: App, premium: dict[str, str]) -> None:
    before = scrape(local)
    wrong = {"email": "premium@example.org", "password": "not the password", "device_id": "d1"}
    statuses = [local.post("/api/v1/auth/token", json=wrong).status_code for _ in range(12)]
    after = scrape(local)
    throttled = statuses.count(429)
    assert throttled > 0, statuses  # the per-IP and per-account limits answer 429 at some point
    login = "/api/v1/auth/token"
    assert (
        value(after, "cadenza_login_throttled_total")
        - value(before, "cadenza_login_throttled_total")
        == throttled
    )
    assert value(after, "cadenza_throttled_requests_total", route=login) == throttled


def test_listening_events_accepted_are_counted(
    local: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    track_id = first_track(local, published)
    before = scrape(local)
    device = "device-of-premium@example.org"
    ask_grant(local, premium, track_id, "high", device)
    at = "2026-01-01T00:00:00+00:00"
    body = {
        "events": [
            {
                "id": "e1",
                "play_id": "p1",
                "kind": "start",
                "track_id": track_id,
                "device": device,
                "position_ms": 0,
                "at": at,
            },
        ]
    }
    answer = local.post("/api/v1/me/player/events", json=body, headers=premium)
    assert answer.status_code == 200, answer.text
    taken = answer.json()
    after = scrape(local)
    got = value(after, "cadenza_listening_events_total", outcome="accepted") - value(
        before, "cadenza_listening_events_total", outcome="accepted"
    )
    refused = value(after, "cadenza_listening_events_total", outcome="rejected") - value(
        before, "cadenza_listening_events_total", outcome="rejected"
    )
    assert (got, refused) == (taken["accepted"], len(taken["rejected"]))
    assert got + refused == 1


def test_metrics_are_for_this_machine_or_the_token(app: App, client: TestClient) -> None:
    # `client` is an outside address ("testclient"): refused.
    refused = client.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "metrics_forbidden"
    with TestClient(create_app(app), client=("127.0.0.1", 50000)) as local:
        assert local.get("/metrics").status_code == 200
        # Through a proxy on this machine, every visitor would look local: refused.
        proxied = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403
    app.settings.metrics_token = SecretStr("scrape-token-0123456789")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    allowed = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert allowed.status_code == 200
    assert "cadenza_http_requests_total" in allowed.text


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.42"})
    assert given.headers["x-request-id"] == "lb-7f3a.42"
    made = client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 16
    assert made.headers["x-request-id"] != client.get("/healthz").headers["x-request-id"]
    hostile = client.get("/healthz", headers={"X-Request-Id": 'x" injected=1 ' + "y" * 100})
    assert hostile.headers["x-request-id"] != 'x" injected=1 ' + "y" * 100
    assert len(hostile.headers["x-request-id"]) == 16
    missing = client.get("/api/v1/releases/999999")
    assert missing.status_code == 404 and missing.headers["x-request-id"]


def test_json_logs_carry_the_request_id_and_no_query(settings: Settings, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
        "CADENZA_LOG_FORMAT": "json",
        "CADENZA_BACKGROUND": "false",
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out, served(env, stderr=out) as server:
        base = server.base
        httpx.get(f"{base}/healthz", headers={"X-Request-Id": "trace-1234"})
        audio = f"{base}/api/v1/audio/{'a' * 64}.ogg?play=x&expires=1&sig=SECRETSIG"
        # the first audio request imports the grants' services (api/audio_path.py)
        httpx.get(audio, headers={"X-Request-Id": "trace-5678"}, timeout=60)
        wait_for(lambda: b"trace-5678" in log.read_bytes(), 30, "no access log line")
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert lines, log.read_text()
    access = {e["request_id"]: e for e in lines if e["logger"] == "uvicorn.access"}
    assert access["trace-1234"]["path"] == "/healthz"
    assert access["trace-1234"]["status"] == 200
    assert access["trace-5678"]["path"].startswith("/api/v1/audio/")
    assert "SECRETSIG" not in log.read_text()  # a grant's signature stays out of the logs
    assert all({"time", "level", "logger", "message"} <= set(e) for e in lines)
