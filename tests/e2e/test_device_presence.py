"""Pages of one listener as devices: each named apart, a reloaded page keeps its device, a
closed page leaves the list at once and the player stops playing there after a short grace."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

import cadenza.services.remote as remote
from cadenza.bootstrap import App
from tests.e2e.conftest import LISTENER_PASSWORD
from tests.e2e.live import EventStream, live_server

NAME = "Web player (Chrome on Linux)"


def register(client: Any, who: dict[str, str], **more: Any) -> Any:
    body = {"name": NAME, "type": "web", "supports_volume": True} | more
    return client.post("/api/v1/me/devices", json=body, headers=who)


def another_session(client: TestClient, email: str) -> dict[str, str]:
    """The same listener signed in again (a second browser profile): a session of its own."""
    form = {
        "email": email,
        "password": LISTENER_PASSWORD,
        "device_id": f"device-of-{email}",
        "device_name": "test device",
    }
    answer = client.post("/api/v1/auth/token", json=form)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_pages_are_named_apart_and_a_reload_keeps_its_device(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    first = register(client, premium).json()
    other = another_session(client, "premium@example.org")
    second = register(client, other)
    assert second.status_code == 201 and second.json()["name"] == f"{NAME} 2"
    reloaded = register(client, other, device_id=second.json()["id"])
    assert reloaded.status_code == 200 and reloaded.json()["id"] == second.json()["id"]
    # Another session cannot take a device over by naming its id.
    taken = register(client, other, device_id=first["id"])
    assert taken.status_code == 201 and taken.json()["id"] != first["id"]
    assert taken.json()["name"] == f"{NAME} 3"
    names = [d["name"] for d in client.get("/api/v1/me/devices", headers=premium).json()]
    assert names == [NAME, f"{NAME} 2", f"{NAME} 3"]


@pytest.fixture
def server(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    app.settings.player_stream_keepalive_s = 0.1
    monkeypatch.setattr(remote, "LEAVE_GRACE_S", 0.2)
    with live_server(app) as base:
        yield base


def test_a_closed_page_leaves_the_list_and_stops_playing(
    app: App, server: str, premium: dict[str, str], published: int
) -> None:
    http = httpx2.Client(base_url=server, headers=premium, timeout=60)
    page = register(http, premium).json()
    speaker = register(http, premium, name="Kitchen", type="speaker").json()
    ticket = http.post("/api/v1/me/player/stream-ticket", json={"device_id": page["id"]})
    with EventStream(server + ticket.json()["url"]) as feed:
        feed.next("devices")
        played = http.put(
            "/api/v1/me/player/play",
            json={"context": {"kind": "release", "id": published}, "device": page["id"]},
        )
        assert played.json()["playing"] and played.json()["device"] == page["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the server notices the closed stream
        listed = http.get("/api/v1/me/devices").json()
        state = http.get("/api/v1/me/player").json()
        if [d["id"] for d in listed] == [speaker["id"]] and not state["playing"]:
            break
        time.sleep(0.05)
    assert [d["name"] for d in listed] == ["Kitchen"]  # a speaker stays; the page went
    assert state["playing"] is False and state["device"] == page["id"]
    again = register(http, premium, device_id=page["id"])  # the page reloaded
    assert again.status_code == 200
    assert [d["id"] for d in http.get("/api/v1/me/devices").json()] == [page["id"], speaker["id"]]
