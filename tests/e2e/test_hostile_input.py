"""Hostile input is a 4xx with a stable code, leaves nothing behind and is never echoed whole:
lone surrogates, NUL bytes and over-long file names, bodies over their route's limit (with or
without Content-Length), and values of the wrong JSON type."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.adapters.work_dir import LOCK_NAME
from cadenza.api.app import create_app
from cadenza.bootstrap import App
from tests.e2e.ad_helpers import campaign_json, creative, operator_made
from tests.e2e.conftest import KEY, sign_in
from tests.fixtures.audio import make_audio, make_cover

JSON = {"content-type": "application/json"}


def raw_json(client: TestClient, path: str, text: str, headers: dict[str, str]) -> object:
    """Send `text` as the body exactly (json= would refuse to encode a lone surrogate)."""
    return client.post(path, content=text.encode(), headers=JSON | headers)


def multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A multipart body written byte for byte (HTTP clients escape a NUL in a file name; an
    attacker's does not)."""
    boundary = b"hostile-boundary-7f3a"
    body = b""
    for field, filename, content in parts:
        disposition = f'form-data; name="{field}"'.encode()
        if filename is not None:
            disposition += b'; filename="' + filename.encode("utf-8", "surrogatepass") + b'"'
        body += b"--" + boundary + b"\r\nContent-Disposition: " + disposition + b"\r\n\r\n"
        body += content + b"\r\n"
    body += b"--" + boundary + b"--\r\n"
    return body, {"content-type": f"multipart/form-data; boundary={boundary.decode()}"}


def refused(answer: object, status: int, code: str) -> dict[str, object]:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    error: dict[str, object] = answer.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code
    return error


def test_a_lone_surrogate_is_refused_as_invalid_unicode_and_nothing_is_made(
    accounts: TestClient, app: App
) -> None:
    login = '{"email": "\\ud800", "password": "x", "device_id": "d", "device_name": "d"}'
    error = refused(raw_json(accounts, "/api/v1/auth/token", login, {}), 422, "invalid_request")
    assert error["fields"][0] == {  # type: ignore[index]
        "field": "email",
        "code": "invalid_unicode",
        "message": "text must be valid Unicode (a lone surrogate was sent)",
    }

    ada = sign_in(accounts, app, "ada@example.org")
    named = raw_json(accounts, "/api/v1/me/playlists", '{"name": "\\ud800x"}', ada)
    refused(named, 422, "invalid_request")
    assert accounts.get("/api/v1/me/playlists", headers=ada).json()["items"] == []


def test_a_nul_character_in_json_text_is_refused_and_nothing_is_made(
    accounts: TestClient, app: App
) -> None:
    ada = sign_in(accounts, app, "ada@example.org")
    for path, body, listed in (
        ("/api/v1/me/playlists", '{"name": "mix\\u0000tape"}', "/api/v1/me/playlists"),
        ("/api/v1/me/apps", '{"name": "app\\u0000", "redirect_uris": []}', "/api/v1/me/apps"),
    ):
        error = refused(raw_json(accounts, path, body, ada), 422, "invalid_request")
        assert error["fields"][0]["code"] == "invalid_unicode"  # type: ignore[index]
        found = accounts.get(listed, headers=ada).json()
        assert (found["items"] if isinstance(found, dict) else found) == []


