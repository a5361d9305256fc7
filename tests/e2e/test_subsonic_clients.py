"""Two independent Subsonic client libraries from PyPI against a live Cadenza: a listener's
session (sign in, browse, search, star, a playlist, stream bytes, scrobble) in each.
py-opensonic signs in with an API key and POSTs forms (its GET option for byte ranges);
py-sonic uses the classic token (md5 of an app password and a salt)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import libopensonic
import libsonic
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.live import live_server
from tests.e2e.subsonic_helpers import app_login


def test_a_py_opensonic_session(client: TestClient, app: App, published: int) -> None:
    login = app_login(client, app, "opensonic@example.org")
    with live_server(app) as url:
        where = urlsplit(url)
        base = f"{where.scheme}://{where.hostname}"
        conn = libopensonic.Connection(base, api_key=login.key, port=where.port or 80)
        ranged = libopensonic.Connection(
            base, api_key=login.key, port=where.port or 80, use_get=True
        )
        try:
            assert conn.ping() is True
            names = [e.name for e in conn.get_open_subsonic_extensions()]
            assert "apiKeyAuthentication" in names
            artists = conn.get_artists()
            artist = artists.index[0].artist[0]
            assert artist.name == "The Testers"
            album_id = conn.get_artist(artist.id).album[0].id
            album = conn.get_album(album_id)
            assert [s.title for s in album.song] == ["Song 1", "Song 2", "Song 3"]
            found = conn.search3("song 2")
            assert [s.title for s in found.song][:1] == ["Song 2"]
            listed = conn.get_album_list2("alphabeticalByArtist", size=5)
            assert [a.name for a in listed] == ["Night Drive"]

            song_id = album.song[1].id
            assert conn.star(sids=[song_id]) is True
            assert [s.id for s in conn.get_starred2().song] == [song_id]
            made = conn.create_playlist(name="On the road", song_ids=[song_id, album.song[0].id])
            assert made is True
            playlists = conn.get_playlists()  # it needs `changed` on each
            assert [(p.name, p.song_count) for p in playlists] == [("On the road", 2)]
            made = playlists[0]
            assert conn.update_playlist(made.id, song_indices_to_remove=[0]) is True
            assert [s.id for s in conn.get_playlist(made.id).entry] == [album.song[0].id]

            answer = ranged.stream(song_id, byte_range="bytes=0-1023")
            body = asyncio.run_coroutine_threadsafe(answer.read(), ranged._loop).result()
            assert answer.status == 206 and len(body) == 1024 and body[:4] == b"OggS"
            assert conn.scrobble(song_id, submission=False) is True
            assert [e.id for e in conn.get_now_playing()] == [song_id]
            assert conn.scrobble(song_id, submission=True) is True
            assert conn.report_playback(song_id, "song", 0, "starting") is True
            assert conn.report_playback(song_id, "song", 700, "paused") is True
            (entry,) = conn.get_now_playing()
            assert (entry.id, entry.state, entry.position_ms) == (song_id, "paused", 700)
            assert conn.unstar(sids=[song_id]) is True
            assert conn.get_starred2().song in (None, [])
            assert conn.delete_playlist(made.id) is True
        finally:
            conn.cleanup()
            ranged.cleanup()
    plays = played(app, login.username)  # the scrobble and the report, in the history
    assert [p["track_id"] for p in plays] == [int(song_id.removeprefix("tr-"))] * 2


def played(app: App, email: str) -> list[dict[str, object]]:
    with app.uow() as uow:
        found = uow.accounts.id_by_email(email)
    assert found is not None
    plays = app.listening.export(found)["listening_history"]
    assert isinstance(plays, list)
    return plays


def test_a_py_sonic_session(client: TestClient, app: App, published: int) -> None:
    login = app_login(client, app, "pysonic@example.org")
    with live_server(app) as url:
        where = urlsplit(url)
        conn = libsonic.Connection(
            f"{where.scheme}://{where.hostname}",
            login.username,
            login.password,
            port=where.port or 80,
        )
        assert conn.ping() is True
        folders = conn.getMusicFolders()["musicFolders"]["musicFolder"]
        assert [f["name"] for f in folders] == ["Cadenza"]
        index = conn.getArtists()["artists"]["index"]
        artist = index[0]["artist"][0]
        album = conn.getArtist(artist["id"])["artist"]["album"][0]
        songs = conn.getAlbum(album["id"])["album"]["song"]
        assert len(songs) == 3
        # The folder-shaped forms older apps browse by.
        folder = conn.getMusicDirectory(artist["id"])["directory"]
        assert [(c["title"], c["isDir"]) for c in folder["child"]] == [("Night Drive", True)]
        inside = conn.getMusicDirectory(folder["child"][0]["id"])["directory"]["child"]
        assert [c["title"] for c in inside] == ["Song 1", "Song 2", "Song 3"]
        listed = conn.getAlbumList("alphabeticalByName")["albumList"]["album"]
        assert [a["title"] for a in listed] == ["Night Drive"]
        assert [s["title"] for s in conn.search2("song 3")["searchResult2"]["song"]][:1] == [
            "Song 3"
        ]
        similar = conn.getSimilarSongs(songs[0]["id"])["similarSongs"]["song"]
        assert songs[0]["id"] not in [s["id"] for s in similar] and similar
        found = conn.search3("night drive")["searchResult3"]
        assert [a["name"] for a in found["album"]] == ["Night Drive"]
        genres = conn.getGenres()["genres"]["genre"]
        assert [(g["value"], g["songCount"]) for g in genres] == [("electronic", 3)]

        assert conn.star(albumIds=[album["id"]], artistIds=[artist["id"]])["status"] == "ok"
        starred = conn.getStarred2()["starred2"]
        assert [a["id"] for a in starred["album"]] == [album["id"]]
        assert [a["title"] for a in conn.getStarred()["starred"]["album"]] == ["Night Drive"]
        assert [a["id"] for a in starred["artist"]] == [artist["id"]]
        assert conn.setRating(songs[0]["id"], 5)["status"] == "ok"
        highest = conn.getAlbumList2("highest")["albumList2"]
        assert highest.get("album", []) == []  # songs rated, not albums
        assert conn.getSong(songs[0]["id"])["song"]["userRating"] == 5

        made = conn.createPlaylist(name="Mix", songIds=[s["id"] for s in songs])["playlist"]
        assert made["songCount"] == 3
        shown = conn.getPlaylist(made["id"])["playlist"]
        assert [e["id"] for e in shown["entry"]] == [s["id"] for s in songs]
        (listed,) = conn.getPlaylists()["playlists"]["playlist"]
        assert (listed["owner"], listed["duration"]) == (login.username, shown["duration"])
        assert listed["duration"] > 0

        audio = conn.stream(songs[0]["id"], maxBitRate=96).read()
        assert audio[:4] == b"OggS"
        assert conn.scrobble(songs[0]["id"], submission=True)["status"] == "ok"
        cover = conn.getCoverArt(album["id"], size=64).read()
        assert cover[:3] == b"\xff\xd8\xff"
    plays = played(app, login.username)
    assert [p["track_id"] for p in plays] == [int(songs[0]["id"].removeprefix("tr-"))]
