"""Fetching audio: exact lengths, byte ranges, caching headers, every quality."""

from __future__ import annotations

import io

import av
from fastapi.testclient import TestClient


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
