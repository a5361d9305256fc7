"""Takedowns: a distributor withdraws its own release, an admin any; listeners and search lose
it at once, and neither a reindex nor a re-delivery brings it back until it is restored."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.catalog import Viewer
from tests.e2e.conftest import KEY
from tests.e2e.test_admin import events, signed_in, user_id
from tests.e2e.test_search import search, titles
from tests.fixtures.catalog import put_release


def test_a_distributor_takes_its_release_down_and_search_forgets_it_at_once(
    client: TestClient, app: App
) -> None:
    own = app.settings.distributor_name
    release_id, (fading, _) = put_release(
        app, "Vanishing Album", ["Ghost Choir"], ["Fading Song", "Echo"], distributor=own
    )
    other_id, _ = put_release(app, "Staying Album", ["Other Choir"], ["Staying Song"])
    assert titles(search(client, "fading")["tracks"]) == ["Fading Song"]
    assert titles(search(client, "ghost choir")["artists"]) == ["Ghost Choir"]

    done = client.post(f"/api/v1/distributor/releases/{release_id}/takedown", headers=KEY)
    assert done.status_code == 200, done.text
    assert done.json()["taken_down"] is True and done.json()["taken_down_at"]
    assert search(client, "fading")["top"] is None
    assert search(client, "vanishing")["top"] is None
    assert search(client, "ghost choir")["top"] is None  # its only release is gone
    assert client.get(f"/api/v1/releases/{release_id}").status_code == 404
    assert client.get(f"/api/v1/tracks/{fading}").status_code == 404
    assert release_id not in [
        r.id for r in app.catalog.new_releases(Viewer(country="GB", now=datetime.now(UTC)), 50)
    ]
    # The distributor still lists it; another distributor's release is not its to take down.
    listed = client.get("/api/v1/distributor/releases", headers=KEY).json()["items"]
    assert release_id in [r["id"] for r in listed]
    refused = client.post(f"/api/v1/distributor/releases/{other_id}/takedown", headers=KEY)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert titles(search(client, "staying")["tracks"]) == ["Staying Song"]
    assert client.post(f"/api/v1/distributor/releases/{release_id}/takedown").status_code == 401

    # Neither a full reindex nor a new delivery of it brings it back.
    app.search.reindex()
    put_release(app, "Vanishing Album", ["Ghost Choir"], ["Fading Song", "Echo"], distributor=own)
    assert search(client, "fading")["top"] is None

    back = client.delete(f"/api/v1/distributor/releases/{release_id}/takedown", headers=KEY)
    assert back.status_code == 200 and back.json()["taken_down"] is False
    assert titles(search(client, "fading")["tracks"]) == ["Fading Song"]
    assert client.get(f"/api/v1/releases/{release_id}").status_code == 200


def test_an_admin_takes_down_any_release(accounts: TestClient, app: App) -> None:
    release_id, _ = put_release(app, "Disputed Album", ["Claimed Band"], ["Borrowed Tune"])
    kept_id, _ = put_release(app, "Second Album", ["Claimed Band"], ["Own Tune"])
    admin = signed_in(accounts, app, "root@example.org", Role.ADMIN)
    listener = signed_in(accounts, app, "lee@example.org")
    path = f"/api/v1/admin/releases/{release_id}/takedown"
    assert accounts.post(path, headers=listener).status_code == 403
    assert titles(search(accounts, "borrowed")["tracks"]) == ["Borrowed Tune"]

    assert accounts.post(path, headers=admin).json()["taken_down"] is True
    assert search(accounts, "borrowed")["top"] is None
    assert titles(search(accounts, "disputed")["releases"]) == []
    # The band stays findable through its other release.
    assert titles(search(accounts, "claimed band")["artists"]) == ["Claimed Band"]
    missing = accounts.post("/api/v1/admin/releases/999999/takedown", headers=admin)
    assert missing.status_code == 404
    assert accounts.delete(path, headers=admin).json()["taken_down"] is False
    assert titles(search(accounts, "borrowed")["tracks"]) == ["Borrowed Tune"]
    assert kept_id != release_id


def test_who_took_a_release_down_when_and_why_is_on_record(accounts: TestClient, app: App) -> None:
    own = app.settings.distributor_name
    release_id, _ = put_release(app, "Claimed Album", ["Sampled Band"], ["Loop"], distributor=own)
    admin = signed_in(accounts, app, "root@example.org", Role.ADMIN)
    listener = signed_in(accounts, app, "lee@example.org")
    path = f"/api/v1/admin/releases/{release_id}/takedown"
    claim = {"reason": "rights claim #4411 from Example Music"}
    assert accounts.post(path, json=claim, headers=admin).json()["taken_down"] is True
    assert accounts.post(path, json={"reason": "again"}, headers=admin).status_code == 200
    own_path = f"/api/v1/distributor/releases/{release_id}/takedown"
    settled = accounts.request("DELETE", own_path, json={"reason": "claim settled"}, headers=KEY)
    assert settled.status_code == 200
    assert accounts.post(own_path, headers=KEY).status_code == 200  # no reason given

    history = accounts.get(f"{path}s", headers=admin)
    assert history.status_code == 200, history.text
    admin_id = user_id(accounts, admin)
    distributor = f"distributor:{app.distributor_id()}"
    assert [(e["action"], e["by"], e["reason"]) for e in history.json()] == [
        ("taken_down", distributor, None),
        ("restored", distributor, "claim settled"),
        ("taken_down", f"admin:{admin_id}", "rights claim #4411 from Example Music"),
    ]  # newest first; the repeated takedown changed nothing and is not recorded
    assert all(e["at"] for e in history.json())
    refused = accounts.get(f"{path}s", headers=listener)
    assert refused.status_code == 403
    assert accounts.get("/api/v1/admin/releases/999999/takedowns", headers=admin).status_code == 404

    # The admin's own security events, where admins read each other's actions, show it too.
    mine = [e for e in events(accounts, admin, admin_id) if e["kind"] == "admin_release_taken_down"]
    assert mine[0]["detail"] == {
        "release": str(release_id),
        "title": "Claimed Album",
        "reason": "rights claim #4411 from Example Music",
    }
    too_long = accounts.post(path, json={"reason": "x" * 501}, headers=admin)
    assert too_long.status_code == 422
