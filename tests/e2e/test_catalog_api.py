"""The read API, as a client sees it."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.conftest import KEY
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/artists/{artist_id}",
        "/api/v1/releases/{release_id}",
        "/api/v1/tracks/{track_id}",
        "/api/v1/tracks/{track_id}/stream",
        "/api/v1/browse/new-releases",
        "/api/v1/distributor/releases",
    ):
        assert path in paths


def test_a_release_with_its_tracks_covers_and_loudness(client: TestClient, published: int) -> None:
    release = client.get(f"/api/v1/releases/{published}").json()
    assert release["title"] == "Night Drive"
    assert [t["track_number"] for t in release["tracks"]] == [1, 2, 3]
    assert [i["width"] for i in release["images"]] == [640, 300, 64]
    for image in release["images"]:
        got = client.get(image["url"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        assert got.content[:2] == b"\xff\xd8"
    first = release["tracks"][0]
    assert first["loudness"]["target_lufs"] == -14.0
    assert abs(first["loudness"]["gain_db"] - (-14.0 - first["loudness"]["integrated_lufs"])) < 15
    assert [f["quality"] for f in first["files"]] == [
        "low",
        "normal",
        "high",
        "very_high",
        "lossless",
    ]
    assert release["loudness"] is not None


def test_track_and_artist_pages(client: TestClient, published: int) -> None:
    release = client.get(f"/api/v1/releases/{published}").json()
    track = client.get(f"/api/v1/tracks/{release['tracks'][1]['id']}").json()
    assert track["title"] == "Song 2" and track["isrc"] == "QZTST2600002"
    assert track["release"]["id"] == published
    artist = client.get(track["artists"][0]["url"]).json()
    assert artist["name"] == "The Testers"
    assert [r["id"] for r in artist["releases"]] == [published]


def test_unknown_ids_are_404_with_a_code(client: TestClient) -> None:
    for url in ("/api/v1/releases/999", "/api/v1/tracks/999", "/api/v1/artists/999"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_a_future_release_is_invisible_except_to_its_distributor(
    app: App, client: TestClient, tmp_path: Path, premium: dict[str, str]
) -> None:
    folder = make_release(tmp_path / "soon", extra={"release_date": "2099-01-01T00:00:00Z"})
    release_id = deliver(app, folder).release_id
    with app.uow() as uow:
        release = uow.catalog.release(release_id)
    assert release is not None
    track_id = release.tracks[0].id
    assert client.get(f"/api/v1/releases/{release_id}").status_code == 404
    assert client.get(f"/api/v1/tracks/{track_id}").status_code == 404
    assert client.get(f"/api/v1/tracks/{track_id}/stream", headers=premium).status_code == 404
    assert client.get(f"/api/v1/artists/{release.artists[0].id}").status_code == 404
    assert client.get("/api/v1/browse/new-releases").json()["items"] == []
    # The distributor who delivered it sees it (the key of this test run is theirs).
    app.settings.distributor_name = "Test Distributor"
    assert client.get(f"/api/v1/releases/{release_id}", headers=KEY).status_code == 200
    listed = client.get("/api/v1/distributor/releases", headers=KEY).json()["items"]
    assert [r["id"] for r in listed] == [release_id]


def test_territories_hide_a_release_elsewhere(app: App, client: TestClient, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "uk", extra={"territories": ["GB", "IE"]})
    release_id = deliver(app, folder).release_id
    assert client.get(f"/api/v1/releases/{release_id}?country=GB").status_code == 200
    assert client.get(f"/api/v1/releases/{release_id}?country=US").status_code == 404
    assert client.get(f"/api/v1/releases/{release_id}").status_code == 404
    uk = client.get("/api/v1/browse/new-releases?country=gb").json()["items"]
    assert [r["id"] for r in uk] == [release_id]
    assert client.get("/api/v1/browse/new-releases?country=US").json()["items"] == []


def test_new_releases_come_newest_first_with_paging(
    app: App, client: TestClient, tmp_path: Path
) -> None:
    for n, year in enumerate((2001, 2023, 2012)):
        folder = make_release(
            tmp_path / str(n),
            formats=("mp3",),
            title=f"R{year}",
            upc=f"{n + 1:012d}",
            isrc_prefix=f"QZNR{n}26",
            extra={"release_date": f"{year}-01-01"},
        )
        deliver(app, folder)
    page = client.get("/api/v1/browse/new-releases?limit=2").json()
    assert [r["title"] for r in page["items"]] == ["R2023", "R2012"]
    rest = client.get(page["next"]).json()
    assert [r["title"] for r in rest["items"]] == ["R2001"]
    assert client.get("/api/v1/browse/new-releases?limit=500").status_code == 422


def test_a_country_must_be_a_real_one(client: TestClient, published: int) -> None:
    for country in ("%25%25", "XX", "__"):
        response = client.get(f"/api/v1/browse/new-releases?country={country}")
        assert response.status_code == 422
    assert (
        client.get("/api/v1/browse/new-releases?country=FR").json()["items"][0]["id"] == published
    )


def test_ids_out_of_range_are_refused_cleanly(client: TestClient, premium: dict[str, str]) -> None:
    for url in (
        "/api/v1/releases/6535381498199549262128218112",
        "/api/v1/tracks/0",
        "/api/v1/artists/-4",
        "/api/v1/tracks/99999999999/stream",
    ):
        assert client.get(url, headers=premium).status_code == 422
