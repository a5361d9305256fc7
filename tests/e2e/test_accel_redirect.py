"""Behind nginx (CADENZA_ACCEL_REDIRECT): Cadenza checks the grant, nginx sends the bytes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.config import Settings
from tests.e2e.grants import ask_grant
from tests.e2e.test_streaming import first_track

PREFIX = "/protected-blobs/"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"accel_redirect": PREFIX})


def test_a_granted_stream_names_the_blob_for_nginx_and_sends_no_body(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    track_id = first_track(client, published)
    grant = ask_grant(client, premium, track_id, "very_high").json()
    answer = client.get(grant["url"], headers={"Range": "bytes=0-65535"})
    assert answer.status_code == 200
    assert answer.content == b""
    assert answer.headers["content-length"] == "0"
    assert answer.headers["content-type"] == "audio/ogg"
    redirect = answer.headers["x-accel-redirect"]
    assert redirect.startswith(PREFIX)
    # The file nginx will send from its alias of the blob dir is this track's very_high audio.
    direct = client.get(f"/api/v1/tracks/{track_id}/stream?quality=very_high", headers=premium)
    assert direct.status_code == 200 and direct.content  # the signed-in route still sends bytes
    on_disk = app.settings.blob_dir / redirect.removeprefix(PREFIX)
    assert on_disk.read_bytes() == direct.content


def test_the_grant_is_still_checked_by_cadenza(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    grant = ask_grant(client, premium, first_track(client, published)).json()
    tampered = grant["url"][:-3] + ("AAA" if not grant["url"].endswith("AAA") else "BBB")
    refused = client.get(tampered)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "stream_not_found"
    assert "x-accel-redirect" not in refused.headers


def test_the_setting_must_be_a_path_prefix() -> None:
    with pytest.raises(ValueError, match="start and end with"):
        Settings(accel_redirect="protected-blobs")
    assert Settings(accel_redirect="").accel_redirect is None
