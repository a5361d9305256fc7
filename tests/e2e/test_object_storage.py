"""Blobs on object storage (CADENZA_BLOB_URL=s3://..., a real moto_server on loopback): a
distributor's upload is ingested into the bucket, a listener's stream is answered by a redirect
to a short-lived presigned URL (or proxied, by setting) with exact ranges and the same ETag,
covers come through Cadenza, nothing lands in the local blob dir, and the orphan sweep works on
the bucket as on the disk."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import av
import httpx
import pytest
from fastapi.testclient import TestClient

from cadenza.adapters.blobs.s3 import STORED_AT, S3BlobStore
from cadenza.bootstrap import App
from cadenza.config import Settings
from tests.e2e.grants import ask_grant
from tests.e2e.subsonic_helpers import app_login
from tests.e2e.test_distributor_upload import poll, upload
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver
from tests.s3_server import on_s3, s3_endpoint

__all__ = ["s3_endpoint"]  # the server's fixture


@pytest.fixture
def settings(settings: Settings, s3_endpoint: str, request: pytest.FixtureRequest) -> Settings:
    return on_s3(settings, s3_endpoint, getattr(request, "param", "redirect"))


def uploaded_track(client: TestClient, tmp_path: Path) -> tuple[int, dict[str, object]]:
    """A distributor's release uploaded over HTTP and ingested: its first track and the
    release as the catalog shows it."""
    accepted = upload(client, make_release(tmp_path / "rel"))
    assert accepted.status_code == 202, accepted.text
    done = poll(client, accepted.json()["status_url"])
    assert done["status"] == "published", done
    release = client.get(f"/api/v1/releases/{done['release_id']}").json()
    return release["tracks"][0]["id"], release


def local_blob_files(settings: Settings) -> list[Path]:
    return [p for p in settings.blob_dir.rglob("*") if p.is_file()]


def test_an_upload_is_stored_in_the_bucket_and_streams_by_redirect(
    client: TestClient, app: App, premium: dict[str, str], tmp_path: Path, s3_endpoint: str
) -> None:
    track_id, release = uploaded_track(client, tmp_path)
    assert isinstance(app.blobs, S3BlobStore)
    assert local_blob_files(app.settings) == []  # every file went to the bucket

    grant = ask_grant(client, premium, track_id, "very_high").json()
    answer = client.get(grant["url"], headers={"Range": "bytes=0-65535"}, follow_redirects=False)
    assert answer.status_code == 307
    location = answer.headers["location"]
    assert location.startswith(s3_endpoint)  # the bytes come from the store, not through us
    assert "X-Amz-Expires=300" in urlsplit(location).query  # short-lived
    digest = answer.headers["etag"].strip('"')
    fetched = httpx.get(location, headers={"Range": "bytes=1000-4999"})
    assert fetched.status_code == 206
    assert fetched.headers["content-type"] == "audio/ogg"
    assert fetched.content == b"".join(app.blobs.read(digest, 1000, 4999))
    whole = httpx.get(location)
    assert hashlib.sha256(whole.content).hexdigest() == digest  # content addressing kept

    # A tampered grant is refused by Cadenza before any redirect.
    refused = client.get(grant["url"][:-3] + "AAA", follow_redirects=False)
    assert refused.status_code in (403, 404) and "location" not in refused.headers

    # Covers come through Cadenza (cacheable for a year at our own address).
    images = release["images"]
    assert isinstance(images, list) and images
    cover = client.get(images[0]["url"])
    assert cover.status_code == 200
    assert cover.headers["content-type"] == "image/jpeg"
    assert cover.content[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("settings", ["proxy"], indirect=True)
def test_proxied_streams_have_exact_ranges_and_etags(
    client: TestClient, app: App, premium: dict[str, str], tmp_path: Path
) -> None:
    track_id, _ = uploaded_track(client, tmp_path)
    url = ask_grant(client, premium, track_id, "high").json()["url"]

    whole = client.get(url, follow_redirects=False)
    assert whole.status_code == 200
    digest = whole.headers["etag"].strip('"')
    size = len(whole.content)
    assert int(whole.headers["content-length"]) == size == app.blobs.size(digest)
    assert hashlib.sha256(whole.content).hexdigest() == digest
    assert whole.headers["accept-ranges"] == "bytes"

    part = client.get(url, headers={"Range": "bytes=1000-2999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-2999/{size}"
    assert part.content == whole.content[1000:3000]
    tail = client.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == whole.content[-500:]

    assert client.get(url, headers={"If-None-Match": f'"{digest}"'}).status_code == 304
    beyond = client.get(url, headers={"Range": f"bytes={size + 10}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(size)


def backdate(store: S3BlobStore, digest: str, hours: float) -> None:
    """As if these bytes were stored `hours` ago."""
    then = (datetime.now(UTC) - timedelta(hours=hours)).isoformat()
    key = store.key_of(digest)
    store.client.copy_object(
        Bucket=store.bucket,
        Key=key,
        CopySource={"Bucket": store.bucket, "Key": key},
        MetadataDirective="REPLACE",
        Metadata={STORED_AT: then},
    )


def test_the_orphan_sweep_works_on_the_bucket(app: App, tmp_path: Path) -> None:
    store = app.blobs
    assert isinstance(store, S3BlobStore)
    release = deliver(app, make_release(tmp_path / "delivery"))
    in_use = set(store.digests())
    killed = store.put_bytes(b"opus audio of a release whose ingest was killed" * 100)
    running = store.put_bytes(b"opus audio of an ingest still running" * 100)
    stale = f"{store.staging_prefix}{int(datetime.now(UTC).timestamp()) - 30 * 3600}-half"
    store.client.put_object(Bucket=store.bucket, Key=stale, Body=b"half a blob")
    for digest in in_use | {killed.digest}:
        backdate(store, digest, 30)  # older than the default grace of 24 h
    backdate(store, running.digest, 2)

    report = app.blob_sweep.sweep()
    assert (report.removed, report.kept_young, report.stale_writes) == (1, 1, 1)
    assert set(store.digests()) == in_use | {running.digest}
    with app.uow() as uow:
        published = uow.catalog.release(release.release_id)
    assert published is not None
    assert all(store.exists(f.blob) for t in published.tracks for f in t.files)


def test_a_write_that_fails_before_publishing_leaves_nothing_visible(
    app: App, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = app.blobs
    assert isinstance(store, S3BlobStore)
    source = tmp_path / "track.opus"
    source.write_bytes(b"encoded audio" * 50_000)

    def store_refuses(*_: object, **__: object) -> None:
        raise OSError("the store refused the copy")

    monkeypatch.setattr(store.client, "copy", store_refuses)
    with pytest.raises(OSError, match="refused"):
        store.put_file(source)
    listed = store.client.list_objects_v2(Bucket=store.bucket).get("Contents", [])
    assert listed == []  # neither the blob nor its temporary key
    assert list(store.digests()) == []


def test_accel_redirect_is_refused_with_an_s3_store() -> None:
    with pytest.raises(ValueError, match="CADENZA_S3_DELIVERY"):
        Settings(blob_url="s3://media/blobs", accel_redirect="/protected/")


def test_subsonic_apps_stream_and_seek_from_the_bucket(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    """An OpenSubsonic app: `stream` redirects like the web player's grant; `timeOffset` (the
    rest of the song from a point, remuxed by PyAV reading the blob a range at a time from the
    store) and cover art come through Cadenza."""
    folder = make_release(tmp_path / "long", formats=("flac",), seconds=31.0, upc=None)
    published = deliver(app, folder).release_id
    first = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]
    track, seconds = first["id"], first["duration_ms"] / 1000
    song = {"id": f"tr-{track}"}
    listener = app_login(client, app, "subsonic@example.org")
    streamed = client.get("/rest/stream", params=listener.token() | song, follow_redirects=False)
    assert streamed.status_code == 307
    assert httpx.get(streamed.headers["location"]).content[:4] == b"OggS"
    offset = 20
    rest = client.get(
        "/rest/stream",
        params=listener.token() | song | {"timeOffset": str(offset)},
        follow_redirects=False,
    )
    assert rest.status_code == 200 and rest.content[:4] == b"OggS"
    with av.open(io.BytesIO(rest.content)) as cut:
        heard = sum(f.samples for f in cut.decode(audio=0)) / 48000
    assert abs(heard - (seconds - offset)) < 1.5
    cover = client.get("/rest/getCoverArt", params=listener.token() | {"id": f"al-{published}"})
    assert cover.status_code == 200 and cover.content[:3] == b"\xff\xd8\xff"


def test_an_upload_while_the_store_refuses_fails_cleanly(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    store = app.blobs
    assert isinstance(store, S3BlobStore)
    store.client.delete_bucket(Bucket=store.bucket)  # every write now answers NoSuchBucket
    accepted = upload(client, make_release(tmp_path / "rel"))
    assert accepted.status_code == 202, accepted.text
    done = poll(client, accepted.json()["status_url"])
    assert done["status"] == "failed"
    assert done["error"]["code"] == "blob_store_unavailable"
    assert "NoSuchBucket" in done["error"]["message"]
    assert client.get("/api/v1/browse/new-releases").json()["items"] == []
