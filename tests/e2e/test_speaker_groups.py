"""Speaker groups: a named set of devices that start together. Simulated devices on loopback,
each with its own clock set wrong, measure their offset, and each is told to start at the one
server instant said on its own clock. (How closely they start, measured: bench/speaker_groups.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.client.clock_sync import measure
from cadenza.domain.devices import GROUP_LEAD_MS
from tests.e2e.conftest import sign_in
from tests.e2e.live import EventStream, live_server

SKEWS_MS = {"Kitchen": 1_500.0, "Living room": -2_500.0, "Bathroom": 40.0}  # device - real


@pytest.fixture
def server(app: App) -> Iterator[str]:
    app.settings.player_stream_keepalive_s = 0.1
    with live_server(app) as base:
        yield base


def make_device(client: TestClient, who: dict[str, str], name: str) -> str:
    body = {"name": name, "type": "speaker", "supports_volume": True}
    found: str = client.post("/api/v1/me/devices", json=body, headers=who).json()["id"]
    return found


def test_a_group_starts_at_one_instant_across_devices_with_wrong_clocks(
    client: TestClient, app: App, server: str, premium: dict[str, str], published: int
) -> None:
    http = httpx2.Client(base_url=server, headers=premium, timeout=60)  # a busy CI machine
    ids = {name: make_device(client, premium, name) for name in SKEWS_MS}
    offsets: dict[str, float] = {}
    for name, device_id in ids.items():
        skew = SKEWS_MS[name]

        def local_ms(skew: float = skew) -> float:
            return time.time() * 1000 + skew

        def exchange(t0: float) -> tuple[float, float]:
            answer = http.post("/api/v1/clock", json={"t0": t0}).json()
            return answer["t1"], answer["t2"]

        found = measure(exchange, local_ms)
        # The device learns how wrong its clock is, to within half the round trip (NTP's bound,
        # whatever the machine's load: the server's times fall inside the exchange).
        assert abs(found.offset_ms + skew) <= found.rtt_ms / 2 + 1
        offsets[name] = found.offset_ms
        reported = http.put(
            f"/api/v1/me/devices/{device_id}/clock",
            json={"offset_ms": found.offset_ms, "rtt_ms": found.rtt_ms},
        )
        assert reported.status_code == 200

    group = http.post(
        "/api/v1/me/speaker-groups", json={"name": "Downstairs", "device_ids": list(ids.values())}
    )
    assert group.status_code == 201
    http.put("/api/v1/me/player/play", json={"context": {"kind": "release", "id": published}})
    with ExitStack() as stack:
        streams = {}
        for name, device_id in ids.items():
            ticket = http.post("/api/v1/me/player/stream-ticket", json={"device_id": device_id})
            streams[name] = stack.enter_context(EventStream(server + ticket.json()["url"]))
        for stream in streams.values():
            stream.next("devices")
        played = http.put(f"/api/v1/me/speaker-groups/{group.json()['id']}/play", json={})
        assert (
            played.status_code == 200 and played.json()["device"] == f"group:{group.json()['id']}"
        )
        server_starts, reporters = set(), set()
        changed_ms = datetime.fromisoformat(played.json()["updated_at"]).timestamp() * 1000
        for name, stream in streams.items():
            data: dict[str, Any] = stream.next("command").data
            reporters.add(data["reporter"])
            assert (data["command"], data["group_id"]) == ("play", group.json()["id"])
            assert data["track_id"] == played.json()["track_id"]
            # The one server instant, said on this device's clock by the offset it reported.
            assert data["start_at"] == pytest.approx(
                data["server_start_at"] - offsets[name], abs=0.1
            )
            server_starts.add(data["server_start_at"])
        (server_start,) = server_starts  # one instant for every member
        assert server_start >= changed_ms + GROUP_LEAD_MS  # scheduled ahead: time to get ready
    listed = http.get("/api/v1/me/devices").json()
    assert [d["is_active"] for d in listed] == [True] * len(SKEWS_MS)  # the group plays on all
    assert reporters == {min(ids.values())}  # one member, online, reports for all
    http.close()


def test_speaker_groups_are_named_sets_of_the_listeners_own_devices(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    a, b, c = (make_device(client, premium, n) for n in ("A", "B", "C"))
    url = "/api/v1/me/speaker-groups"
    made = client.post(url, json={"name": "Upstairs", "device_ids": [a, b]}, headers=premium)
    assert made.status_code == 201 and sorted(made.json()["device_ids"]) == sorted([a, b])
    group = made.json()["id"]
    twice = client.post(url, json={"name": "Upstairs", "device_ids": [a, c]}, headers=premium)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "speaker_group_exists"
    alone = client.post(url, json={"name": "Solo", "device_ids": [a, a]}, headers=premium)
    assert alone.json()["error"]["code"] == "speaker_group_too_small"
    changed = client.patch(
        f"{url}/{group}", json={"name": "Top floor", "device_ids": [b, c]}, headers=premium
    )
    assert changed.json()["name"] == "Top floor"
    assert sorted(changed.json()["device_ids"]) == sorted([b, c])
    client.delete(f"/api/v1/me/devices/{c}", headers=premium)  # a forgotten device leaves
    assert client.get(f"{url}/{group}", headers=premium).json()["device_ids"] == [b]

    bob = sign_in(client, app, "bob@example.org")
    bobs_device = make_device(client, bob, "Bob's")
    theirs = client.post(url, json={"name": "Mix", "device_ids": [a, bobs_device]}, headers=bob)
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "device_not_found"
    assert client.get(f"{url}/{group}", headers=bob).status_code == 404
    assert client.delete(f"{url}/{group}", headers=bob).status_code == 404
    assert client.put(f"{url}/{group}/play", json={}, headers=bob).status_code == 404
    assert client.delete(f"{url}/{group}", headers=premium).status_code == 204
    assert client.get(url, headers=premium).json() == []
