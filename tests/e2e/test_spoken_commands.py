"""Spoken-style commands through HTTP: words resolved against the catalog, the player acting
under the plan's rules, and a clear answer either way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver


@pytest.fixture
def catalog(app: App, tmp_path: Path, published: int) -> dict[str, int]:
    """Night Drive by The Testers (electronic) and Kind of Blue by Miles Davis (disco, here)."""
    folder = make_release(
        tmp_path / "kob",
        title="Kind of Blue",
        artist="Miles Davis",
        upc="123456789029",
        isrc_prefix="QZTST27",
        extra={"genres": ["disco"]},
    )
    return {"Night Drive": published, "Kind of Blue": deliver(app, folder).release_id}


def say(client: TestClient, who: dict[str, str], text: str) -> Any:
    return client.post("/api/v1/me/player/command", json={"text": text}, headers=who)


def tracks_of(client: TestClient, release_id: int) -> list[int]:
    return [t["id"] for t in client.get(f"/api/v1/releases/{release_id}").json()["tracks"]]


def test_a_premium_listener_runs_the_player_by_saying_what_they_want(
    client: TestClient, app: App, premium: dict[str, str], catalog: dict[str, int]
) -> None:
    disco = say(client, premium, "play a little disco")
    assert disco.status_code == 200, disco.text
    answer = disco.json()
    assert answer["action"] == "play" and answer["said"] == "Playing disco: 3 tracks"
    kind_of_blue = tracks_of(client, catalog["Kind of Blue"])
    assert answer["player"]["playing"] is True
    assert sorted([answer["player"]["track_id"], *answer["player"]["up_next"]]) == kind_of_blue

    album = say(client, premium, "play the album Night Drive").json()
    assert album["said"] == "Playing Night Drive by The Testers"
    assert album["player"]["context"] == {"kind": "release", "id": catalog["Night Drive"]}
    assert album["player"]["track_id"] == tracks_of(client, catalog["Night Drive"])[0]

    song = say(client, premium, "play the song Song 2 by Miles Davis").json()
    assert song["player"]["track_id"] == kind_of_blue[1]
    assert song["said"] == "Playing Song 2 by Miles Davis"

    artist = say(client, premium, "play something by the testers").json()
    assert (
        artist["player"]["context"]["kind"] == "artist" and artist["said"] == "Playing The Testers"
    )

    assert say(client, premium, "next").json()["player"]["track_id"] != artist["player"]["track_id"]
    assert say(client, premium, "volume 40").json()["player"]["volume"] == 40
    louder = say(client, premium, "louder").json()
    assert (louder["said"], louder["player"]["volume"]) == ("Volume 50%", 50)
    paused = say(client, premium, "pause").json()
    assert paused["player"]["playing"] is False and paused["said"] == "Paused"
    assert say(client, premium, "repeat this song").json()["player"]["repeat"] == "track"


def test_words_it_does_not_know_get_a_clear_refusal(
    client: TestClient, app: App, premium: dict[str, str], catalog: dict[str, int]
) -> None:
    unknown = say(client, premium, "what's the weather like")
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "not_understood"
    missing = say(client, premium, "play the album Sketches of Nowhere")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "nothing_found"
    no_playlists = say(client, premium, "play the playlist Morning Run")
    assert no_playlists.json()["error"]["code"] == "nothing_found"
    assert say(client, premium, "x" * 301).status_code == 422
    assert client.post("/api/v1/me/player/command", json={"text": "next"}).status_code == 401


def test_on_free_the_plans_rules_apply_to_spoken_commands(
    client: TestClient, app: App, catalog: dict[str, int]
) -> None:
    free = sign_in(client, app, "free@example.org")
    chosen = say(client, free, "play the song Song 2 by Miles Davis")
    assert chosen.status_code == 403 and chosen.json()["error"]["code"] == "shuffle_only"
    album = say(client, free, "play the album Kind of Blue").json()
    assert album["player"]["shuffle"] is True and album["player"]["playing"] is True


def test_play_the_playlist_finds_the_listeners_own_followed_and_public_playlists(
    client: TestClient, app: App, premium: dict[str, str], catalog: dict[str, int]
) -> None:
    night, blue = (
        tracks_of(client, catalog["Night Drive"]),
        tracks_of(client, catalog["Kind of Blue"]),
    )
    other = sign_in(client, app, "other@example.org", Plan.PREMIUM_INDIVIDUAL)

    def playlist(who: dict[str, str], name: str, tracks: list[int], public: bool = True) -> int:
        made = client.post(
            "/api/v1/me/playlists", json={"name": name, "public": public}, headers=who
        )
        playlist_id: int = made.json()["id"]
        added = client.post(
            f"/api/v1/playlists/{playlist_id}/tracks", json={"track_ids": tracks}, headers=who
        )
        assert added.status_code in (200, 201), added.text
        return playlist_id

    mine = playlist(premium, "Morning Run", night[:2], public=False)
    public = playlist(other, "Evening Jazz", blue)
    followed = playlist(other, "Late Night Drive", [night[2]])
    playlist(other, "Secret Stash", blue, public=False)
    assert client.put(f"/api/v1/playlists/{followed}/followers", headers=premium).is_success

    own = say(client, premium, "play the playlist morning run").json()
    assert own["player"]["context"] == {"kind": "playlist", "id": mine}
    assert own["said"] == "Playing the playlist Morning Run"
    assert (
        say(client, premium, "play the playlist evening jazz").json()["player"]["context"]["id"]
        == public
    )
    assert (
        say(client, premium, "play the playlist late night").json()["player"]["context"]["id"]
        == followed
    )
    hidden = say(client, premium, "play the playlist secret stash")  # another's private one
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "nothing_found")
