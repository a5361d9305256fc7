"""Offline downloads through HTTP: devices and their limits, download grants, the 30-day
check-in, takedowns, the plan's end deleting everything, and offline plays uploaded later."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import LISTENER_PASSWORD, sign_in
from tests.e2e.granted import downloaded_at
from tests.e2e.test_listening import play
from tests.e2e.test_plans import add_card, my_plan, period_end, subscribe
from tests.e2e.test_races import at_once
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

DEVICES = "/api/v1/me/offline/devices"


class ShiftedClock:
    """The app's clock, moved forward by the test."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
def clock(app: App, monkeypatch: pytest.MonkeyPatch) -> ShiftedClock:
    shifted = ShiftedClock()
    monkeypatch.setattr(app.clock, "now", shifted.now)
    return shifted


def register(client: TestClient, who: dict[str, str], name: str = "phone") -> Any:
    return client.post(DEVICES, json={"name": name}, headers=who)


def add(client: TestClient, who: dict[str, str], device: int, **body: Any) -> Any:
    return client.post(f"{DEVICES}/{device}/downloads", json=body, headers=who)


def check_in(client: TestClient, who: dict[str, str], device: int) -> dict[str, Any]:
    answer = client.post(f"{DEVICES}/{device}/check-in", headers=who)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def signed_in_again(client: TestClient, email: str) -> dict[str, str]:
    """A new access token from the device that signed in before (the old one has expired)."""
    form = {"email": email, "password": LISTENER_PASSWORD, "device_id": f"device-of-{email}"}
    answer = client.post("/api/v1/auth/token", json=form | {"device_name": "test device"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def code(answer: Any) -> str:
    return str(answer.json()["error"]["code"])


def test_a_premium_listener_downloads_a_release_at_the_plans_best_quality(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    device = register(client, premium)
    assert device.status_code == 201 and device.json()["tracks"] == 0
    device_id = device.json()["id"]
    added = add(client, premium, device_id, release_id=published)
    assert added.status_code == 200, added.text
    grants = added.json()["grants"]
    tracks = [t["id"] for t in client.get(f"/api/v1/releases/{published}").json()["tracks"]]
    # FLAC sources download lossless; the MP3 source at its best Opus tier.
    assert [(g["track_id"], g["quality"]) for g in grants] == [
        (tracks[0], "lossless"),
        (tracks[1], "very_high"),
        (tracks[2], "lossless"),
    ]
    assert added.json()["device"]["tracks"] == 3
    fetched = client.get(grants[0]["url"])  # the signature is the permission
    direct = client.get(f"/api/v1/tracks/{tracks[0]}/stream?quality=lossless", headers=premium)
    assert fetched.status_code == 200 and fetched.content == direct.content
    assert client.get(grants[0]["url"][:-4] + "AAAA").status_code == 404
    listed = client.get(f"{DEVICES}/{device_id}/downloads", headers=premium).json()["items"]
    assert [d["track_id"] for d in listed] == tracks
    asked_low = add(client, premium, device_id, track_ids=[tracks[1]], quality="normal")
    assert [g["quality"] for g in asked_low.json()["grants"]] == ["normal"]
    assert asked_low.json()["device"]["tracks"] == 3  # the same track, another quality
    # Someone else's device is not theirs to fill or read.
    bob = sign_in(client, app, "bob@example.org", Plan.PREMIUM_INDIVIDUAL)
    assert code(add(client, bob, device_id, release_id=published)) == "download_device_not_found"
    assert client.get(f"{DEVICES}/{device_id}/downloads", headers=bob).status_code == 404


def test_five_devices_each_with_a_track_limit_and_removing_one_frees_its_slot(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    ids = [register(client, premium, f"device {n}").json()["id"] for n in range(5)]
    sixth = register(client, premium, "one too many")
    assert sixth.status_code == 403 and code(sixth) == "offline_limit_reached"
    assert sixth.json()["error"]["message"].startswith("downloads are kept on at most 5 devices")
    assert client.delete(f"{DEVICES}/{ids[0]}", headers=premium).status_code == 204
    assert register(client, premium, "the new phone").status_code == 201
    assert len(client.get(DEVICES, headers=premium).json()) == 5
    # A device that keeps 9,999 tracks has room for one more, not for a release of three.
    with app.uow() as uow:
        uow.offline.add_downloads(
            ids[1], [(10**6 + n, "high") for n in range(9_999)], app.clock.now()
        )
        uow.commit()
    full = add(client, premium, ids[1], release_id=published)
    assert full.status_code == 403 and code(full) == "offline_limit_reached"
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    assert add(client, premium, ids[1], track_ids=[track]).json()["device"]["tracks"] == 10_000
    # The tracks that no longer exist are deleted at the next check-in.
    answer = check_in(client, premium, ids[1])
    assert [d["track_id"] for d in answer["keep"]] == [track]
    assert len(answer["delete"]) == 9_999 and answer["delete"][0]["reason"] == "unavailable"


def test_free_and_plus_have_no_downloads(client: TestClient, app: App) -> None:
    for plan in (Plan.FREE, Plan.PLUS):
        who = sign_in(client, app, f"{plan.value}@example.org", plan)
        refused = register(client, who)
        assert refused.status_code == 403 and code(refused) == "premium_required"
    assert client.post(DEVICES, json={"name": " "}, headers=who).status_code == 422


def test_checking_in_renews_the_licence_for_thirty_days(
    client: TestClient, app: App, published: int, premium: dict[str, str], clock: ShiftedClock
) -> None:
    device_id = register(client, premium).json()["id"]
    add(client, premium, device_id, release_id=published)
    clock.ahead = timedelta(days=31)  # offline for a month
    premium = signed_in_again(client, "premium@example.org")
    late = add(client, premium, device_id, release_id=published)
    assert late.status_code == 403 and code(late) == "offline_licence_expired"
    answer = check_in(client, premium, device_id)
    assert len(answer["keep"]) == 3 and answer["delete"] == [] and not answer["delete_all"]
    expires = datetime.fromisoformat(answer["licence_expires_at"])
    assert expires - (datetime.now(UTC) + clock.ahead) > timedelta(days=29, hours=23)
    assert add(client, premium, device_id, release_id=published).status_code == 200


def test_a_release_taken_out_of_the_territory_is_deleted_at_check_in(
    client: TestClient, app: App, premium: dict[str, str], tmp_path: Path
) -> None:
    folder = make_release(tmp_path / "rel")
    release_id = deliver(app, folder).release_id
    device_id = register(client, premium).json()["id"]
    grants = add(client, premium, device_id, release_id=release_id).json()["grants"]
    manifest = json.loads((folder / "release.json").read_text())
    manifest["territories"] = ["JP"]  # the distributor withdraws it from everywhere else
    (folder / "release.json").write_text(json.dumps(manifest))
    deliver(app, folder)
    answer = check_in(client, premium, device_id)
    assert answer["keep"] == []
    assert {(d["track_id"], d["reason"]) for d in answer["delete"]} == {
        (g["track_id"], "unavailable") for g in grants
    }
    assert answer["licence_expires_at"] is not None  # the plan itself goes on


def test_the_plans_end_deletes_every_download_and_refuses_grants(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    add_card(client, ada)
    assert subscribe(client, ada, "premium_individual").status_code == 201
    device_id = register(client, ada).json()["id"]
    grants = add(client, ada, device_id, release_id=published).json()["grants"]
    assert client.post("/api/v1/me/subscription/cancel", headers=ada).status_code == 200
    assert check_in(client, ada, device_id)["delete_all"] is False  # until the period ends
    end = period_end(my_plan(client, ada))
    assert app.billing.run(end + timedelta(minutes=1)).canceled == 1
    fetched = client.get(grants[0]["url"])
    assert fetched.status_code == 403 and code(fetched) == "offline_licence_revoked"
    answer = check_in(client, ada, device_id)
    assert answer["delete_all"] is True and answer["licence_expires_at"] is None
    assert {d["reason"] for d in answer["delete"]} == {"plan_ended"}
    assert len(answer["delete"]) == 3 and answer["keep"] == []
    refused = add(client, ada, device_id, release_id=published)
    assert refused.status_code == 403 and code(refused) == "premium_required"
    assert client.get(DEVICES, headers=ada).json()[0]["licence_revoked"] is True


def test_a_new_plan_after_the_old_one_ended_starts_downloads_afresh(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    ada_id = app.admin.id_of("ada@example.org")
    device_id = register(client, ada).json()["id"]
    grants = add(client, ada, device_id, release_id=published).json()["grants"]
    app.subscriptions.grant(ada_id, Plan.FREE)  # the operator ends the plan...
    app.subscriptions.grant(ada_id, Plan.PREMIUM_INDIVIDUAL)  # ...and gives a new one
    fetched = client.get(grants[0]["url"])
    assert fetched.status_code == 403 and code(fetched) == "offline_licence_revoked"
    answer = check_in(client, ada, device_id)
    assert answer["delete_all"] is True and answer["keep"] == []
    assert answer["licence_expires_at"] is not None  # the device starts again, empty
    assert add(client, ada, device_id, release_id=published).json()["device"]["tracks"] == 3


def test_a_play_heard_offline_and_uploaded_later_counts(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    heard = datetime.now(UTC) - timedelta(days=12)  # on a plane, twelve days ago
    downloaded_at(client, premium, published, heard - timedelta(days=1))  # the day before
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    events = play(track, "offline-play", 40, heard)  # on the download device ("phone")
    sent = client.post("/api/v1/me/player/events", json={"events": events}, headers=premium)
    assert sent.json()["accepted"] == len(events)
    history = client.get("/api/v1/me/player/recently-played", headers=premium).json()["items"]
    assert [(h["track_id"], h["listened_ms"]) for h in history] == [(track, 40_000)]
    assert abs(datetime.fromisoformat(history[0]["played_at"]) - heard) < timedelta(seconds=1)
    assert app.listening.streams(track) == 1


def test_eight_devices_registered_at_once_leave_exactly_five(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    answers = at_once(8, lambda n: register(client, premium, f"device {n}").status_code)
    assert sorted(answers) == [201] * 5 + [403] * 3
    assert len(client.get(DEVICES, headers=premium).json()) == 5


def test_a_family_member_removed_by_the_manager_loses_their_downloads(
    client: TestClient, app: App, published: int
) -> None:
    from tests.e2e.test_plan_members import accept, family_manager, invite

    manager = family_manager(client, app)
    kid = sign_in(client, app, "kid@example.org")
    assert accept(client, kid, invite(client, manager).json()["token"]).status_code == 200
    device_id = register(client, kid).json()["id"]  # each member has their own devices
    grants = add(client, kid, device_id, release_id=published).json()["grants"]
    assert client.get(grants[0]["url"]).status_code == 200
    kid_id = client.get("/api/v1/me", headers=kid).json()["id"]
    assert client.delete(f"/api/v1/me/plan/members/{kid_id}", headers=manager).status_code == 204

    fetched = client.get(grants[0]["url"])
    assert fetched.status_code == 403 and code(fetched) == "offline_licence_revoked"
    answer = check_in(client, kid, device_id)
    assert answer["delete_all"] is True and answer["keep"] == []
    assert {d["reason"] for d in answer["delete"]} == {"plan_ended"}


def test_removing_and_adding_devices_over_and_over_is_limited_per_30_days(
    client: TestClient, premium: dict[str, str], clock: ShiftedClock
) -> None:
    ids = [register(client, premium, f"device {n}").json()["id"] for n in range(5)]
    for swap in range(3):  # a lost phone, a new laptop...: three new devices beyond the five
        assert client.delete(f"{DEVICES}/{ids.pop(0)}", headers=premium).status_code == 204
        again = register(client, premium, f"replacement {swap}")
        assert again.status_code == 201, again.text
        ids.append(again.json()["id"])
    assert client.delete(f"{DEVICES}/{ids.pop(0)}", headers=premium).status_code == 204
    refused = register(client, premium, "one swap too many")
    assert refused.status_code == 429 and code(refused) == "device_swap_limit"
    assert refused.json()["error"]["message"].startswith(
        "at most 8 new download devices in 30 days"
    )
    assert 29 * 86400 < int(refused.headers["Retry-After"]) <= 30 * 86400
    assert len(client.get(DEVICES, headers=premium).json()) == 4  # the slot stays free

    clock.ahead = timedelta(days=30, minutes=1)  # the first registrations have aged out
    later = signed_in_again(client, "premium@example.org")
    assert register(client, later, "next month's phone").status_code == 201
