"""Featured artists show on track rows, and a release an artist is only featured on is listed
under "Appears on" on their page, not among their own albums."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.conftest import sign_in
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver


def test_a_featured_artist_shows_on_the_track_and_under_appears_on(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    folder = make_release(tmp_path / "feat", title="Night Drive", artist="The Testers")
    manifest = folder / "release.json"
    fields = json.loads(manifest.read_text())
    fields["tracks"][0]["featured_artists"] = ["Guest Star"]
    manifest.write_text(json.dumps(fields))
    release_id = deliver(app, folder).release_id

    track = client.get(f"/api/v1/releases/{release_id}").json()["tracks"][0]
    assert [a["name"] for a in track["featured_artists"]] == ["Guest Star"]
    guest_id = track["featured_artists"][0]["id"]
    main_id = track["artists"][0]["id"]

    guest = client.get(f"/api/v1/artists/{guest_id}").json()
    assert guest["releases"] == []
    assert [r["id"] for r in guest["appears_on"]] == [release_id]
    main = client.get(f"/api/v1/artists/{main_id}").json()
    assert [r["id"] for r in main["releases"]] == [release_id]
    assert main["appears_on"] == []

    # In a listener's liked songs (the rows of playlists and Your Library) too.
    ada = sign_in(client, app, "ada@example.org")
    assert client.put(f"/api/v1/me/tracks/{track['id']}", headers=ada).is_success
    listed = client.get("/api/v1/me/tracks", headers=ada).json()["items"][0]["track"]
    assert [a["name"] for a in listed["featured_artists"]] == ["Guest Star"]

    # Playing the guest plays what they appear on.
    played = client.put(
        "/api/v1/me/player/play", json={"context": {"kind": "artist", "id": guest_id}}, headers=ada
    )
    assert played.status_code == 200, played.text
