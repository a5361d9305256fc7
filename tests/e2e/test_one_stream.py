"""One person, one stream: an account plays on one device at a time (Free, Plus, Individual,
Student); starting on a second device moves the stream there and the first gets no new grant.
Duo and Family members each stream on their own; a speaker group plays as one stream. And a
grant's renewal is where logout, a plan change and a forgotten device take effect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.grants import another_session, ask_grant, device_of
from tests.e2e.test_offline import ShiftedClock
from tests.e2e.test_plan_members import accept, family_manager, invite
from tests.e2e.test_streaming import first_track


@pytest.fixture
def clock(app: App, monkeypatch: pytest.MonkeyPatch) -> ShiftedClock:
    shifted = ShiftedClock()
    monkeypatch.setattr(app.clock, "now", shifted.now)
    return shifted


def play_on(client: TestClient, who: dict[str, str], published: int, device: str) -> Any:
    body = {"context": {"kind": "release", "id": published}, "device": device}
    return client.put("/api/v1/me/player/play", json=body, headers=who)


def refused(answer: Any) -> str:
    code: str = answer.json()["error"]["code"]
    return code


@pytest.mark.parametrize(
    "plan", [Plan.FREE, Plan.PLUS, Plan.PREMIUM_INDIVIDUAL, Plan.PREMIUM_STUDENT]
)
def test_playing_on_a_second_device_takes_the_stream_from_the_first(
    client: TestClient, app: App, published: int, plan: Plan
) -> None:
    email = f"{plan.value}@example.org"
    phone_session = sign_in(client, app, email, plan)
    laptop_session = another_session(client, app, email, "laptop")
    phone = device_of(client, phone_session, "Phone")
    laptop = device_of(client, laptop_session, "Laptop")

    assert play_on(client, phone_session, published, phone).status_code == 200
    track = client.get("/api/v1/me/player", headers=phone_session).json()["track_id"]
    assert ask_grant(client, phone_session, track, device=phone).status_code == 200
    # The laptop is not the device that plays: no grant, with a code and words that say why.
    elsewhere = ask_grant(client, laptop_session, track, device=laptop)
    assert elsewhere.status_code == 409 and refused(elsewhere) == "device_not_active"
    assert "Phone" in elsewhere.json()["error"]["message"]
    # Nor the audio through the signed-in route, while the phone plays.
    direct = client.get(f"/api/v1/tracks/{track}/stream", headers=laptop_session)
    assert direct.status_code == 409 and refused(direct) == "device_not_active"
    # Nor a grant named for the phone: a device gets grants through its own session only.
    borrowed = ask_grant(client, laptop_session, track, device=phone)
    assert borrowed.status_code == 403 and refused(borrowed) == "device_not_yours"

    # Starting playback on the laptop moves the stream there: the phone's renewal is refused.
    assert play_on(client, laptop_session, published, laptop).status_code == 200
    now = client.get("/api/v1/me/player", headers=laptop_session).json()
    assert now["device"] == laptop and now["playing"] is True
    active = {
        d["name"]: d["is_active"]
        for d in client.get("/api/v1/me/devices", headers=phone_session).json()
    }
    assert active == {"Phone": False, "Laptop": True}
    assert ask_grant(client, laptop_session, now["track_id"], device=laptop).status_code == 200
    renewal = ask_grant(client, phone_session, now["track_id"], device=phone)
    assert renewal.status_code == 409 and refused(renewal) == "device_not_active"
    assert "Laptop" in renewal.json()["error"]["message"]
    direct = client.get(f"/api/v1/tracks/{now['track_id']}/stream", headers=phone_session)
    assert direct.status_code == 409


@pytest.mark.parametrize("plan", ["premium_duo", "premium_family"])
def test_duo_and_family_members_each_have_a_stream_of_their_own(
    client: TestClient, app: App, published: int, plan: str
) -> None:
    manager = family_manager(client, app, plan)
    member = sign_in(client, app, "member@example.org")
    assert accept(client, member, invite(client, manager).json()["token"]).status_code == 200
    mine, theirs = (
        device_of(client, manager, "Manager's phone"),
        device_of(client, member, "Kid's phone"),
    )
    assert play_on(client, manager, published, mine).status_code == 200
    assert play_on(client, member, published, theirs).status_code == 200
    track = first_track(client, published)
    # Both play at once, each on their own device; neither stops the other.
    for who, device in ((manager, mine), (member, theirs), (manager, mine)):
        granted = ask_grant(client, who, track, "lossless", device=device)
        assert granted.status_code == 200, granted.text
        assert client.get(granted.json()["url"], headers={"Range": "bytes=0-99"}).status_code == 206


def test_a_speaker_group_plays_as_one_stream(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    kitchen, living = (
        device_of(client, premium, "Kitchen"),
        device_of(client, premium, "Living room"),
    )
    laptop = device_of(client, premium, "Laptop")
    group = client.post(
        "/api/v1/me/speaker-groups",
        json={"name": "Downstairs", "device_ids": [kitchen, living]},
        headers=premium,
    ).json()
    assert play_on(client, premium, published, laptop).status_code == 200
    moved = client.put(
        "/api/v1/me/player/transfer", json={"group_id": group["id"]}, headers=premium
    )
    assert moved.status_code == 200
    track = moved.json()["track_id"]
    for speaker in (kitchen, living):  # every member of the group plays the one stream
        assert ask_grant(client, premium, track, device=speaker).status_code == 200
    outside = ask_grant(client, premium, track, device=laptop)
    assert outside.status_code == 409 and refused(outside) == "device_not_active"


def test_logout_a_plan_change_and_a_forgotten_device_stop_the_renewal(
    client: TestClient, app: App, published: int, clock: ShiftedClock
) -> None:
    email = "renewing@example.org"
    who = sign_in(client, app, email, Plan.PREMIUM_INDIVIDUAL)
    phone = device_of(client, who, "Phone")
    assert play_on(client, who, published, phone).status_code == 200
    track = first_track(client, published)
    assert ask_grant(client, who, track, "lossless", device=phone).status_code == 200

    # A plan change: the next renewal follows the new plan.
    account = client.get("/api/v1/me", headers=who).json()["id"]
    app.subscriptions.grant(account, Plan.FREE)
    downgraded = ask_grant(client, who, track, "lossless", device=phone)
    assert downgraded.status_code == 403 and refused(downgraded) == "quality_not_in_plan"
    app.subscriptions.grant(account, Plan.PREMIUM_INDIVIDUAL)

    # A forgotten device: no renewal for it.
    assert client.delete(f"/api/v1/me/devices/{phone}", headers=who).status_code == 204
    forgotten = ask_grant(client, who, track, device=phone)
    assert forgotten.status_code == 404 and refused(forgotten) == "device_not_found"

    # A logout: no renewal at all.
    speaker = device_of(client, who, "Speaker")
    assert play_on(client, who, published, speaker).status_code == 200
    held = ask_grant(client, who, track, device=speaker).json()["url"]
    assert client.post("/api/v1/auth/logout", headers=who).status_code == 204
    after = ask_grant(client, who, track, device=speaker)
    assert after.status_code == 401 and refused(after) == "session_ended"
    # The grant in hand runs out within the minute, and nothing renews it.
    clock.ahead = timedelta(seconds=61)
    expired = client.get(held, headers={"Range": "bytes=0-99"})
    assert expired.status_code == 403 and refused(expired) == "grant_expired"


def as_device(who: dict[str, str], device: str) -> dict[str, str]:
    return who | {"X-Cadenza-Device": device}


def test_a_second_device_cannot_listen_along_through_the_player_state(
    client: TestClient, app: App, published: int
) -> None:
    email = "along@example.org"
    phone_session = sign_in(client, app, email, Plan.PREMIUM_INDIVIDUAL)
    laptop_session = another_session(client, app, email, "laptop")
    phone = device_of(client, phone_session, "Phone")
    laptop = device_of(client, laptop_session, "Laptop")
    on_phone, on_laptop = as_device(phone_session, phone), as_device(laptop_session, laptop)

    started = client.put(
        "/api/v1/me/player/play",
        json={"context": {"kind": "release", "id": published}, "device": phone},
        headers=on_phone,
    ).json()
    assert started["stream"] is not None  # the phone plays, and gets its audio
    assert client.get("/api/v1/me/player", headers=on_phone).json()["stream"] is not None

    # The laptop sees what plays where, but gets no audio to play along: not when it names
    # itself, not when it names no device, not when it names the phone (another session's).
    for headers in (on_laptop, laptop_session, as_device(laptop_session, phone)):
        seen = client.get("/api/v1/me/player", headers=headers).json()
        assert seen["track_id"] == started["track_id"] and seen["device"] == phone
        assert seen["stream"] is None
    # Nor in the answers to its commands, which change what the phone plays.
    skipped = client.post("/api/v1/me/player/next", headers=on_laptop)
    assert skipped.status_code == 200 and skipped.json()["stream"] is None
    queued = client.post(
        "/api/v1/me/player/queue", json={"track_id": started["track_id"]}, headers=on_laptop
    )
    assert queued.status_code == 200 and queued.json()["stream"] is None
    spoken = client.post("/api/v1/me/player/command", json={"text": "next"}, headers=on_laptop)
    assert spoken.status_code == 200 and spoken.json()["player"]["stream"] is None
    # The phone still gets the grant for the track the laptop moved it to.
    now = client.get("/api/v1/me/player", headers=on_phone).json()
    assert now["stream"] is not None and now["stream"]["track_id"] == now["track_id"]

    # Once the laptop takes over, the grant is its own, and the phone's answers carry none.
    moved = client.put(
        "/api/v1/me/player/transfer", json={"device_id": laptop}, headers=on_laptop
    ).json()
    assert moved["device"] == laptop and moved["stream"] is not None
    assert client.get("/api/v1/me/player", headers=on_phone).json()["stream"] is None
