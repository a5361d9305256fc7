"""Fetching audio: exact lengths, byte ranges, caching headers, every quality."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import av
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.grants import ask_grant


def first_track(client: TestClient, release_id: int) -> int:
    track_id: int = client.get(f"/api/v1/releases/{release_id}").json()["tracks"][0]["id"]
    return track_id


def test_every_quality_streams_with_exact_headers(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    client.headers.update(premium)
    track = client.get(f"/api/v1/tracks/{first_track(client, published)}").json()
    for file in track["files"]:
        response = client.get(file["url"])
        assert response.status_code == 200
        assert response.headers["content-type"] == file["format"]
        assert int(response.headers["content-length"]) == file["size"] == len(response.content)
        assert response.headers["accept-ranges"] == "bytes"
        assert response.headers["etag"] and response.headers["last-modified"]
        with av.open(io.BytesIO(response.content)) as decoded:
            stream = decoded.streams.audio[0]
            expected = "flac" if file["quality"] == "lossless" else "opus"
            assert stream.codec_context.name == expected


def test_byte_ranges(client: TestClient, published: int, premium: dict[str, str]) -> None:
    client.headers.update(premium)
    url = f"/api/v1/tracks/{first_track(client, published)}/stream?quality=very_high"
    whole = client.get(url).content
    size = len(whole)
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == whole[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert part.headers["content-length"] == "100"
    open_ended = client.get(url, headers={"Range": "bytes=1000-"})
    assert open_ended.status_code == 206 and open_ended.content == whole[1000:]
    suffix = client.get(url, headers={"Range": "bytes=-500"})
    assert suffix.status_code == 206 and suffix.content == whole[-500:]
    beyond = client.get(url, headers={"Range": f"bytes={size + 10}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"


def test_etag_revalidation_and_unknown_quality(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    client.headers.update(premium)
    track_id = first_track(client, published)
    url = f"/api/v1/tracks/{track_id}/stream?quality=low"
    etag = client.get(url).headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/api/v1/tracks/{track_id}/stream?quality=ultra").status_code == 422


def test_a_lossy_source_has_no_lossless_stream(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    client.headers.update(premium)
    mp3_track = client.get(f"/api/v1/releases/{published}").json()["tracks"][1]
    response = client.get(f"/api/v1/tracks/{mp3_track['id']}/stream?quality=lossless")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "quality_unavailable"


def test_a_stream_grant_is_a_signed_url_that_needs_no_login(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    track_id = first_track(client, published)
    asked = ask_grant(client, premium, track_id, "lossless")
    assert asked.status_code == 200
    grant = asked.json()
    track = client.get(f"/api/v1/tracks/{track_id}").json()
    assert grant["gain_db"] == track["loudness"]["gain_db"]
    assert grant["media_type"] == "audio/flac"
    direct = client.get(f"/api/v1/tracks/{track_id}/stream?quality=lossless", headers=premium)
    fetched = client.get(grant["url"])  # no Authorization: the signature is the permission
    assert fetched.status_code == 200 and fetched.content == direct.content
    part = client.get(grant["url"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == direct.content[10:20]
    tampered = grant["url"][:-3] + ("AAA" if not grant["url"].endswith("AAA") else "BBB")
    assert client.get(tampered).status_code == 404
    # The path names the audio's content, so a cache keeps one copy for every listener.
    path = urlsplit(grant["url"]).path
    assert path == f"/api/v1/audio/{direct.headers['etag'].strip(chr(34))}.flac"
    # A minute's validity: renewed as the track plays.
    expires = datetime.fromisoformat(grant["expires_at"])
    assert expires <= datetime.now(UTC) + timedelta(seconds=61)


def secure_link(secret: bytes, expires: int, path: str, play: str) -> str:
    """nginx's secure_link_md5 "$secure_link_expires$uri$arg_play <secret>", base64url."""
    digest = hashlib.md5(f"{expires}{path}{play} ".encode() + secret).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_the_signature_is_the_one_nginx_secure_link_checks(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    url = ask_grant(client, premium, first_track(client, published)).json()["url"]
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    secret = (app.settings.data_dir / "stream-link.key").read_bytes().strip()
    expected = secure_link(secret, int(query["expires"]), parts.path, query["play"])
    assert query["sig"] == expected


def test_an_expired_grant_is_refused_with_a_code_the_player_acts_on(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    url = ask_grant(client, premium, first_track(client, published)).json()["url"]
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    secret = (app.settings.data_dir / "stream-link.key").read_bytes().strip()
    past = int(datetime.now(UTC).timestamp()) - 1
    sig = secure_link(secret, past, parts.path, query["play"])
    expired = f"{parts.path}?{urlencode({'play': query['play'], 'expires': past, 'sig': sig})}"
    refused = client.get(expired, headers={"Range": "bytes=0-99"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "grant_expired"
    # Asking again gives a fresh grant to the same bytes.
    renewed = ask_grant(client, premium, first_track(client, published)).json()["url"]
    assert client.get(renewed, headers={"Range": "bytes=0-99"}).status_code == 206


def test_a_grant_respects_the_plan(client: TestClient, app: App, published: int) -> None:
    free = sign_in(client, app, "free@example.org")
    track_id = first_track(client, published)
    refused = ask_grant(client, free, track_id, "very_high")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "quality_not_in_plan"
    granted = ask_grant(client, free, track_id)
    assert granted.status_code == 200 and granted.json()["quality"] == "high"


def test_the_image_endpoint_serves_images_only(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    track_id = first_track(client, published)
    audio = client.get(f"/api/v1/tracks/{track_id}/stream?quality=low", headers=premium)
    audio_digest = audio.headers["etag"].strip('"')
    assert client.get(f"/api/v1/images/{audio_digest}").status_code == 404
    cover = client.get(f"/api/v1/releases/{published}").json()["images"][0]["url"]
    assert client.get(cover).status_code == 200


def test_without_the_accel_setting_cadenza_sends_the_bytes(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    track_id = first_track(client, published)
    grant = ask_grant(client, premium, track_id, "very_high").json()
    direct = client.get(f"/api/v1/tracks/{track_id}/stream?quality=very_high", headers=premium)
    part = client.get(grant["url"], headers={"Range": "bytes=0-65535"})
    assert part.status_code == 206
    assert part.content == direct.content[:65536]
    assert "x-accel-redirect" not in part.headers
    assert part.headers["content-type"] == "audio/ogg"
    assert part.headers["etag"] == direct.headers["etag"]
    assert part.headers["last-modified"] == direct.headers["last-modified"]
    assert part.headers["accept-ranges"] == "bytes"
    size = len(direct.content)
    tail = client.get(grant["url"], headers={"Range": f"bytes={size - 100}-{size + 5000}"})
    assert tail.status_code == 206 and tail.content == direct.content[-100:]
    assert tail.headers["content-range"] == f"bytes {size - 100}-{size - 1}/{size}"


def test_a_granted_url_answers_every_range_as_the_signed_in_route_does(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    """Granted audio takes a quicker way than the signed-in route (the ranges players ask
    most); the bytes, the status and every header must be the same either way."""
    track_id = first_track(client, published)
    grant = ask_grant(client, premium, track_id, "very_high").json()
    direct_url = f"/api/v1/tracks/{track_id}/stream?quality=very_high"
    size = len(client.get(direct_url, headers=premium).content)
    etag = client.get(direct_url, headers=premium).headers["etag"]
    asked: list[dict[str, str]] = [
        {"Range": "bytes=0-65535"},
        {"Range": "bytes=100-199"},
        {"Range": "bytes=1000-"},
        {"Range": "bytes=-500"},
        {"Range": f"bytes={size - 10}-{size + 100}"},
        {"Range": f"bytes={size}-"},  # beyond the end: 416
        {"Range": "bytes=5-1"},
        {"Range": "bytes=0-0"},
        {"Range": "bytes=-0"},
        {"Range": "bytes=0-1,5-9"},
        {"Range": "bytes=abc"},
        {"Range": " BYTES = 10 - 20 "},
        {"Range": "bytes=0-2000000"},
        {"Range": "bytes=0-99", "If-Range": '"another"'},
        {"Range": "bytes=0-99", "If-Range": etag},
        {"Range": "bytes=0-9", "If-None-Match": etag},
        {"If-None-Match": '"another"'},
        {},
    ]
    for headers in asked:
        direct = client.get(direct_url, headers=premium | headers)
        granted = client.get(grant["url"], headers=headers)
        assert granted.status_code == direct.status_code, headers
        if "multipart/byteranges" in direct.headers.get("content-type", ""):
            continue  # each answer draws its own boundary
        assert granted.content == direct.content, headers
        own = ("date", "x-request-id")  # each answer's own
        seen = [(k, v) for k, v in granted.headers.items() if k not in own]
        assert seen == [(k, v) for k, v in direct.headers.items() if k not in own], headers


def test_a_grant_without_a_quality_is_the_plans_best_and_the_same_file_the_web_player_asks(
    client: TestClient, app: App, published: int
) -> None:
    """A client that names no quality gets what the web player's "Automatic" picks (very high
    on Premium, high on Free), so every client replaying a song asks for the same cached file."""
    track_id = first_track(client, published)
    for email, plan, best in (
        ("premium@example.org", Plan.PREMIUM_INDIVIDUAL, "very_high"),
        ("free@example.org", Plan.FREE, "high"),
    ):
        who = sign_in(client, app, email, plan)
        unnamed = ask_grant(client, who, track_id)
        assert unnamed.status_code == 200, unnamed.text
        assert unnamed.json()["quality"] == best
        named = ask_grant(client, who, track_id, quality=best).json()
        assert urlsplit(unnamed.json()["url"]).path == urlsplit(named["url"]).path
        client.headers.update(who)
        direct = client.get(f"/api/v1/tracks/{track_id}/stream")
        assert direct.status_code == 200
        assert direct.content == client.get(named["url"]).content
