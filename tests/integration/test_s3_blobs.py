"""Blobs in an S3-compatible bucket (a real moto_server on loopback): the same names, sizes,
ranges and idempotence as the local store; a write never shows half a blob under its digest
and leaves nothing behind; big files go up in parts without being held in memory."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from cadenza.adapters.blobs.s3 import S3BlobStore, S3Location
from tests.s3_server import client_for, s3_endpoint

__all__ = ["s3_endpoint"]  # the server's fixture, used by every test here

MB = 1024 * 1024


@pytest.fixture
def bucket(s3_endpoint: str) -> tuple[Any, str]:
    client = client_for(s3_endpoint)
    name = f"blobs-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return client, name


@pytest.fixture
def store(bucket: tuple[Any, str]) -> S3BlobStore:
    client, name = bucket
    return S3BlobStore(client, S3Location(name, "music/blobs"), part_bytes=5 * MB)


def keys(client: Any, bucket: str) -> list[str]:
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def test_a_file_is_stored_under_its_sha256_in_parts_and_read_back_by_ranges(
    store: S3BlobStore, bucket: tuple[Any, str], tmp_path: Path
) -> None:
    data = os.urandom(12 * MB + 12345)  # three parts of 5 MB
    source = tmp_path / "track.flac"
    source.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()

    stored = store.put_file(source)
    assert (stored.digest, stored.size, stored.created) == (digest, len(data), True)
    client, name = bucket
    # Only the blob under its content address: the temporary key it was written to is gone.
    assert keys(client, name) == [f"music/blobs/{digest[:2]}/{digest[2:4]}/{digest}"]
    assert list(store.digests()) == [digest]
    assert store.size(digest) == len(data)
    assert store.exists(digest)
    assert b"".join(store.read(digest, 0, 99)) == data[:100]
    assert b"".join(store.read(digest, 6 * MB, 7 * MB)) == data[6 * MB : 7 * MB + 1]
    with store.open(digest) as blob:
        blob.seek(-10, os.SEEK_END)
        assert blob.read() == data[-10:]
        blob.seek(5 * MB - 3)
        assert blob.read(6) == data[5 * MB - 3 : 5 * MB + 3]

    again = store.put_file(source)
    assert (again.digest, again.created) == (digest, False)
    assert len(keys(client, name)) == 1


def test_storing_the_same_bytes_again_renews_their_time(store: S3BlobStore) -> None:
    first = store.put_bytes(b"cover art" * 1000)
    before = store.age(first.digest)
    assert before is not None and before.size == 9000
    again = store.put_bytes(b"cover art" * 1000)
    after = store.age(first.digest)
    assert again.created is False
    assert after is not None and after.stored_at >= before.stored_at
    store.delete(first.digest)
    assert store.age(first.digest) is None and store.size(first.digest) is None
    with pytest.raises(FileNotFoundError):
        store.open(first.digest)


def test_a_big_upload_is_never_held_in_memory(store: S3BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "long-mix.flac"
    with source.open("wb") as out:
        for _ in range(40):
            out.write(os.urandom(MB))
    tracemalloc.start()
    try:
        stored = store.put_file(source)
        streamed = sum(len(chunk) for chunk in store.read(stored.digest, 0, stored.size - 1))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert streamed == 40 * MB
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MB for a 40 MB file"


def test_writes_killed_midway_are_invisible_and_swept_after_the_grace(
    store: S3BlobStore, bucket: tuple[Any, str]
) -> None:
    client, name = bucket
    kept = store.put_bytes(b"a published cover")
    # What a server killed mid-write leaves: a temporary key, an unfinished multipart upload.
    started = int(datetime.now(UTC).timestamp())
    client.put_object(Bucket=name, Key=f"music/blobs/tmp/{started}-killed", Body=b"half a blob")
    client.create_multipart_upload(Bucket=name, Key=f"music/blobs/tmp/{started}-killed-parts")
    assert list(store.digests()) == [kept.digest]

    assert store.remove_stale_writes(datetime.now(UTC) - timedelta(hours=1)) == 0  # too young
    assert store.remove_stale_writes(datetime.now(UTC) + timedelta(minutes=1)) == 2
    assert keys(client, name) == [store.key_of(kept.digest)]
    assert client.list_multipart_uploads(Bucket=name).get("Uploads", []) == []


def test_a_presigned_url_gives_the_bytes_with_the_type_asked_for(store: S3BlobStore) -> None:
    data = os.urandom(300_000)
    digest = store.put_bytes(data).digest
    url = store.share_url(digest, 60, "audio/ogg", 'inline; filename="1-high.ogg"')
    assert url is not None
    answer = httpx.get(url, headers={"Range": "bytes=1000-1999"})
    assert answer.status_code == 206
    assert answer.content == data[1000:2000]
    assert answer.headers["content-type"] == "audio/ogg"
    assert "1-high.ogg" in answer.headers["content-disposition"]


def test_the_location_is_a_bucket_and_a_prefix() -> None:
    assert S3Location.parse("s3://media/cadenza/blobs/") == S3Location("media", "cadenza/blobs")
    assert S3Location.parse("s3://media") == S3Location("media", "")
    with pytest.raises(ValueError, match="s3://"):
        S3Location.parse("https://media/x")