def test_file_names_with_a_nul_byte_or_too_long_are_refused_and_leave_no_files(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    audio = make_audio(tmp_path / "a.flac", "flac", seconds=1.0)
    for name in ("a\x00b.flac", "x" * 300 + ".flac"):
        body, headers = multipart([("files", name, audio.read_bytes())])
        answer = client.post("/api/v1/distributor/releases", content=body, headers=KEY | headers)
        error = refused(answer, 422, "bad_file_name")
        assert len(str(error["file"])) <= 80  # an excerpt of the name, not all of it
    uploads = app.settings.data_dir / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []

    fizzy = operator_made(client, app, "ads@fizzy.example", "advertiser")
    body, headers = multipart(
        [
            ("campaign", None, json.dumps(campaign_json()).encode()),
            ("audio", "a\x00b.flac", creative(tmp_path).read_bytes()),
            ("image", "companion.jpg", make_cover((800, 800))),
        ]
    )
    answer = client.post("/api/v1/advertiser/campaigns", content=body, headers=fizzy | headers)
    refused(answer, 422, "bad_file_name")
    assert client.get("/api/v1/advertiser/campaigns", headers=fizzy).json() == []
    work = app.settings.work_dir  # only the lock every process holds on it
    assert [p.name for p in work.iterdir()] == [LOCK_NAME]


def test_a_json_route_refuses_a_body_over_one_mebibyte_uploads_keep_theirs(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    big = json.dumps({"email": "a" * (2 << 20), "password": "x"})
    refused(raw_json(client, "/api/v1/auth/token", big, {}), 413, "request_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused as it passes the limit
        yield b'{"email": "'
        for _ in range(64):
            yield b"a" * 65536
        yield b'"}'

    chunked = client.post("/api/v1/auth/token", content=chunks(), headers=JSON)
    refused(chunked, 413, "request_too_large")

    # Under the limit but long: the refusal quotes none of it.
    long_name = raw_json(
        client, "/api/v1/auth/token", json.dumps({"email": 5 * "é" * 90000}, ensure_ascii=False), {}
    )
    assert long_name.status_code == 422
    assert len(long_name.content) < 4000

    # An upload of 3 MiB still goes through (it is validated later, in the background).
    files = [("files", ("long.flac", os.urandom(3 << 20), "audio/flac"))]
    uploaded = client.post("/api/v1/distributor/releases", files=files, headers=KEY)
    assert uploaded.status_code == 202, uploaded.text


def test_values_of_the_wrong_json_type_are_refused_not_coerced(
    client: TestClient, app: App
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    for wrong in (False, "50", 50.5, None):
        answer = client.put("/api/v1/me/player/volume", json={"percent": wrong}, headers=ada)
        assert answer.status_code == 422, (wrong, answer.text)
    error = client.put("/api/v1/me/player/volume", json={"percent": True}, headers=ada).json()
    assert error["error"]["fields"][0]["message"] == "expected a number, got a boolean"
    for wrong_name in (5, True, ["x"]):
        answer = client.post("/api/v1/me/playlists", json={"name": wrong_name}, headers=ada)
        assert answer.status_code == 422, answer.text
    answer = client.post("/api/v1/me/playlists", json={"name": "Mix", "public": 1}, headers=ada)
    assert answer.status_code == 422
    assert client.get("/api/v1/me/playlists", headers=ada).json()["items"] == []

    # Right types go through as before: whole numbers, text, dates and enum values as text.
    assert client.put("/api/v1/me/player/volume", json={"percent": 40}, headers=ada).is_success
    made = client.post("/api/v1/me/playlists", json={"name": "Mix", "public": False}, headers=ada)
    assert made.status_code == 201
    repeat = client.put("/api/v1/me/player/repeat", json={"state": "track"}, headers=ada)
    assert repeat.is_success, repeat.text


def test_the_schema_documents_the_error_answers_with_the_error_body(app: App) -> None:
    with TestClient(create_app(app)) as client:
        schema = client.get("/openapi.json").json()
    volume = schema["paths"]["/api/v1/me/player/volume"]["put"]["responses"]
    assert {"401", "403", "413", "422", "429"} <= set(volume)
    assert volume["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    token = schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"401", "413", "422", "429"} <= set(token)
    release = schema["paths"]["/api/v1/releases/{release_id}"]["get"]["responses"]
    assert {"404", "422"} <= set(release)
    error = schema["components"]["schemas"]["ErrorDetailOut"]
    assert {"code", "message"} <= set(error["required"])
