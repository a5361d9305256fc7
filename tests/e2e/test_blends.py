"""Blend: one listener makes an invite link, another (signed in) accepts it once, and both get
a playlist balancing their tastes, each track saying whose taste it comes from, with a match
score; only members read it, and a member may leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from cadenza.jobs.registry import find_job
from tests.e2e.conftest import sign_in
from tests.e2e.test_mixes import listen, small_catalog
from tests.e2e.test_social import me


def run_job(app: App, name: str) -> str:
    return find_job(name).run(app).said


def blend_of(client: TestClient, inviter: dict[str, str], invitee: dict[str, str]) -> int:
    made = client.post("/api/v1/blends", headers=inviter)
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["url"] == f"/blend/invite/{link['token']}"
    asked = client.get(f"/api/v1/blend-invites/{link['token']}", headers=invitee)
    assert asked.status_code == 200
    accepted = client.post(link["accept"], headers=invitee)
    assert accepted.status_code == 200, accepted.text
    blend_id: int = accepted.json()["id"]
    return blend_id


def test_a_blend_draws_from_both_members_and_says_whose_taste_each_track_is(
    client: TestClient, app: App
) -> None:
    songs = small_catalog(app)
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    bo = sign_in(client, app, "bo@example.org")
    listen(client, ada, songs["daft"][:3], "ada")
    listen(client, bo, songs["pop"], "bo")

    blend_id = blend_of(client, ada, bo)
    for who in (ada, bo):
        [listed] = client.get("/api/v1/blends", headers=who).json()
        assert listed["id"] == blend_id and listed["name"] == "ada + bo"
    found: dict[str, Any] = client.get(f"/api/v1/blends/{blend_id}", headers=bo).json()
    assert 0 <= found["match_score"] <= 100
    tracks = found["tracks"]
    by_member: dict[str, set[int]] = {}
    for item in tracks:
        by_member.setdefault(item["from_member"]["display_name"], set()).add(item["track"]["id"])
    assert set(by_member) == {"ada", "bo"}  # both tastes are in it
    assert set(songs["daft"][:3]) <= by_member["ada"]
    assert set(songs["pop"]) <= by_member["bo"]
    ids = [i["track"]["id"] for i in tracks]
    assert len(ids) == len(set(ids))
    assert not set(ids) & set(songs["hidden"])  # nothing either cannot hear
    # Turns: neither taste takes the first four places alone.
    firsts = [i["from_member"]["display_name"] for i in tracks[:4]]
    assert firsts.count("ada") == firsts.count("bo") == 2


def test_tastes_alike_match_better_than_tastes_apart(client: TestClient, app: App) -> None:
    songs = small_catalog(app)
    ada = sign_in(client, app, "ada@example.org")
    twin = sign_in(client, app, "twin@example.org")
    pop = sign_in(client, app, "pop@example.org")
    listen(client, ada, songs["daft"][:3], "ada")
    listen(client, twin, songs["daft"][1:], "twin")
    listen(client, pop, songs["pop"], "pop")
    alike = client.get(f"/api/v1/blends/{blend_of(client, ada, twin)}", headers=ada).json()
    apart = client.get(f"/api/v1/blends/{blend_of(client, ada, pop)}", headers=ada).json()
    assert alike["match_score"] > 80
    assert apart["match_score"] < 20


def test_an_invite_works_once_and_only_for_another_signed_in_listener(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    bo = sign_in(client, app, "bo@example.org")
    cy = sign_in(client, app, "cy@example.org")
    link = client.post("/api/v1/blends", headers=ada).json()
    assert client.post(link["accept"]).status_code == 401
    own = client.post(link["accept"], headers=ada)
    assert own.status_code == 409 and own.json()["error"]["code"] == "own_blend_invite"
    assert client.post(link["accept"], headers=bo).status_code == 200
    again = client.post(link["accept"], headers=cy)
    assert again.status_code == 404 and again.json()["error"]["code"] == "invite_used"
    assert client.get(f"/api/v1/blend-invites/{link['token']}", headers=cy).status_code == 404
    forged = client.post("/api/v1/blend-invites/" + "x" * 43, headers=cy)
    assert forged.status_code == 404
    assert client.get("/api/v1/blends", headers=cy).json() == []


def test_only_members_read_a_blend_and_one_left_alone_is_gone(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    bo = sign_in(client, app, "bo@example.org")
    cy = sign_in(client, app, "cy@example.org")
    blend_id = blend_of(client, ada, bo)
    outsider = client.get(f"/api/v1/blends/{blend_id}", headers=cy)
    assert outsider.status_code == 404 and outsider.json()["error"]["code"] == "blend_not_found"
    assert client.delete(f"/api/v1/blends/{blend_id}", headers=cy).status_code == 404
    assert client.get(f"/api/v1/blends/{blend_id}").status_code == 401

    assert client.delete(f"/api/v1/blends/{blend_id}", headers=bo).status_code == 204
    assert client.get("/api/v1/blends", headers=bo).json() == []
    assert client.get(f"/api/v1/blends/{blend_id}", headers=ada).status_code == 404
    assert client.get("/api/v1/blends", headers=ada).json() == []


def test_a_blend_is_made_again_the_next_day_from_what_its_members_play_now(
    client: TestClient, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    songs = small_catalog(app)
    ada = sign_in(client, app, "ada@example.org")
    bo = sign_in(client, app, "bo@example.org")
    listen(client, ada, songs["daft"][:3], "ada")
    listen(client, bo, songs["pop"], "bo")
    blend_id = blend_of(client, ada, bo)
    me_ada, me_bo = me(client, ada), me(client, bo)
    before = client.get(f"/api/v1/blends/{blend_id}", headers=ada).json()
    assert not {i["track"]["id"] for i in before["tracks"][:4]} & set(songs["justice"])

    listen(client, bo, songs["justice"] * 3, "bo-new", days_ago=0)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr(app.clock, "now", lambda: tomorrow)
    assert run_job(app, "blends") == "made 1 Blends again (those last made before today)"
    # (read through the service: a day later the test's access tokens have expired)
    blend, items = app.blends.get(me_ada, blend_id)
    assert blend.refreshed_at.date() == tomorrow.date()
    # Bo's turns now start with what bo plays most.
    from_bo = [i.track.track_id for i in items if i.track.member_id == me_bo]
    assert set(from_bo[:2]) == set(songs["justice"])
    assert run_job(app, "blends") == "made 0 Blends again (those last made before today)"
