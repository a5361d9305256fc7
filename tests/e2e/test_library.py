"""The listener's library through HTTP: liked songs, saved releases, followed artists, Your
Library sorted and filtered, liked songs as a player context, export and deletion."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import LISTENER_PASSWORD, sign_in
from tests.fixtures.catalog import put_release


def error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def artist_of(client: TestClient, release_id: int) -> int:
    return int(client.get(f"/api/v1/releases/{release_id}").json()["artists"][0]["id"])


def test_liking_and_unliking_tracks(client: TestClient, app: App, premium: dict[str, str]) -> None:
    _, (one, two, three) = put_release(app, "Blue Hour", ["Ink"], ["Dawn", "Noon", "Dusk"])
    assert client.put(f"/api/v1/me/tracks/{two}", headers=premium).status_code == 204
    assert client.put(f"/api/v1/me/tracks?ids={one},{three}", headers=premium).status_code == 204
    assert client.put(f"/api/v1/me/tracks/{two}", headers=premium).status_code == 204  # again
    liked = client.get("/api/v1/me/tracks", params={"limit": 2}, headers=premium).json()
    assert liked["total"] == 3 and len(liked["items"]) == 2
    assert liked["next"] == "/api/v1/me/tracks?limit=2&offset=2"
    rest = client.get(liked["next"], headers=premium).json()
    newest_first = [i["track"]["id"] for i in liked["items"] + rest["items"]]
    assert newest_first[2] == two  # liked first, so listed last
    assert set(newest_first) == {one, two, three}
    assert liked["items"][0]["track"]["playable"] is True
    assert liked["items"][0]["track"]["release"]["title"] == "Blue Hour"
    contains = client.get(f"/api/v1/me/tracks/contains?ids={three},{two},999", headers=premium)
    assert contains.json() == [True, True, False]
    assert client.delete(f"/api/v1/me/tracks?ids={one},{two}", headers=premium).status_code == 204
    assert client.delete(f"/api/v1/me/tracks/{three}", headers=premium).status_code == 204
    assert client.get("/api/v1/me/tracks", headers=premium).json()["total"] == 0


def test_liking_asks_for_tracks_the_listener_can_see(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    _, (elsewhere,) = put_release(app, "Far Away", ["Ink"], ["Fjord"], territories=("NO",))
    assert error(client.put(f"/api/v1/me/tracks/{elsewhere}", headers=premium)) == (
        404,
        "not_found",
    )
    assert error(client.put("/api/v1/me/tracks?ids=1,x", headers=premium)) == (422, "invalid_ids")
    many = ",".join(str(i) for i in range(1, 60))
    assert error(client.put(f"/api/v1/me/tracks?ids={many}", headers=premium)) == (
        422,
        "too_many_ids",
    )
    assert client.put("/api/v1/me/tracks/1").status_code == 401


def test_saving_releases_and_following_artists(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    kind_of_blue, _ = put_release(app, "Kind of Blue", ["Miles Davis"], ["So What"])
    abbey_road, _ = put_release(app, "Abbey Road", ["The Beatles"], ["Come Together"])
    miles = artist_of(client, kind_of_blue)
    assert client.put(f"/api/v1/me/releases?ids={kind_of_blue}", headers=premium).status_code == 204
    assert client.put(f"/api/v1/me/releases/{abbey_road}", headers=premium).status_code == 204
    assert client.put(f"/api/v1/me/following/artists/{miles}", headers=premium).status_code == 204
    saved = client.get("/api/v1/me/releases", headers=premium).json()
    assert [s["release"]["title"] for s in saved["items"]] == ["Abbey Road", "Kind of Blue"]
    assert saved["items"][0]["available"] is True
    followed = client.get("/api/v1/me/following/artists", headers=premium).json()
    assert [(a["artist_id"], a["name"]) for a in followed["items"]] == [(miles, "Miles Davis")]
    following = client.get(
        f"/api/v1/me/following/artists/contains?ids={miles},{miles + 100}", headers=premium
    )
    assert following.json() == [True, False]
    client.post("/api/v1/me/playlists", json={"name": "Morning coffee"}, headers=premium)

    def library(**params: str) -> list[tuple[str, str]]:
        answer = client.get("/api/v1/me/library", params=params, headers=premium)
        assert answer.status_code == 200, answer.text
        return [(i["kind"], i["name"]) for i in answer.json()["items"]]

    assert library() == [
        ("playlist", "Morning coffee"),
        ("artist", "Miles Davis"),
        ("release", "Abbey Road"),
        ("release", "Kind of Blue"),
    ]
    assert library(sort="alphabetical") == [
        ("release", "Abbey Road"),
        ("release", "Kind of Blue"),
        ("artist", "Miles Davis"),
        ("playlist", "Morning coffee"),
    ]
    # By creator: Miles Davis (his release and himself), premium (the playlist), The Beatles.
    assert library(sort="creator") == [
        ("release", "Kind of Blue"),
        ("artist", "Miles Davis"),
        ("playlist", "Morning coffee"),
        ("release", "Abbey Road"),
    ]
    assert library(kind="release", q="beatles") == [("release", "Abbey Road")]
    assert library(kind="artist") == [("artist", "Miles Davis")]
    bad = client.get("/api/v1/me/library", params={"sort": "loudest"}, headers=premium)
    assert bad.status_code == 422
    assert client.delete(f"/api/v1/me/releases/{abbey_road}", headers=premium).status_code == 204
    assert (
        client.delete(f"/api/v1/me/following/artists?ids={miles}", headers=premium).status_code
        == 204
    )
    assert library(sort="alphabetical") == [
        ("release", "Kind of Blue"),
        ("playlist", "Morning coffee"),
    ]


def test_liked_songs_play_as_a_context(client: TestClient, app: App) -> None:
    _, tracks = put_release(app, "Liked Ones", ["Ink"], ["A", "B", "C"])
    premium = sign_in(client, app, "premium@example.org", Plan.PREMIUM_INDIVIDUAL)
    free = sign_in(client, app, "free@example.org")
    for who in (premium, free):
        for track in tracks:
            assert client.put(f"/api/v1/me/tracks/{track}", headers=who).status_code == 204
    liked = {"kind": "liked"}
    newest = list(reversed(tracks))
    picked = client.put(
        "/api/v1/me/player/play", json={"context": liked, "offset": 1}, headers=premium
    ).json()
    assert (picked["track_id"], picked["up_next"]) == (newest[1], [newest[2]])
    assert picked["context"] == {"kind": "liked", "id": None}
    refused = client.put(
        "/api/v1/me/player/play", json={"context": liked, "offset": 1}, headers=free
    )
    assert error(refused) == (403, "shuffle_only")
    shuffled = client.put("/api/v1/me/player/play", json={"context": liked}, headers=free).json()
    assert shuffled["shuffle"] is True
    assert sorted([shuffled["track_id"], *shuffled["up_next"]]) == sorted(tracks)
    nobody = sign_in(client, app, "empty@example.org", Plan.PREMIUM_INDIVIDUAL)
    empty = client.put("/api/v1/me/player/play", json={"context": liked}, headers=nobody)
    assert error(empty) == (404, "nothing_to_play")


def test_the_library_is_exported_and_deleted_with_the_account(client: TestClient, app: App) -> None:
    release, (track,) = put_release(app, "Keepsake", ["Ink"], ["Memory"])
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    bob = sign_in(client, app, "bob@example.org", Plan.PREMIUM_INDIVIDUAL)
    client.put(f"/api/v1/me/tracks/{track}", headers=ada)
    client.put(f"/api/v1/me/releases/{release}", headers=ada)
    client.put(f"/api/v1/me/following/artists/{artist_of(client, release)}", headers=ada)
    made = client.post("/api/v1/me/playlists", json={"name": "Ada's"}, headers=ada).json()
    client.post(f"/api/v1/playlists/{made['id']}/tracks", json={"track_ids": [track]}, headers=ada)
    client.put(f"/api/v1/playlists/{made['id']}/followers", headers=bob)
    exported = client.get("/api/v1/me/export", headers=ada).json()
    assert [t["id"] for t in exported["library"]["liked_tracks"]] == [track]
    assert [r["id"] for r in exported["library"]["saved_releases"]] == [release]
    assert len(exported["library"]["followed_artists"]) == 1
    (playlist,) = exported["playlists"]
    assert (playlist["name"], playlist["owner"]) == ("Ada's", True)
    assert [t["track_id"] for t in playlist["tracks"]] == [track]
    deleted = client.post("/api/v1/me/delete", json={"password": LISTENER_PASSWORD}, headers=ada)
    assert deleted.status_code == 204
    # Her playlist went with her: Bob, who followed it, no longer finds it.
    assert client.get(f"/api/v1/playlists/{made['id']}", headers=bob).status_code == 404
    assert client.get("/api/v1/me/library", headers=bob).json()["items"] == []
    with app.uow() as uow:
        assert uow.collection.count("track", made["owner"]["id"]) == 0
        assert uow.collection.count("release", made["owner"]["id"]) == 0
