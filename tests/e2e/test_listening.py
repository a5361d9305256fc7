"""Listening events through HTTP: counted at 30 s, once per event id, late plays, history, and
nothing lost when the server is killed right after answering."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.granted import downloaded_at, post_events
from tests.e2e.live import wait_until

EVENTS = "/api/v1/me/player/events"


def first_track(client: TestClient, release_id: int) -> int:
    track_id: int = client.get(f"/api/v1/releases/{release_id}").json()["tracks"][0]["id"]
    return track_id


def play(
    track_id: int, play_id: str, seconds: int, start: datetime, end: str = "end"
) -> list[dict[str, Any]]:
    """The events of a player that plays `seconds` of a track, beating every 10 s."""
    events = [("start", 0)] + [("progress", s) for s in range(10, seconds, 10)] + [(end, seconds)]
    return [
        {
            "id": f"{play_id}-{i}",
            "play_id": play_id,
            "kind": kind,
            "track_id": track_id,
            "device": "phone",
            "position_ms": at * 1000,
            "at": (start + timedelta(seconds=at)).isoformat(),
        }
        for i, (kind, at) in enumerate(events)
    ]


def test_a_play_counts_at_thirty_seconds_once(client: TestClient, app: App, published: int) -> None:
    ada = sign_in(client, app, "ada@example.org")
    track = first_track(client, published)
    now = datetime.now(UTC) - timedelta(minutes=10)
    long_play = play(track, "p-long", 45, now)
    short_play = play(track, "p-short", 20, now + timedelta(minutes=2), end="skip")
    sent = post_events(client, ada, long_play + short_play)
    assert sent.status_code == 200
    assert sent.json() == {
        "accepted": len(long_play) + len(short_play),
        "duplicates": 0,
        "rejected": [],
    }
    # The player resends the whole batch (its answer was lost): nothing counts twice.
    again = post_events(client, ada, long_play).json()
    assert again["accepted"] == 0 and again["duplicates"] == len(long_play)
    history = client.get("/api/v1/me/player/recently-played", headers=ada).json()["items"]
    assert [(h["track_id"], h["listened_ms"]) for h in history] == [(track, 45_000)]
    assert app.listening.streams(track) == 1
    # Someone else's history is theirs alone.
    bob = sign_in(client, app, "bob@example.org")
    assert client.get("/api/v1/me/player/recently-played", headers=bob).json()["items"] == []


def test_offline_plays_arrive_late_and_counted_in_pieces(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    track = first_track(client, published)
    month_ago = datetime.now(UTC) - timedelta(days=29)
    downloaded_at(client, ada, published, month_ago - timedelta(hours=1))
    events = play(track, "offline-1", 60, month_ago)
    # Uploaded in two batches, the second first; no stream grant: a download licensed then.
    sent = client.post(EVENTS, json={"events": events[4:]}, headers=ada)
    assert sent.json()["rejected"] == []
    assert client.get("/api/v1/me/player/recently-played", headers=ada).json()["items"] == []
    client.post(EVENTS, json={"events": events[:4]}, headers=ada)
    history = client.get("/api/v1/me/player/recently-played", headers=ada).json()["items"]
    assert [h["listened_ms"] for h in history] == [60_000]
    assert app.listening.streams(track) == 1
    too_old = play(track, "ancient", 40, datetime.now(UTC) - timedelta(days=31))[:1]
    unknown = play(999_999, "nowhere", 40, datetime.now(UTC))[:1]
    answer = client.post(EVENTS, json={"events": too_old + unknown}, headers=ada)
    assert answer.json()["rejected"] == [
        {"id": "ancient-0", "code": "event_too_old"},
        {"id": "nowhere-0", "code": "unknown_track"},
    ]
    assert client.post("/api/v1/me/player/events", json={"events": events}).status_code == 401


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_an_accepted_event_survives_a_kill_right_after_the_answer(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    track = first_track(client, published)
    port = free_port()
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(app.settings.data_dir),
        "CADENZA_DATABASE_URL": app.settings.resolved_database_url,
        "CADENZA_BILLING_INTERVAL_S": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "cadenza", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            assert server.poll() is None, f"the server exited ({server.returncode})"
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                    return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        # A deadline, not a count of tries: a loaded machine starts the server slowly.
        wait_until(answers, "the server answers", timeout=240)
        events = play(track, "survivor", 40, datetime.now(UTC) - timedelta(minutes=1))
        request = urllib.request.Request(
            f"{base}/api/v1/me/player/events",
            data=json.dumps({"events": events}).encode(),
            headers={**ada, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=180) as answer:
            accepted = json.loads(answer.read())["accepted"]
        server.send_signal(signal.SIGKILL)  # at once: the answer came, nothing else may follow
        assert accepted == len(events)
    finally:
        server.kill()
        server.wait(timeout=30)
    history = client.get("/api/v1/me/player/recently-played", headers=ada).json()["items"]
    assert [h["listened_ms"] for h in history] == [40_000]
