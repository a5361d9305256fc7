"""OpenSubsonic answers, snapshot-tested in XML and JSON: what an app reads, byte for byte
(ids from a fresh database; today's times and file sizes masked). Regenerate after an
intended change with CADENZA_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.api.subsonic.routes import ENDPOINTS
from cadenza.bootstrap import App
from tests.e2e.subsonic_helpers import app_login

SNAPSHOTS = Path(__file__).parent / "subsonic_snapshots"
CALLS: list[tuple[str, dict[str, str | list[str]]]] = [
    ("ping", {}),
    ("getLicense", {}),
    ("getOpenSubsonicExtensions", {}),
    ("getMusicFolders", {}),
    ("getArtists", {}),
    ("getIndexes", {}),
    ("getArtist", {"id": "ar-1"}),
    ("getAlbum", {"id": "al-1"}),
    ("getSong", {"id": "tr-2"}),
    ("getGenres", {}),
    ("getAlbumList2", {"type": "alphabeticalByName"}),
    ("getSongsByGenre", {"genre": "electronic"}),
    ("search3", {"query": "song 2"}),
    ("getStarred2", {}),
    ("getPlaylist", {"id": "pl-1"}),
    ("getUser", {"username": "snap@example.org"}),
    ("getAlbum", {"id": "al-99"}),  # error 70
    ("getAlbum", {}),  # error 10
]
NOW = re.compile(r"20[2-9]\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
MASKED = re.compile(r'("?(?:size|lastModified|licenseExpires)"?[=:] ?)"?\d+[^",}\s]*"?')


def masked(text: str) -> str:
    text = NOW.sub(lambda m: m[0] if m[0].startswith("2020-") else "<now>", text)
    return MASKED.sub(r"\1<n>", text)


def test_answers_match_their_snapshots_in_xml_and_json(
    client: TestClient, app: App, published: int
) -> None:
    login = app_login(client, app, "snap@example.org")
    base = login.token()
    assert client.get("/rest/star.view", params=base | {"id": "tr-1"}).status_code == 200
    assert client.post("/rest/star", data=base | {"albumId": "al-1"}).status_code == 200
    made = client.get(
        "/rest/createPlaylist", params=base | {"name": "Road", "songId": ["tr-3", "tr-1"]}
    )
    assert 'status="ok"' in made.text
    update = os.environ.get("CADENZA_UPDATE_SNAPSHOTS") == "1"
    problems = []
    for index, (name, params) in enumerate(CALLS):
        for fmt in ("xml", "json"):
            answer = client.get(f"/rest/{name}", params=base | params | {"f": fmt})
            assert answer.status_code == 200
            text = answer.text
            if fmt == "json":
                text = json.dumps(json.loads(text), indent=1, ensure_ascii=False)
            text = masked(text)
            path = SNAPSHOTS / f"{index:02d}-{name}.{fmt}"
            if update:
                path.write_text(text + "\n")
            elif path.read_text() != text + "\n":
                problems.append(f"{path.name}:\n{text}")
    assert problems == []


JUNK: list[dict[str, str | list[str]]] = [
    {},
    {"id": "x", "type": "nonsense", "size": "-5", "count": "many", "offset": "9" * 30},
    {"id": ["tr-1", "al-1", "ar-1", "pl-1", "tr-2147483648"], "rating": "9", "query": '\\"(['},
    {"id": "tr-1", "format": "mp3", "maxBitRate": "1", "timeOffset": "999999", "size": "1"},
    {"playlistId": "pl-1", "songIndexToRemove": ["-1", "x"], "current": "tr-7", "time": "x"},
]


def test_no_input_makes_any_endpoint_fail_unanswered(
    client: TestClient, app: App, published: int
) -> None:
    base = app_login(client, app, "junk@example.org").token()
    for name in ENDPOINTS:
        for junk in JUNK:
            answer = client.get(f"/rest/{name}", params=base | junk | {"f": "json"})
            assert answer.status_code in (200, 206), (name, junk, answer.text[:200])
            if answer.headers["content-type"].startswith("application/json"):
                status = answer.json()["subsonic-response"]["status"]
                assert status in ("ok", "failed"), (name, junk)
