"""What a play command and a stream grant read is the database's answer of the moment: a
takedown, a plan change, an explicit filter or a logout acts on the very next command, even
right after the same listener played the same track (nothing is remembered between commands)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.grants import ask_grant, device_of
from tests.e2e.test_admin import signed_in
from tests.e2e.test_player import play, tracks_of
from tests.fixtures.catalog import Song, put_release


def grant(client: TestClient, who: dict[str, str], track_id: int, quality: str) -> Any:
    return ask_grant(client, who, track_id, quality)


def me(client: TestClient, who: dict[str, str]) -> int:
    found: int = client.get("/api/v1/me", headers=who).json()["id"]
    return found


def test_a_takedown_stops_the_next_play_and_grant_at_once(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    first, second, _ = tracks_of(client, published)
    for _ in range(2):  # the same command twice: the second one is answered as the first
        started = play(client, premium, track_ids=[first], quality="very_high")
        assert started.status_code == 200 and started.json()["stream"]["track_id"] == first
    assert grant(client, premium, second, "very_high").status_code == 200  # the prefetch

    admin = signed_in(client, app, "root@example.org", Role.ADMIN)
    path = f"/api/v1/admin/releases/{published}/takedown"
    assert client.post(path, headers=admin).json()["taken_down"] is True
    refused = play(client, premium, track_ids=[first], quality="very_high")
    assert refused.status_code == 404
    assert play(client, premium, context={"kind": "release", "id": published}).status_code == 404
    assert grant(client, premium, second, "very_high").status_code == 404
    # The player still shows where it was, but hands out no audio for the withdrawn track.
    assert client.get("/api/v1/me/player", headers=premium).json()["stream"] is None

    assert client.delete(path, headers=admin).json()["taken_down"] is False
    assert play(client, premium, track_ids=[first], quality="very_high").status_code == 200


def test_a_plan_change_applies_to_the_next_play_and_grant(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    first, second, _ = tracks_of(client, published)
    assert play(client, premium, track_ids=[first], quality="very_high").status_code == 200
    assert grant(client, premium, second, "very_high").status_code == 200

    app.subscriptions.grant(me(client, premium), Plan.FREE)  # the operator moves them to Free
    chosen = play(client, premium, track_ids=[first])
    assert chosen.status_code == 403 and chosen.json()["error"]["code"] == "shuffle_only"
    best = grant(client, premium, second, "very_high")
    assert best.status_code == 403 and best.json()["error"]["code"] == "quality_not_in_plan"
    assert grant(client, premium, second, "high").status_code == 200

    app.subscriptions.grant(me(client, premium), Plan.PREMIUM_INDIVIDUAL)
    assert play(client, premium, track_ids=[first], quality="very_high").status_code == 200


def test_a_logout_ends_the_next_play_command_at_once(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    first = tracks_of(client, published)[0]
    assert play(client, premium, track_ids=[first]).status_code == 200
    device = device_of(client, premium)
    assert client.post("/api/v1/auth/logout", headers=premium).status_code == 204
    ended = play(client, premium, track_ids=[first])
    assert ended.status_code == 401 and ended.json()["error"]["code"] == "session_ended"
    assert client.post("/api/v1/me/player/next", headers=premium).status_code == 401
    assert ask_grant(client, premium, first, "high", device).status_code == 401


def test_territories_and_release_dates_hold_for_a_list_of_tracks(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    _, (here,) = put_release(app, "Everywhere", ["Wide Band"], ["Here Song"])
    only_in_france, (there,) = put_release(
        app, "Only In France", ["Local Band"], ["There Song"], territories=("FR",)
    )
    assert play(client, premium, track_ids=[here]).status_code == 200
    elsewhere = play(client, premium, context={"kind": "release", "id": only_in_france})
    assert elsewhere.status_code == 404
    # One track the listener (in the US) may not hear refuses the whole list, as a single one.
    for ids in ([there], [here, there]):
        refused = play(client, premium, track_ids=ids)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert grant(client, premium, there, "high").status_code == 404

    coming, (soon,) = put_release(
        app, "Next Month", ["Wide Band"], ["Soon Song"], released=datetime.now(UTC) + timedelta(30)
    )
    assert play(client, premium, context={"kind": "release", "id": coming}).status_code == 404
    assert play(client, premium, track_ids=[here, soon]).status_code == 404
    assert grant(client, premium, soon, "high").status_code == 404


def test_the_explicit_filter_applies_to_the_next_play(
    client: TestClient, app: App, published: int
) -> None:
    """A listener who filters explicit content (a Family member whose manager turned it off)
    is refused an explicit track on the next command."""
    kid = sign_in(client, app, "kid@example.org", Plan.PREMIUM_INDIVIDUAL)
    release_id, (explicit_track, clean_track) = put_release(
        app,
        "Loud Words",
        ["Rude Band"],
        [Song("Rude Song", explicit=True), "Clean Song"],
        explicit=True,
    )
    assert play(client, kid, track_ids=[explicit_track]).status_code == 200
    whole = play(client, kid, context={"kind": "release", "id": release_id}).json()
    assert [whole["track_id"], *whole["up_next"]] == [explicit_track, clean_track]
    with app.uow() as uow:  # what the manager's switch writes (tests/e2e/test_plan_members.py)
        membership = uow.members.membership(me(client, kid))
        assert membership is not None
        uow.members.set_explicit(membership.subscription_id, membership.user_id, False)
        uow.commit()
    refused = play(client, kid, track_ids=[explicit_track])
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "explicit_content_filtered"
    # The release plays without its explicit track.
    clean = play(client, kid, context={"kind": "release", "id": release_id}).json()
    assert [clean["track_id"], *clean["up_next"]] == [clean_track]
