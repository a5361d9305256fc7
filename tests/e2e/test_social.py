"""Listeners follow each other and see what the people they follow play: a public profile
shows a name and public playlists only; sharing is off until turned on; a private session's
plays never show; a blocked or unfollowed listener leaves the friend activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_listening import play
from tests.fixtures.catalog import put_release


def me(client: TestClient, who: dict[str, str]) -> int:
    account_id: int = client.get("/api/v1/me", headers=who).json()["id"]
    return account_id


def listen_to(
    client: TestClient, who: dict[str, str], track: int, tag: str, ago: timedelta, done: bool
) -> None:
    """A play of 45 s that started `ago`; `done`: it ended, else it is still playing."""
    events = play(track, tag, 45, datetime.now(UTC) - ago)
    if not done:
        events = [e for e in events if e["kind"] != "end" and e["position_ms"] <= 10_000]
    answer = post_events(client, who, events)
    assert answer.json()["rejected"] == [], answer.text


def activity(client: TestClient, who: dict[str, str]) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/me/friend-activity", headers=who)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def share(client: TestClient, who: dict[str, str], **body: bool) -> dict[str, Any]:
    answer = client.put("/api/v1/me/sharing", json=body, headers=who)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_a_profile_shows_a_name_and_public_playlists_and_follows_count(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    bo = sign_in(client, app, "bo@example.org")
    ada_id, bo_id = me(client, ada), me(client, bo)
    client.post("/api/v1/me/playlists", json={"name": "Out loud"}, headers=ada)
    client.post("/api/v1/me/playlists", json={"name": "Diary", "public": False}, headers=ada)

    seen = client.get(f"/api/v1/users/{ada_id}").json()
    assert seen["display_name"] == "ada"
    assert [p["name"] for p in seen["playlists"]] == ["Out loud"]
    assert "example.org" not in str(seen) and "Diary" not in str(seen)

    followed = client.put(f"/api/v1/me/following/listeners/{ada_id}", headers=bo)
    assert followed.status_code == 200 and followed.json()["display_name"] == "ada"
    again = client.put(f"/api/v1/me/following/listeners/{ada_id}", headers=bo)
    assert again.status_code == 200  # following twice changes nothing
    page = client.get("/api/v1/me/following/listeners", headers=bo).json()
    assert [p["id"] for p in page["items"]] == [ada_id] and page["total"] == 1
    profile = client.get(f"/api/v1/users/{ada_id}", headers=bo).json()
    assert profile["followers"] == 1 and profile["followed_by_you"] is True
    exported = client.get("/api/v1/me/export", headers=bo).json()["social"]
    assert exported["following_listeners"] == [{"id": ada_id, "display_name": "ada"}]
    assert exported["share_activity"] is False

    myself = client.put(f"/api/v1/me/following/listeners/{bo_id}", headers=bo)
    assert myself.json()["error"]["code"] == "cannot_follow_yourself"
    nobody = client.put("/api/v1/me/following/listeners/999999", headers=bo)
    assert nobody.status_code == 404
    assert client.get("/api/v1/users/999999").json()["error"]["code"] == "listener_not_found"

    assert client.delete(f"/api/v1/me/following/listeners/{ada_id}", headers=bo).status_code == 204
    assert client.get(f"/api/v1/users/{ada_id}").json()["followers"] == 0


def test_friend_activity_shows_only_what_friends_chose_to_share(
    client: TestClient, app: App
) -> None:
    _, (song, other, third) = put_release(
        app, "Night Drive", ["Kavinsky"], ["Nightcall", "Odd Look", "Roadgame"]
    )
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    bo = sign_in(client, app, "bo@example.org", Plan.PREMIUM_INDIVIDUAL)
    ada_id = me(client, ada)
    client.put(f"/api/v1/me/following/listeners/{ada_id}", headers=bo)
    listen_to(client, ada, song, "p1", timedelta(hours=2), done=True)

    # Off by default: nothing shows.
    assert client.get("/api/v1/me/sharing", headers=ada).json()["share_activity"] is False
    assert activity(client, bo) == []

    assert share(client, ada, share_activity=True)["share_activity"] is True
    [seen] = activity(client, bo)
    assert seen["listener"] == {"id": ada_id, "display_name": "ada"}
    assert seen["track"]["title"] == "Nightcall" and seen["playing_now"] is False

    listen_to(client, ada, other, "p2", timedelta(seconds=15), done=False)
    [seen] = activity(client, bo)
    assert seen["track"]["title"] == "Odd Look" and seen["playing_now"] is True

    # A private session hides everything; what it played stays hidden once it ends.
    assert share(client, ada, private_session=True)["private_session"] is True
    assert activity(client, bo) == []
    listen_to(client, ada, third, "p3", timedelta(0), done=False)  # playing, in private
    assert share(client, ada, private_session=False)["private_session"] is False
    [seen] = activity(client, bo)
    assert seen["track"]["title"] == "Odd Look"  # not Roadgame, played in private

    # Unfollowed: gone.
    client.delete(f"/api/v1/me/following/listeners/{ada_id}", headers=bo)
    assert activity(client, bo) == []


def test_a_blocked_listener_disappears_and_cannot_follow_again(
    client: TestClient, app: App
) -> None:
    _, (song,) = put_release(app, "Single", ["Robyn"], ["Dancing On My Own"])
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    bo = sign_in(client, app, "bo@example.org", Plan.PREMIUM_INDIVIDUAL)
    ada_id, bo_id = me(client, ada), me(client, bo)
    share(client, ada, share_activity=True)
    listen_to(client, ada, song, "p1", timedelta(minutes=30), done=True)
    client.put(f"/api/v1/me/following/listeners/{ada_id}", headers=bo)
    assert len(activity(client, bo)) == 1

    assert client.put(f"/api/v1/me/blocked/listeners/{bo_id}", headers=ada).status_code == 204
    assert activity(client, bo) == []
    assert client.get("/api/v1/me/following/listeners", headers=bo).json()["total"] == 0
    refused = client.put(f"/api/v1/me/following/listeners/{ada_id}", headers=bo)
    assert refused.status_code == 404  # as if there were no such listener
    assert client.get(f"/api/v1/users/{ada_id}", headers=bo).status_code == 404
    blocked = client.get("/api/v1/me/blocked/listeners", headers=ada).json()
    assert [b["id"] for b in blocked] == [bo_id]

    client.delete(f"/api/v1/me/blocked/listeners/{bo_id}", headers=ada)
    assert client.put(f"/api/v1/me/following/listeners/{ada_id}", headers=bo).status_code == 200
    assert len(activity(client, bo)) == 1


def test_social_routes_need_a_signed_in_listener(client: TestClient) -> None:
    for method, path in (
        ("GET", "/api/v1/me/friend-activity"),
        ("PUT", "/api/v1/me/following/listeners/1"),
        ("GET", "/api/v1/me/sharing"),
    ):
        assert client.request(method, path).status_code == 401
