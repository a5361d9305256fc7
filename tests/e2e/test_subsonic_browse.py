"""Browsing as a Subsonic app does: every album list type in its order, random songs, songs
by genre, lyrics, album and artist info, and the play queue kept on the server (the web
player's own queue)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.listening import EventKind, ListeningEvent
from cadenza.services.listening import ListeningService
from tests.e2e.subsonic_helpers import app_login
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

LRC = "[00:00.50]First line\n[00:01.25]Second line\n"


def rest(client: TestClient, name: str, params: dict[str, Any]) -> dict[str, Any]:
    answer = client.get(f"/rest/{name}.view", params=params | {"f": "json"})
    body: dict[str, Any] = answer.json()["subsonic-response"]
    return body


def names(client: TestClient, base: dict[str, str], **params: str) -> list[str]:
    found = rest(client, "getAlbumList2", base | params)
    assert found["status"] == "ok", found
    return [a["name"] for a in found["albumList2"]["album"]]


def test_album_lists_songs_lyrics_and_the_play_queue(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    night = make_release(tmp_path / "night", formats=("mp3", "mp3"), seconds=1.0)
    manifest = json.loads((night / "release.json").read_text())
    manifest["tracks"][0]["lyrics"] = LRC
    (night / "release.json").write_text(json.dumps(manifest))
    aurora = make_release(
        tmp_path / "aurora",
        formats=("mp3",),
        seconds=1.0,
        title="Aurora",
        artist="Bright Lake",
        upc="123456789029",
        isrc_prefix="QZTST27",
        extra={"release_date": "2023-02-01", "genres": ["jazz"]},
    )
    night_id = deliver(app, night).release_id
    aurora_id = deliver(app, aurora).release_id
    base = app_login(client, app, "browser@example.org").token()

    assert names(client, base, type="alphabeticalByName") == ["Aurora", "Night Drive"]
    assert names(client, base, type="alphabeticalByArtist") == ["Aurora", "Night Drive"]
    assert names(client, base, type="newest") == ["Aurora", "Night Drive"]
    assert names(client, base, type="byYear", fromYear="2021", toYear="2030") == ["Aurora"]
    assert names(client, base, type="byYear", fromYear="2030", toYear="2000") == [
        "Aurora",
        "Night Drive",
    ]
    assert names(client, base, type="byGenre", genre="Jazz") == ["Aurora"]
    assert rest(client, "getAlbumList2", base | {"type": "byGenre"})["error"]["code"] == 10
    assert sorted(names(client, base, type="random")) == ["Aurora", "Night Drive"]
    assert names(client, base, type="alphabeticalByName", size="1", offset="1") == ["Night Drive"]
    assert names(client, base, type="starred") == []
    rest(client, "star", base | {"albumId": f"al-{night_id}"})
    assert names(client, base, type="starred") == ["Night Drive"]
    rest(client, "setRating", base | {"id": f"al-{aurora_id}", "rating": "4"})
    assert names(client, base, type="highest") == ["Aurora"]
    assert rest(client, "setRating", base | {"id": "al-999", "rating": "4"})["error"]["code"] == 70

    # Recent and frequent: from the listener's history (plays heard 30 s or more).
    night_songs = rest(client, "getAlbum", base | {"id": f"al-{night_id}"})["album"]["song"]
    aurora_song = rest(client, "getAlbum", base | {"id": f"al-{aurora_id}"})["album"]["song"][0]
    history = ListeningService(
        app.uow, app.clock, listener=app.subscriptions.listener, imported_history=True
    )
    start = datetime.now(UTC) - timedelta(hours=2)
    plays = [(night_songs[0]["id"], 0), (night_songs[1]["id"], 1), (aurora_song["id"], 2)]
    events = []
    for song, n in plays:
        at = start + timedelta(minutes=10 * n)
        track = int(song.removeprefix("tr-"))
        for kind, position, when in ((EventKind.START, 0, at), (EventKind.END, 40_000, at)):
            moment = when + timedelta(seconds=40 if kind is EventKind.END else 0)
            events.append(
                ListeningEvent(f"p{n}-{kind}", f"p{n}", kind, track, "phone", position, moment)
            )
    account = app.accounts.all_accounts()[-1].id
    history.record(account, events)
    assert names(client, base, type="recent") == ["Aurora", "Night Drive"]
    assert names(client, base, type="frequent") == ["Night Drive", "Aurora"]

    songs = rest(client, "getRandomSongs", base | {"size": "10"})["randomSongs"]["song"]
    assert len(songs) == 3
    jazz = rest(client, "getSongsByGenre", base | {"genre": "jazz"})["songsByGenre"]["song"]
    assert [s["title"] for s in jazz] == ["Song 1"] and jazz[0]["album"] == "Aurora"
    genres = rest(client, "getGenres", base)["genres"]["genre"]
    assert {(g["value"], g["songCount"], g["albumCount"]) for g in genres} == {
        ("electronic", 2, 1),
        ("jazz", 1, 1),
    }

    lyrics = rest(client, "getLyricsBySongId", base | {"id": night_songs[0]["id"]})
    (timed,) = lyrics["lyricsList"]["structuredLyrics"]
    assert timed["synced"] is True
    assert timed["line"] == [
        {"start": 500, "value": "First line"},
        {"start": 1250, "value": "Second line"},
    ]
    none = rest(client, "getLyricsBySongId", base | {"id": night_songs[1]["id"]})
    assert none["lyricsList"]["structuredLyrics"] == []
    info = rest(client, "getAlbumInfo2", base | {"id": f"al-{night_id}"})["albumInfo"]
    assert info["largeImageUrl"].endswith(tuple("0123456789abcdef"))
    artist = rest(client, "getArtistInfo2", base | {"id": night_songs[0]["artistId"]})
    assert artist["status"] == "ok"

    # The play queue is the server-side player's: saved here, read back anywhere.
    queue = [s["id"] for s in night_songs] + [aurora_song["id"]]
    saved = rest(
        client,
        "savePlayQueue",
        base | {"id": queue, "current": night_songs[1]["id"], "position": "800"},
    )
    assert saved["status"] == "ok", saved
    found = rest(client, "getPlayQueue", base)["playQueue"]
    assert [e["id"] for e in found["entry"]] == queue
    assert found["current"] == night_songs[1]["id"] and found["position"] == 800
    assert found["username"] == "browser@example.org"
