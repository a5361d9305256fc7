"""Shared links: the address of a track, release, artist or playlist opens the web player
there, and its HTML carries Open Graph tags for chat apps that do not run scripts; a private
playlist, or anything an anonymous visitor may not see, reveals nothing."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver


def _og(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta property="(og:[a-z_:]+)" content="([^"]*)">', html))


def test_each_shared_page_has_its_preview_and_runs_the_player(
    client: TestClient, published: int
) -> None:
    release = client.get(f"/api/v1/releases/{published}").json()
    track = release["tracks"][0]
    artist = release["artists"][0]

    song = client.get(f"/track/{track['id']}")
    assert song.status_code == 200
    assert song.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/app.js">' in song.text  # the player runs
    og = _og(song.text)
    assert og["og:type"] == "music.song"
    assert og["og:title"] == "Song 1 · The Testers"
    assert "Night Drive" in og["og:description"]
    cover = og["og:image"]
    assert cover.startswith("http://127.0.0.1:8000/api/v1/images/")
    assert client.get(cover.removeprefix("http://127.0.0.1:8000")).status_code == 200
    assert og["og:url"] == f"http://127.0.0.1:8000/track/{track['id']}"
    assert "<title>Song 1 · The Testers · Cadenza</title>" in song.text

    album = _og(client.get(f"/release/{published}").text)
    assert album["og:type"] == "music.album"
    assert album["og:title"] == "Night Drive · The Testers"
    assert "3 songs" in album["og:description"]
    assert album["og:image"] == cover

    profile = _og(client.get(f"/artist/{artist['id']}").text)
    assert profile["og:type"] == "profile"
    assert profile["og:title"] == "The Testers"


def test_titles_are_escaped_in_the_html(client: TestClient, app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "r", title='A "quoted" <b>title</b>', upc=None)
    release_id = deliver(app, folder).release_id
    html = client.get(f"/release/{release_id}").text
    assert "<b>title</b>" not in html
    assert _og(html)["og:title"] == "A &quot;quoted&quot; &lt;b&gt;title&lt;/b&gt; · The Testers"


def test_a_public_playlist_has_a_preview_and_a_private_one_reveals_nothing(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    made = {}
    for name, public in (("Road trip", True), ("Secret diary", False)):
        answer = client.post(
            "/api/v1/me/playlists",
            json={"name": name, "description": "mine", "public": public},
            headers=premium,
        )
        assert answer.status_code == 201, answer.text
        made[name] = answer.json()["id"]
        added = client.post(
            f"/api/v1/playlists/{made[name]}/tracks", json={"track_ids": [track]}, headers=premium
        )
        assert added.is_success, added.text

    shared = _og(client.get(f"/playlist/{made['Road trip']}").text)
    assert shared["og:type"] == "music.playlist"
    assert shared["og:title"] == "Road trip"
    assert "1 song" in shared["og:description"]
    assert shared["og:image"].startswith("http://127.0.0.1:8000/api/v1/images/")

    private = client.get(f"/playlist/{made['Secret diary']}")
    missing = client.get("/playlist/999999")
    assert private.status_code == missing.status_code == 200  # the player says "not found"
    assert "Secret diary" not in private.text
    assert _og(private.text) == {}
    assert private.text == missing.text


def test_unreleased_and_malformed_ids_give_the_bare_player(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    later = deliver(app, make_release(tmp_path / "later", title="Not Yet", upc=None,
                                      extra={"release_date": "2999-01-01"})).release_id  # fmt: skip
    for path in (f"/release/{later}", "/track/abc", "/artist/0", "/release/99999999999"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert _og(answer.text) == {}, path
        assert "Not Yet" not in answer.text
