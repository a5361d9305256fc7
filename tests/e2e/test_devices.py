"""The listener's devices through HTTP: register, list, rename, forget, the limit, privacy."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.devices import MAX_DEVICES
from tests.e2e.conftest import sign_in


def register(client: TestClient, who: dict[str, str], name: str, **more: Any) -> Any:
    body = {"name": name, "type": "web"} | more
    return client.post("/api/v1/me/devices", json=body, headers=who)


def test_a_listener_registers_lists_renames_and_forgets_devices(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    made = register(client, premium, "Kitchen speaker", type="speaker", supports_volume=True)
    assert made.status_code == 201
    speaker = made.json()
    assert (speaker["type"], speaker["volume"], speaker["this_session"]) == ("speaker", 100, True)
    assert speaker["is_active"] is False and speaker["is_online"] is True
    again = register(client, premium, "Kitchen speaker", type="speaker", supports_volume=True)
    assert again.status_code == 200 and again.json()["id"] == speaker["id"]  # a reloaded page
    laptop = register(client, premium, "Laptop").json()
    assert laptop["volume"] is None

    listed = client.get("/api/v1/me/devices", headers=premium).json()
    assert [d["name"] for d in listed] == ["Kitchen speaker", "Laptop"]
    renamed = client.patch(
        f"/api/v1/me/devices/{laptop['id']}", json={"name": "Work laptop"}, headers=premium
    )
    assert renamed.json()["name"] == "Work laptop"

    moved = client.put(
        "/api/v1/me/player/transfer", json={"device_id": speaker["id"]}, headers=premium
    )
    assert moved.status_code == 200 and moved.json()["device"] == speaker["id"]
    active = {
        d["name"]: d["is_active"] for d in client.get("/api/v1/me/devices", headers=premium).json()
    }
    assert active == {"Kitchen speaker": True, "Work laptop": False}

    assert client.delete(f"/api/v1/me/devices/{laptop['id']}", headers=premium).status_code == 204
    assert [d["name"] for d in client.get("/api/v1/me/devices", headers=premium).json()] == [
        "Kitchen speaker"
    ]
    gone = client.delete(f"/api/v1/me/devices/{laptop['id']}", headers=premium)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "device_not_found"


def test_another_listeners_device_is_not_found_and_cannot_be_targeted(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    speaker = register(client, premium, "Speaker", type="speaker").json()
    bob = sign_in(client, app, "bob@example.org")
    for answer in (
        client.patch(f"/api/v1/me/devices/{speaker['id']}", json={"name": "mine"}, headers=bob),
        client.delete(f"/api/v1/me/devices/{speaker['id']}", headers=bob),
        client.put("/api/v1/me/player/transfer", json={"device_id": speaker["id"]}, headers=bob),
        client.post(
            "/api/v1/me/player/commands",
            json={"device_id": speaker["id"], "command": "pause"},
            headers=bob,
        ),
        client.post(
            "/api/v1/me/player/stream-ticket", json={"device_id": speaker["id"]}, headers=bob
        ),
    ):
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "device_not_found"
    assert client.get("/api/v1/me/devices", headers=bob).json() == []
    assert client.get("/api/v1/me/devices").status_code == 401


def test_an_account_holds_at_most_fifty_devices(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    for n in range(MAX_DEVICES):
        assert register(client, premium, f"Device {n}").status_code == 201
    refused = register(client, premium, "One too many")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "too_many_devices"
    bad = register(client, premium, "Toaster", type="toaster")
    assert bad.status_code == 422
    long_name = register(client, premium, "x" * 101)
    assert long_name.status_code == 422


def test_volume_goes_to_devices_that_have_it(
    client: TestClient, app: App, premium: dict[str, str], published: int
) -> None:
    speaker = register(client, premium, "Speaker", type="speaker", supports_volume=True).json()
    car = register(client, premium, "Car", type="car").json()
    client.put(
        "/api/v1/me/player/play",
        json={"context": {"kind": "release", "id": published}},
        headers=premium,
    )
    client.put("/api/v1/me/player/transfer", json={"device_id": speaker["id"]}, headers=premium)
    louder = client.post(
        "/api/v1/me/player/commands",
        json={"device_id": speaker["id"], "command": "volume", "percent": 35},
        headers=premium,
    )
    assert louder.status_code == 200 and louder.json()["volume"] == 35
    listed = {
        d["name"]: d["volume"] for d in client.get("/api/v1/me/devices", headers=premium).json()
    }
    assert listed == {"Speaker": 35, "Car": None}
    refused = client.post(
        "/api/v1/me/player/commands",
        json={"device_id": car["id"], "command": "volume", "percent": 35},
        headers=premium,
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "volume_not_supported"
