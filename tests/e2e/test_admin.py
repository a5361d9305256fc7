"""Admins manage accounts over HTTP; artist accounts see their own artist profiles. Everyone
else gets 403, strangers 401, and every admin action lands in the security events."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from tests.e2e.test_accounts import PASSWORD, body, log_in, mails
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

ADMIN = "/api/v1/admin/users"


def signed_in(client: TestClient, app: App, email: str, *roles: Role) -> dict[str, str]:
    """A verified account made by the operator, logged in (the e-mailed code answered)."""
    app.accounts.create(email, PASSWORD, roles=list(roles))
    asked = log_in(client, app, "desk", email=email)
    assert asked.json()["error"]["code"] == "email_code_required"
    code = re.search(r"enter this code: (\d{6})", body(mails(app)[-1]))
    assert code is not None
    tokens = log_in(client, app, "desk", email=email, email_code=code.group(1)).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def user_id(client: TestClient, headers: dict[str, str]) -> int:
    found: int = client.get("/api/v1/me", headers=headers).json()["id"]
    return found


def events(client: TestClient, admin: dict[str, str], uid: int) -> list[dict[str, Any]]:
    answer = client.get(f"{ADMIN}/{uid}/security-events", headers=admin)
    assert answer.status_code == 200
    found: list[dict[str, Any]] = answer.json()
    return found


def test_admin_endpoints_answer_only_admins(accounts: TestClient, app: App) -> None:
    listener = signed_in(accounts, app, "lee@example.org")
    uid = user_id(accounts, listener)
    calls = [
        ("GET", ADMIN, None),
        ("GET", f"{ADMIN}/{uid}", None),
        ("POST", f"{ADMIN}/{uid}/disable", None),
        ("POST", f"{ADMIN}/{uid}/enable", None),
        ("POST", f"{ADMIN}/{uid}/reset-two-factor", None),
        ("PUT", f"{ADMIN}/{uid}/roles", {"roles": ["admin"]}),
        ("PUT", f"{ADMIN}/{uid}/plan", {"plan": "premium_family"}),
        ("PUT", f"{ADMIN}/{uid}/artists/1", None),
        ("DELETE", f"{ADMIN}/{uid}/artists/1", None),
        ("GET", f"{ADMIN}/{uid}/security-events", None),
    ]
    for method, path, form in calls:
        stranger = accounts.request(method, path, json=form)
        assert stranger.status_code == 401, path
        refused = accounts.request(method, path, json=form, headers=listener)
        assert refused.status_code == 403, path
        assert refused.json()["error"]["code"] == "admin_only"
    assert accounts.get("/api/v1/me", headers=listener).json()["roles"] == ["listener"]
    assert accounts.get("/api/v1/me/plan", headers=listener).json()["plan"] == "free"


def test_admins_find_users_page_by_page(accounts: TestClient, app: App) -> None:
    admin = signed_in(accounts, app, "root@example.org", Role.ADMIN)
    for n in range(5):
        app.accounts.create(f"fan{n}@example.org", PASSWORD, roles=[])
    seen, url = [], f"{ADMIN}?limit=2"
    while url:
        page = accounts.get(url, headers=admin).json()
        assert len(page["items"]) <= 2
        seen += [u["email"] for u in page["items"]]
        url = page["next"]
    assert sorted(seen) == [*(f"fan{n}@example.org" for n in range(5)), "root@example.org"]
    found = accounts.get(ADMIN, params={"q": "FAN3"}, headers=admin).json()["items"]
    assert [u["email"] for u in found] == ["fan3@example.org"]
    assert found[0]["disabled"] is False and found[0]["roles"] == ["listener"]
    none = accounts.get(ADMIN, params={"q": "%"}, headers=admin).json()["items"]
    assert none == []  # a wildcard is searched for as itself
    mine = {e["kind"] for e in accounts.get("/api/v1/me/security-events", headers=admin).json()}
    assert "admin_listed_users" in mine


def test_disabling_ends_the_sessions_until_enabled(accounts: TestClient, app: App) -> None:
    admin = signed_in(accounts, app, "root@example.org", Role.ADMIN)
    listener = signed_in(accounts, app, "lee@example.org")
    uid = user_id(accounts, listener)
    disabled = accounts.post(f"{ADMIN}/{uid}/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    assert accounts.get("/api/v1/me", headers=listener).status_code == 401
    refused = log_in(accounts, app, "desk", email="lee@example.org")
    assert refused.json()["error"]["code"] == "invalid_credentials"  # as a wrong password
    assert accounts.post(f"{ADMIN}/{uid}/enable", headers=admin).json()["disabled"] is False
    assert log_in(accounts, app, "desk", email="lee@example.org").status_code == 200
    kinds = [e for e in events(accounts, admin, uid) if e["kind"].endswith("_by_admin")]
    admin_id = user_id(accounts, admin)
    assert [(e["kind"], e["detail"]["by"]) for e in kinds] == [
        ("enabled_by_admin", f"admin:{admin_id}"),
        ("disabled_by_admin", f"admin:{admin_id}"),
    ]
    mine = accounts.get("/api/v1/me/security-events", headers=admin).json()
    assert {"admin_disabled", "admin_enabled", "admin_read_security_events"} <= {
        e["kind"] for e in mine
    }
    myself = accounts.post(f"{ADMIN}/{admin_id}/disable", headers=admin)
    assert myself.status_code == 422 and myself.json()["error"]["code"] == "own_account"


def test_admins_set_roles_and_reset_two_factor(accounts: TestClient, app: App) -> None:
    admin = signed_in(accounts, app, "root@example.org", Role.ADMIN)
    uid = user_id(accounts, signed_in(accounts, app, "lee@example.org"))
    with app.uow() as uow:  # as if Lee had turned two-factor on, then lost the phone
        uow.two_factor.set_two_factor(uid, "JBSWY3DPEHPK3PXP", None)
        uow.commit()
    assert accounts.get(f"{ADMIN}/{uid}", headers=admin).json()["two_factor"] is True
    reset = accounts.post(f"{ADMIN}/{uid}/reset-two-factor", headers=admin)
    assert reset.json()["two_factor"] is False
    roles = accounts.put(f"{ADMIN}/{uid}/roles", json={"roles": ["artist"]}, headers=admin)
    assert roles.json()["roles"] == ["artist", "listener"]
    bad = accounts.put(f"{ADMIN}/{uid}/roles", json={"roles": ["owner"]}, headers=admin)
    assert bad.status_code == 422
    assert {"two_factor_reset_by_admin", "roles_set_by_admin"} <= {
        e["kind"] for e in events(accounts, admin, uid)
    }
    admin_id = user_id(accounts, admin)
    demote = accounts.put(f"{ADMIN}/{admin_id}/roles", json={"roles": []}, headers=admin)
    assert demote.json()["error"]["code"] == "own_account"
    assert accounts.get(f"{ADMIN}/999999", headers=admin).status_code == 404


def test_admins_give_and_take_premium_and_the_listener_notices_at_once(
    accounts: TestClient, app: App
) -> None:
    admin = signed_in(accounts, app, "root@example.org", Role.ADMIN)
    lee = signed_in(accounts, app, "lee@example.org")
    uid = user_id(accounts, lee)

    def features() -> dict[str, Any]:
        plan: dict[str, Any] = accounts.get("/api/v1/me/plan", headers=lee).json()
        return {"plan": plan["plan"]} | plan["features"]

    assert features()["ads"] is True and features()["offline_devices"] == 0
    given = accounts.put(f"{ADMIN}/{uid}/plan", json={"plan": "premium_individual"}, headers=admin)
    assert given.status_code == 200 and given.json()["plan"] == "premium_individual"
    now = features()
    assert (now["plan"], now["ads"], now["offline_devices"]) == ("premium_individual", False, 5)
    assert "lossless" in now["qualities"]
    # Lee may not give himself another plan through the admin route.
    own = accounts.put(f"{ADMIN}/{uid}/plan", json={"plan": "premium_family"}, headers=lee)
    assert own.status_code == 403 and own.json()["error"]["code"] == "admin_only"
    taken = accounts.put(f"{ADMIN}/{uid}/plan", json={"plan": "free"}, headers=admin)
    assert taken.json()["plan"] == "free"
    assert (features()["ads"], features()["on_demand"]) == (True, False)
    bad = accounts.put(f"{ADMIN}/{uid}/plan", json={"plan": "gold"}, headers=admin)
    assert bad.status_code == 422
    missing = accounts.put(f"{ADMIN}/999999/plan", json={"plan": "plus"}, headers=admin)
    assert missing.status_code == 404
    admin_id = user_id(accounts, admin)
    logged = [e for e in events(accounts, admin, uid) if e["kind"] == "plan_set_by_admin"]
    assert [(e["detail"]["was"], e["detail"]["plan"], e["detail"]["by"]) for e in logged] == [
        ("premium_individual", "free", f"admin:{admin_id}"),
        ("free", "premium_individual", f"admin:{admin_id}"),
    ]
    mine = accounts.get("/api/v1/me/security-events", headers=admin).json()
    assert [e["kind"] for e in mine].count("admin_plan_set") == 2


def test_artist_accounts_see_their_own_profiles_and_no_one_elses(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    mine = deliver(app, make_release(tmp_path / "a", formats=("flac",), artist="The Testers"))
    later = make_release(
        tmp_path / "b",
        formats=("flac",),
        title="Next Year",
        artist="The Testers",
        upc="123456789029",
        isrc_prefix="QZTST27",
        extra={"release_date": "2099-01-01"},
    )
    deliver(app, later)
    theirs = deliver(
        app,
        make_release(
            tmp_path / "c",
            formats=("flac",),
            artist="Someone Else",
            upc=None,
            isrc_prefix="QZOTH26",
        ),
    )
    testers = accounts.get(f"/api/v1/releases/{mine.release_id}").json()["artists"][0]["id"]
    other = accounts.get(f"/api/v1/releases/{theirs.release_id}").json()["artists"][0]["id"]
    admin = signed_in(accounts, app, "root@example.org", Role.ADMIN)
    artist = signed_in(accounts, app, "band@example.org", Role.ARTIST)
    uid = user_id(accounts, artist)

    linked = accounts.put(f"{ADMIN}/{uid}/artists/{testers}", headers=admin)
    the_testers = {"id": testers, "name": "The Testers", "url": f"/api/v1/artists/{testers}"}
    assert linked.json() == [the_testers]
    assert accounts.get("/api/v1/me", headers=artist).json()["artists"] == [the_testers]
    profiles = accounts.get("/api/v1/me/artists", headers=artist).json()
    assert [p["id"] for p in profiles] == [testers]
    releases = {r["title"]: r["released"] for r in profiles[0]["releases"]}
    assert releases == {"Night Drive": True, "Next Year": False}  # unreleased work too
    assert accounts.get(f"/api/v1/me/artists/{testers}", headers=artist).status_code == 200
    refused = accounts.get(f"/api/v1/me/artists/{other}", headers=artist)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_your_artist"
    # A plan given to the artist's account answers the account as the other admin routes do,
    # its artist profiles included (given anew, and as it already is).
    for _ in range(2):
        planned = accounts.put(f"{ADMIN}/{uid}/plan", json={"plan": "plus"}, headers=admin)
        assert planned.status_code == 200
        assert planned.json() == accounts.get(f"{ADMIN}/{uid}", headers=admin).json()
        assert planned.json()["artists"] == [the_testers]

    listener = signed_in(accounts, app, "lee@example.org")
    assert accounts.get("/api/v1/me/artists", headers=listener).status_code == 403
    not_artist = accounts.put(
        f"{ADMIN}/{user_id(accounts, listener)}/artists/{other}", headers=admin
    )
    assert not_artist.json()["error"]["code"] == "not_an_artist"
    assert accounts.put(f"{ADMIN}/{uid}/artists/999999", headers=admin).status_code == 404

    assert accounts.delete(f"{ADMIN}/{uid}/artists/{testers}", headers=admin).json() == []
    assert accounts.get("/api/v1/me", headers=artist).json()["artists"] == []
    assert accounts.get(f"/api/v1/me/artists/{testers}", headers=artist).status_code == 403
    assert {"artist_linked_by_admin", "artist_unlinked_by_admin"} <= {
        e["kind"] for e in events(accounts, admin, uid)
    }
