"""Remote control of an episode: the device playing it says so to every device of the account,
and a command from another page (pause, seek, speed) reaches the playing device only; devices,
episodes and speeds that are not the listener's to use are refused with their code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.conftest import sign_in
from tests.e2e.test_podcasts_api import FeedHost, host, two_shows

__all__ = ["host"]  # the feed server fixture, served on loopback


def device(client: TestClient, who: dict[str, str], name: str) -> str:
    made = client.post(
        "/api/v1/me/devices",
        json={"name": name, "type": "web", "supports_volume": True},
        headers=who,
    )
    assert made.status_code in (200, 201), made.text
    return str(made.json()["id"])


def next_event(socket: Any, kind: str) -> dict[str, Any]:
    heard = socket.receive_json()
    while heard["event"] != kind:
        heard = socket.receive_json()
    return heard["data"]  # type: ignore[no-any-return]


def test_a_command_from_another_page_reaches_the_device_playing_the_episode(
    client: TestClient, app: App, host: FeedHost, tmp_path: Path
) -> None:
    morning, _ = two_shows(client, app, host, tmp_path)
    me = sign_in(client, app, "commuter@example.org")
    episode = client.get(f"/api/v1/shows/{morning}/episodes").json()["items"][0]["id"]
    phone, laptop = device(client, me, "Phone"), device(client, me, "Laptop")

    def socket(device_id: str) -> Any:
        ticket = client.post(
            "/api/v1/me/player/stream-ticket", json={"device_id": device_id}, headers=me
        ).json()
        return client.websocket_connect(ticket["socket_url"])

    with socket(phone) as on_phone, socket(laptop) as on_laptop:
        assert on_phone.receive_json()["event"] == "state"
        assert on_laptop.receive_json()["event"] == "state"
        state = {"episode_id": episode, "device_id": phone, "position_ms": 4000, "playing": True}
        said = client.put("/api/v1/me/episode-player", json=state | {"speed": 1.5}, headers=me)
        assert said.status_code == 204, said.text
        seen = next_event(on_laptop, "episode_state")
        assert (seen["device_id"], seen["position_ms"], seen["playing"], seen["speed"]) == (
            phone, 4000, True, 1.5,
        )  # fmt: skip

        for command in (
            {"action": "pause"},
            {"action": "seek", "position_ms": 60_000},
            {"action": "speed", "speed": 2.5},
        ):
            sent = client.post(
                "/api/v1/me/episode-player/commands",
                json={"episode_id": episode, "device_id": phone, "from_device_id": laptop}
                | command,
                headers=me,
            )
            assert sent.status_code == 204, sent.text
            heard = next_event(on_phone, "episode_command")
            assert heard["episode_id"] == episode and heard["from_device_id"] == laptop
            assert {k: heard[k] for k in command} == command
        # Commands go to the playing device only: the laptop's next event is the phone's state.
        client.put("/api/v1/me/episode-player", json=state | {"playing": False}, headers=me)
        assert on_laptop.receive_json()["event"] == "episode_state"


def test_only_your_devices_your_episodes_and_speeds_from_half_to_three(
    client: TestClient, app: App, host: FeedHost, tmp_path: Path
) -> None:
    morning, _ = two_shows(client, app, host, tmp_path)
    me = sign_in(client, app, "commuter@example.org")
    other = sign_in(client, app, "someone@example.org")
    episode = client.get(f"/api/v1/shows/{morning}/episodes").json()["items"][0]["id"]
    mine, theirs = device(client, me, "Phone"), device(client, other, "Phone")

    def command(who: dict[str, str], **body: Any) -> tuple[int, str]:
        answer = client.post(
            "/api/v1/me/episode-player/commands",
            json={"episode_id": episode, "device_id": mine, "action": "pause"} | body,
            headers=who,
        )
        return answer.status_code, answer.json()["error"]["code"]

    assert command(me, device_id=theirs) == (404, "device_not_found")
    assert command(other) == (404, "device_not_found")
    assert command(me, episode_id=999_999) == (404, "episode_not_found")
    assert command(me, action="speed", speed=4)[0] == 422
    assert command(me, action="speed")[1] == "invalid_speed"
    assert command(me, action="seek")[1] == "invalid_position"
    assert command(me, action="rewind")[0] == 422
    assert client.post("/api/v1/me/episode-player/commands", json={}).status_code == 401
    state = {"episode_id": episode, "device_id": theirs, "position_ms": 0, "playing": True}
    refused = client.put("/api/v1/me/episode-player", json=state, headers=me)
    assert refused.json()["error"]["code"] == "device_not_found"
