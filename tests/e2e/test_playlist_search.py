"""Playlists are found by search: public (and editorial) ones by anyone, by name and by
description; a private one only by its owner and those who joined it through an invite; the
index follows a rename, a new description, a switch to private or public, and a deletion."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in


def playlists_found(client: TestClient, q: str, who: dict[str, str] | None = None) -> list[str]:
    answer = client.get(
        "/api/v1/search", params={"q": q, "type": "playlist,track"}, headers=who or {}
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["playlists"]["items"]
    assert all(i["kind"] == "playlist" for i in items)
    return [i["playlist"]["name"] for i in items]


def make(client: TestClient, who: dict[str, str], **body: Any) -> int:
    answer = client.post("/api/v1/me/playlists", json=body, headers=who)
    assert answer.status_code == 201, answer.text
    playlist_id: int = answer.json()["id"]
    return playlist_id


def test_public_playlists_are_found_by_name_and_description_as_they_change(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    pid = make(client, ada, name="Sunday Morning Coffee", description="slow jazz for waking up")
    make(client, ada, name="Gym Bangers")
    # Anyone, signed in or not, finds it by a word of its name, as it is typed, with a typo,
    # or by its description.
    assert playlists_found(client, "sunday") == ["Sunday Morning Coffee"]
    assert playlists_found(client, "cof") == ["Sunday Morning Coffee"]
    assert playlists_found(client, "cofee morning") == ["Sunday Morning Coffee"]
    assert playlists_found(client, "jazz waking") == ["Sunday Morning Coffee"]
    hit = client.get("/api/v1/search", params={"q": "sunday", "type": "playlist"}).json()
    found = hit["playlists"]["items"][0]["playlist"]
    assert found["owner"]["display_name"] == "ada" and found["url"] == f"/api/v1/playlists/{pid}"
    assert "email" not in str(found)

    renamed = client.patch(
        f"/api/v1/playlists/{pid}",
        json={"name": "Lazy Afternoon", "description": "bossa nova"},
        headers=ada,
    )
    assert renamed.status_code == 200
    assert playlists_found(client, "sunday") == []
    assert playlists_found(client, "jazz") == []
    assert playlists_found(client, "lazy") == ["Lazy Afternoon"]
    assert playlists_found(client, "bossa") == ["Lazy Afternoon"]

    assert client.delete(f"/api/v1/playlists/{pid}", headers=ada).status_code == 204
    assert playlists_found(client, "lazy") == []
    assert playlists_found(client, "gym") == ["Gym Bangers"]


def test_a_private_playlist_is_found_only_by_its_owner_and_invited_listeners(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    bo = sign_in(client, app, "bo@example.org")
    cy = sign_in(client, app, "cy@example.org")
    pid = make(client, ada, name="Secret Sessions", public=False)
    assert playlists_found(client, "secret", ada) == ["Secret Sessions"]
    assert playlists_found(client, "secret", bo) == []
    assert playlists_found(client, "secret") == []

    link = client.post(f"/api/v1/playlists/{pid}/invites", json={}, headers=ada).json()
    assert client.post(link["url"], headers=bo).status_code == 200
    assert playlists_found(client, "secret", bo) == ["Secret Sessions"]
    assert playlists_found(client, "secret", cy) == []

    # Made public, everyone finds it; private again, the others do not.
    client.patch(f"/api/v1/playlists/{pid}", json={"public": True}, headers=ada)
    assert playlists_found(client, "secret", cy) == ["Secret Sessions"]
    assert playlists_found(client, "secret") == ["Secret Sessions"]
    client.patch(f"/api/v1/playlists/{pid}", json={"public": False}, headers=ada)
    assert playlists_found(client, "secret", cy) == []
    assert playlists_found(client, "secret", bo) == ["Secret Sessions"]  # invited: kept


def test_a_rebuilt_index_still_finds_playlists(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    make(client, ada, name="Editorial Picks of the Week")
    app.search.reindex()
    assert playlists_found(client, "editorial picks") == ["Editorial Picks of the Week"]
    # Filters describe music: a playlist is not an artist's or a genre's.
    assert playlists_found(client, "artist:editorial") == []
