"""Lyrics: from the delivery's release.json, from the audio's own tags (ID3 USLT and SYLT,
Vorbis LYRICS and UNSYNCEDLYRICS, MP4 \xa9lyr) or from an LRC file beside it in a library; read
line by line at GET /api/v1/tracks/{id}/lyrics, timed where the source was, for anyone who may
see the track."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.errors import InvalidDelivery
from tests.fixtures.audio import make_audio
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver, scan_library

LRC = "[ar:The Testers]\n[00:00.50]First line\n[00:01.25]Second line\n\n[01:02.5]Third line\n"


def _tracks(client: TestClient, release_id: int) -> dict[str, int]:
    release = client.get(f"/api/v1/releases/{release_id}").json()
    return {t["title"]: t["id"] for t in release["tracks"]}


def _lyrics(client: TestClient, track_id: int) -> Any:
    answer = client.get(f"/api/v1/tracks/{track_id}/lyrics")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _manifest_lyrics(folder: Path, by_file: dict[int, str]) -> None:
    manifest = folder / "release.json"
    data = json.loads(manifest.read_text())
    for index, text in by_file.items():
        data["tracks"][index]["lyrics"] = text
    manifest.write_text(json.dumps(data))


def test_a_delivery_gives_timed_and_plain_lyrics_and_a_track_without_says_so(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    folder = make_release(tmp_path / "r")
    _manifest_lyrics(folder, {0: LRC, 1: "Plain first\nPlain second"})
    tracks = _tracks(client, deliver(app, folder).release_id)

    timed = _lyrics(client, tracks["Song 1"])
    assert timed["synced"] is True
    assert [(line["start_ms"], line["text"]) for line in timed["lines"]] == [
        (500, "First line"),
        (1250, "Second line"),
        (62500, "Third line"),
    ]
    plain = _lyrics(client, tracks["Song 2"])
    assert plain["synced"] is False
    assert [(line["start_ms"], line["text"]) for line in plain["lines"]] == [
        (None, "Plain first"),
        (None, "Plain second"),
    ]
    none = client.get(f"/api/v1/tracks/{tracks['Song 3']}/lyrics")
    assert none.status_code == 404
    assert none.json()["error"]["code"] == "lyrics_not_found"


def test_lyrics_of_a_track_the_listener_may_not_see_are_not_found(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    folder = make_release(tmp_path / "later", extra={"release_date": "2999-01-01"})
    _manifest_lyrics(folder, {0: "Not out yet"})
    release_id = deliver(app, folder).release_id
    with app.uow() as uow:
        release = uow.catalog.release(release_id)
        assert release is not None
        tracks = {t.title: t.id for t in release.tracks}
    answer = client.get(f"/api/v1/tracks/{tracks['Song 1']}/lyrics")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert "Not out yet" not in answer.text


def test_a_re_delivery_replaces_and_removes_lyrics(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    folder = make_release(tmp_path / "r")
    _manifest_lyrics(folder, {0: "Old words"})
    tracks = _tracks(client, deliver(app, folder).release_id)
    assert _lyrics(client, tracks["Song 1"])["lines"][0]["text"] == "Old words"

    again = make_release(tmp_path / "again")
    _manifest_lyrics(again, {1: "New words"})
    deliver(app, again)
    assert client.get(f"/api/v1/tracks/{tracks['Song 1']}/lyrics").status_code == 404
    assert _lyrics(client, tracks["Song 2"])["lines"][0]["text"] == "New words"


def test_a_manifest_with_lyrics_that_are_not_text_is_refused(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "r")
    manifest = folder / "release.json"
    data = json.loads(manifest.read_text())
    data["tracks"][0]["lyrics"] = ["not", "text"]
    manifest.write_text(json.dumps(data))
    with pytest.raises(InvalidDelivery) as refused:
        deliver(app, folder)
    assert refused.value.code == "manifest_invalid"


def test_a_library_takes_lyrics_from_tags_of_every_kind_and_from_lrc_files(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    album = tmp_path / "music" / "Tagged"
    base = {"album": "Tagged", "artists": ["Lyricist"], "album_artists": ["Lyricist"]}
    files: list[tuple[str, str, dict[str, Any]]] = [
        ("01.mp3", "mp3", {"title": "Sylt", "synced_lyrics": [("Hey", 1000), ("Ho", 2500)],
                           "lyrics": "Hey\nHo"}),
        ("02.mp3", "mp3", {"title": "Uslt", "lyrics": "Only words\nno times"}),
        ("03.flac", "flac", {"title": "Vorbis", "lyrics": "[00:03.00]Flac timed"}),
        ("04.ogg", "opus", {"title": "Unsynced", "unsynced_lyrics": "Opus words"}),
        ("05.m4a", "m4a", {"title": "Atom", "lyrics": "Apple words"}),
        ("06.flac", "flac", {"title": "Beside", "lyrics": "the tag loses"}),
    ]  # fmt: skip
    for number, (name, fmt, tags) in enumerate(files, start=1):
        make_audio(album / name, fmt, seconds=1.0, tags={**base, "track_number": number, **tags})
    (album / "06.lrc").write_text("[00:00.10]The LRC file wins\n[00:00.90]Line two\n")

    report = scan_library(app, tmp_path / "music")
    assert not report.refused, report.refused
    tracks = _tracks(client, report.releases[0].release_id)

    def lines(title: str) -> tuple[bool, list[tuple[int | None, str]]]:
        found = _lyrics(client, tracks[title])
        return found["synced"], [(line["start_ms"], line["text"]) for line in found["lines"]]

    assert lines("Sylt") == (True, [(1000, "Hey"), (2500, "Ho")])  # timed wins over USLT
    assert lines("Uslt") == (False, [(None, "Only words"), (None, "no times")])
    assert lines("Vorbis") == (True, [(3000, "Flac timed")])
    assert lines("Unsynced") == (False, [(None, "Opus words")])
    assert lines("Atom") == (False, [(None, "Apple words")])
    assert lines("Beside") == (True, [(100, "The LRC file wins"), (900, "Line two")])
