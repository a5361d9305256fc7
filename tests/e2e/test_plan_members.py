"""Duo and Family through HTTP: invitations, limits under concurrent accepts, one home, one
switch a year, the explicit filter, and members back on Free when removed or the plan ends."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import may_switch_family
from tests.e2e.conftest import mail_to, sign_in
from tests.e2e.test_plans import add_card, my_plan, period_end, subscribe
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

HOME = "12 Harmony Road, Springfield"


def family_manager(client: TestClient, app: App, plan: str = "premium_family") -> dict[str, str]:
    manager = sign_in(client, app, "manager@example.org")
    add_card(client, manager)
    assert subscribe(client, manager, plan).status_code == 201
    if plan == "premium_family":
        home = client.put("/api/v1/me/plan/home", json={"address": HOME}, headers=manager)
        assert home.status_code == 204
    return manager


def invite(client: TestClient, manager: dict[str, str], email: str | None = None) -> Any:
    return client.post("/api/v1/me/plan/invites", json={"email": email}, headers=manager)


def accept(client: TestClient, who: dict[str, str], token: str, home: str | None = HOME) -> Any:
    body = {"token": token, "home_address": home}
    return client.post("/api/v1/plan-invites/accept", json=body, headers=who)


def test_duo_holds_two_and_the_invite_arrives_by_mail(client: TestClient, app: App) -> None:
    manager = family_manager(client, app, "premium_duo")
    made = invite(client, manager, "partner@example.org")
    assert made.status_code == 201
    mail = [m for m in mail_to(app, "partner@example.org")]
    assert mail and made.json()["token"] in mail[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    partner = sign_in(client, app, "partner@example.org")
    assert accept(client, partner, made.json()["token"], None).status_code == 200
    assert my_plan(client, partner)["plan"] == "premium_duo"
    assert my_plan(client, partner)["features"]["max_quality"] == "lossless"
    # The invitation was single-use, and the plan is now full.
    third = sign_in(client, app, "third@example.org")
    assert accept(client, third, made.json()["token"]).json()["error"]["code"] == "invite_invalid"
    full = invite(client, manager)
    assert full.status_code == 409 and full.json()["error"]["code"] == "plan_full"
    listed = client.get("/api/v1/me/plan/members", headers=partner).json()
    assert [m["manager"] for m in listed["members"]] == [True, False]
    assert listed["members"][0]["email"] is None  # a member does not see the manager's address


def test_six_at_most_in_a_family_even_when_seven_accept_at_once(
    client: TestClient, app: App
) -> None:
    manager = family_manager(client, app)
    tokens = [invite(client, manager).json()["token"] for _ in range(7)]
    people = [sign_in(client, app, f"kid{i}@example.org") for i in range(7)]
    answers: list[int] = []

    def join(who: dict[str, str], token: str) -> None:
        answers.append(accept(client, who, token).status_code)

    threads = [
        threading.Thread(target=join, args=pair) for pair in zip(people, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] * 5 + [409] * 2
    members = client.get("/api/v1/me/plan/members", headers=manager).json()["members"]
    assert len(members) == 6
    on_family = [my_plan(client, who)["plan"] for who in people].count("premium_family")
    assert on_family == 5


def test_family_members_confirm_the_home_address(client: TestClient, app: App) -> None:
    manager = family_manager(client, app)
    token = invite(client, manager).json()["token"]
    kid = sign_in(client, app, "kid@example.org")
    wrong = accept(client, kid, token, "99 Elsewhere Street")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "address_mismatch"
    assert accept(client, kid, token, "12 harmony road springfield").status_code == 200


def test_removing_a_member_or_ending_the_plan_puts_members_on_free(
    client: TestClient, app: App
) -> None:
    manager = family_manager(client, app)
    kids = [sign_in(client, app, f"kid{i}@example.org") for i in range(2)]
    for kid in kids:
        accept(client, kid, invite(client, manager).json()["token"])
    first_id = client.get("/api/v1/me", headers=kids[0]).json()["id"]
    # Only the manager removes; a member cannot remove anyone.
    assert client.delete(f"/api/v1/me/plan/members/{first_id}", headers=kids[1]).status_code == 403
    assert client.delete(f"/api/v1/me/plan/members/{first_id}", headers=manager).status_code == 204
    assert my_plan(client, kids[0])["plan"] == "free"
    client.post("/api/v1/me/subscription/cancel", headers=manager)
    end = period_end(my_plan(client, manager))
    app.billing.run(end + timedelta(minutes=1))
    assert my_plan(client, kids[1])["plan"] == "free"
    assert my_plan(client, manager)["plan"] == "free"


def test_one_switch_to_another_family_a_year(client: TestClient, app: App) -> None:
    first = family_manager(client, app)
    other = sign_in(client, app, "other-manager@example.org")
    add_card(client, other, "5555555555554444")
    subscribe(client, other, "premium_family")
    client.put("/api/v1/me/plan/home", json={"address": "1 Other Lane"}, headers=other)
    kid = sign_in(client, app, "kid@example.org")
    assert accept(client, kid, invite(client, first).json()["token"]).status_code == 200
    client.post("/api/v1/me/plan/leave", headers=kid)
    switched = accept(client, kid, invite(client, other).json()["token"], "1 Other Lane")
    assert switched.status_code == 200  # the one switch of the year
    client.post("/api/v1/me/plan/leave", headers=kid)
    again = accept(client, kid, invite(client, first).json()["token"])
    assert again.status_code == 403 and again.json()["error"]["code"] == "family_switch_limit"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert may_switch_family(
        [(1, now - timedelta(days=400)), (2, now - timedelta(days=370))], 1, now
    )


def test_the_manager_filters_explicit_content_for_a_member(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    folder = make_release(tmp_path / "explicit")
    manifest = json.loads((folder / "release.json").read_text())
    manifest["tracks"][0]["explicit"] = True
    (folder / "release.json").write_text(json.dumps(manifest))
    release_id = deliver(app, folder).release_id
    manager = family_manager(client, app)
    kid = sign_in(client, app, "kid@example.org")
    accept(client, kid, invite(client, manager).json()["token"])
    tracks = client.get(f"/api/v1/releases/{release_id}", headers=kid).json()["tracks"]
    explicit_id = tracks[0]["id"]
    assert len(tracks) == 3
    kid_id = client.get("/api/v1/me", headers=kid).json()["id"]
    filtered = client.put(
        f"/api/v1/me/plan/members/{kid_id}/explicit", json={"allow": False}, headers=manager
    )
    assert filtered.status_code == 204
    seen = client.get(f"/api/v1/releases/{release_id}", headers=kid).json()["tracks"]
    assert [t["id"] for t in seen] == [t["id"] for t in tracks[1:]]
    refused = client.get(f"/api/v1/tracks/{explicit_id}/stream", headers=kid)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "explicit_content_filtered"
    assert client.get(f"/api/v1/tracks/{explicit_id}/stream", headers=manager).status_code == 200
    # A member cannot lift their own filter.
    lifted = client.put(
        f"/api/v1/me/plan/members/{kid_id}/explicit", json={"allow": True}, headers=kid
    )
    assert lifted.status_code == 403
