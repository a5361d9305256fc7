"""Remote control over a real server on loopback: each device's event stream (SSE), commands
from one device to another, transfer, the ticket that opens a stream; and the WebSocket."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from cadenza.bootstrap import App
from tests.e2e.conftest import sign_in
from tests.e2e.live import EventStream, live_server, wait_until


@pytest.fixture
def server(app: App) -> Iterator[str]:
    app.settings.player_stream_keepalive_s = 0.1  # a stream notices a client gone this soon
    with live_server(app) as base:
        yield base


def device(client: TestClient, who: dict[str, str], name: str, kind: str = "web") -> str:
    answer = client.post(
        "/api/v1/me/devices",
        json={"name": name, "type": kind, "supports_volume": True},
        headers=who,
    )
    found: str = answer.json()["id"]
    return found


def stream_url(client: TestClient, who: dict[str, str], server: str, device_id: str) -> str:
    ticket = client.post(
        "/api/v1/me/player/stream-ticket", json={"device_id": device_id}, headers=who
    )
    assert ticket.status_code == 200
    url: str = ticket.json()["url"]
    assert "ticket=" in url and who["Authorization"].split()[1] not in url
    return server + url


@contextmanager
def opened_after(first: EventStream, url: str) -> Iterator[EventStream]:
    """A second device's stream, opened once the first has announced itself (its `devices`
    event): each opening's announcement then reaches a known set of streams, and the next event
    on either is one the test caused."""
    first.next("devices")
    with EventStream(url) as second:
        yield second


def test_a_state_change_reaches_the_other_device(
    client: TestClient, app: App, server: str, premium: dict[str, str], published: int
) -> None:
    phone, speaker = device(client, premium, "Phone", "phone"), device(client, premium, "Speaker")
    http = httpx2.Client(base_url=server, headers=premium, timeout=60)
    with (
        EventStream(stream_url(client, premium, server, phone)) as on_phone,
        opened_after(on_phone, stream_url(client, premium, server, speaker)) as on_speaker,
    ):
        assert on_speaker.status == 200 and on_speaker.content_type.startswith("text/event-stream")
        first = on_speaker.next()
        assert first.kind == "state" and first.data["playing"] is False
        online = on_speaker.next("devices").data["devices"]
        assert {d["name"] for d in online} == {"Phone", "Speaker"}
        on_phone.next("devices")  # the speaker's arrival: the last event before the test's own

        played = http.put(
            "/api/v1/me/player/play",
            json={"context": {"kind": "release", "id": published}, "device": "Phone"},
        )
        assert played.status_code == 200
        heard = on_speaker.next("state")
        assert heard.data["playing"] is True
        assert heard.data["track_id"] == played.json()["track_id"]
        assert heard.data["stream"]["url"].startswith("/api/v1/audio/")

        http.put("/api/v1/me/player/pause")
        assert on_speaker.next("state").data["playing"] is False
        for position in (5_000, 6_000, 7_000, 8_000):
            seeked = http.put("/api/v1/me/player/seek", json={"position_ms": position}).json()
            seen = on_speaker.next("state").data
            assert (seen["playing"], seen["progress_ms"]) == (False, position)
            assert seen["updated_at"] == seeked["updated_at"]  # the change itself, not an echo
        states = [on_phone.next("state").data for _ in range(6)]
        assert [(s["playing"], s["progress_ms"]) for s in states][2:] == [
            (False, 5_000),
            (False, 6_000),
            (False, 7_000),
            (False, 8_000),
        ]
        # How soon it arrives is measured in bench/remote_control.py, not asserted here.
    http.close()


def test_commands_go_to_their_device_and_a_transfer_pauses_the_one_that_played(
    client: TestClient, app: App, server: str, premium: dict[str, str], published: int
) -> None:
    phone, speaker = device(client, premium, "Phone", "phone"), device(client, premium, "Speaker")
    http = httpx2.Client(base_url=server, headers=premium, timeout=60)
    http.put("/api/v1/me/player/play", json={"context": {"kind": "release", "id": published}})
    http.put("/api/v1/me/player/transfer", json={"device_id": phone})
    with (
        EventStream(stream_url(client, premium, server, phone)) as on_phone,
        opened_after(on_phone, stream_url(client, premium, server, speaker)) as on_speaker,
    ):
        on_speaker.next("devices")
        on_phone.next("devices")

        # The phone asks the speaker to take over: the speaker is told to play, the phone to stop.
        moved = http.post(
            "/api/v1/me/player/commands",
            json={"device_id": speaker, "command": "transfer", "from_device_id": phone},
        )
        assert moved.status_code == 200 and moved.json()["device"] == speaker
        to_speaker = [on_speaker.next() for _ in range(3)]
        assert [e.kind for e in to_speaker] == ["state", "command", "devices"]
        assert to_speaker[0].data["device"] == speaker and to_speaker[0].data["playing"] is True
        command = to_speaker[1].data
        assert (command["command"], command["from_device_id"], command["play"]) == (
            "transfer",
            phone,
            True,
        )
        assert command["track_id"] == moved.json()["track_id"]
        to_phone = [on_phone.next() for _ in range(3)]
        assert [e.kind for e in to_phone] == ["state", "command", "devices"]
        assert (
            to_phone[1].data["command"] == "pause" and to_phone[1].data["transferred_to"] == speaker
        )
        active = {d["name"]: d["is_active"] for d in to_phone[2].data["devices"]}
        assert active == {"Phone": False, "Speaker": True}

        # A seek sent to the speaker reaches the speaker only; both see the new state.
        http.post(
            "/api/v1/me/player/commands",
            json={"device_id": speaker, "command": "seek", "position_ms": 42_000},
        )
        assert on_speaker.next("command").data | {"sent_at": 0} == {
            "command": "seek",
            "from_device_id": None,
            "position_ms": 42_000,
            "sent_at": 0,
        }
        assert 42_000 <= on_phone.next("state").data["progress_ms"] < 43_000
        # The seek command went to the speaker alone: the first command the phone hears is one
        # sent to it afterwards (events reach a device in the order they were sent).
        http.post(
            "/api/v1/me/player/commands",
            json={"device_id": phone, "command": "volume", "percent": 30},
        )
        heard_by_phone = on_phone.until(lambda e: e.kind == "command")
        assert heard_by_phone[-1].data["command"] == "volume"
        assert [e.kind for e in heard_by_phone] == ["devices", "command"]  # its volume, then it
        wait_until(lambda: on_phone.keepalives > 0, "a keepalive on a quiet stream")
    http.close()


def test_the_stream_opens_only_with_a_ticket_for_that_device(
    client: TestClient, app: App, server: str, premium: dict[str, str]
) -> None:
    phone, speaker = device(client, premium, "Phone"), device(client, premium, "Speaker")
    token = premium["Authorization"].split()[1]
    base = f"{server}/api/v1/me/player/stream"
    with httpx2.Client() as http:
        ticket = client.post(
            "/api/v1/me/player/stream-ticket", json={"device_id": phone}, headers=premium
        ).json()["ticket"]
        answers: list[Any] = [
            http.get(base, params={"device_id": phone}),
            http.get(base, params={"device_id": phone, "ticket": token}),  # not the access token
            http.get(base, params={"device_id": speaker, "ticket": ticket}),  # another device's
            http.get(base, params={"device_id": phone, "ticket": ticket[:-2] + "xx"}),
        ]
        codes = [(a.status_code, a.json()["error"]["code"]) for a in answers]
        assert codes == [
            (401, "authentication_required"),
            (401, "invalid_ticket"),
            (401, "invalid_ticket"),
            (401, "invalid_ticket"),
        ]
        # A ticket opens one stream, once: replayed from a log or a history, it opens nothing.
        with http.stream("GET", base, params={"device_id": phone, "ticket": ticket}) as opened:
            assert opened.status_code == 200
            assert next(opened.iter_lines()) == "retry: 2000"
        replayed = http.get(base, params={"device_id": phone, "ticket": ticket})
        assert replayed.status_code == 401
        assert replayed.json()["error"]["code"] == "ticket_used"
        ticket = client.post(
            "/api/v1/me/player/stream-ticket", json={"device_id": phone}, headers=premium
        ).json()["ticket"]
        # Logged out: the ticket no longer opens anything.
        client.delete("/api/v1/me/sessions", headers=premium)
        ended = http.get(base, params={"device_id": phone, "ticket": ticket})
        assert ended.status_code == 401 and ended.json()["error"]["code"] == "session_ended"


def test_the_websocket_carries_the_same_events(
    client: TestClient, app: App, premium: dict[str, str], published: int
) -> None:
    speaker = device(client, premium, "Speaker", "speaker")
    ticket = client.post(
        "/api/v1/me/player/stream-ticket", json={"device_id": speaker}, headers=premium
    ).json()
    with client.websocket_connect(ticket["socket_url"]) as socket:
        assert socket.receive_json()["event"] == "state"
        assert socket.receive_json()["event"] == "devices"
        client.post(
            "/api/v1/me/player/commands",
            json={"device_id": speaker, "command": "pause"},
            headers=premium,
        )
        messages = [socket.receive_json() for _ in range(2)]
        assert [m["event"] for m in messages] == ["state", "command"]
        assert messages[1]["data"]["command"] == "pause"
    # A ticket opens one stream: the same one again, within its minute, opens nothing.
    with (
        pytest.raises(WebSocketDisconnect) as reused,
        client.websocket_connect(ticket["socket_url"]),
    ):
        pass
    assert (reused.value.code, reused.value.reason) == (4401, "ticket_used")
    # Without a ticket or a token the socket is closed before it opens: 4401.
    anonymous = f"/api/v1/me/player/socket?device_id={speaker}"
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(anonymous):
        pass
    assert (refused.value.code, refused.value.reason) == (4401, "authentication_required")
    bob = sign_in(client, app, "bob@example.org")
    bobs = client.post("/api/v1/me/player/stream-ticket", json={"device_id": speaker}, headers=bob)
    assert bobs.status_code == 404
