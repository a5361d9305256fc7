"""Content-addressed blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW...), through
boto3: `<prefix>/ab/cd/abcdef...` (sha256), the same names as the local store's files.

A write goes to a temporary key (`<prefix>/tmp/<random>`, multipart above the part size) and
is published under its digest by a server-side copy, so a reader never finds half a blob under
a digest; a write killed midway leaves a temporary key or an unfinished multipart upload,
which `remove_stale_writes` removes. Reads stream a range at a time; nothing holds a whole
blob in memory. boto3 is imported only by a deployment that names an s3:// store."""

from __future__ import annotations

import hashlib
import io
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from cadenza.ports.blobs import BlobAge, BlobStoreUnavailable, StoredBlob

_CHUNK = 1 << 20
_STREAM_CHUNK = 64 * 1024
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
STORED_AT = "stored-at"  # object metadata: when these bytes were last stored (renewed)
SIZE_KEPT_S = 60.0
MAX_SIZES_KEPT = 4096


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # no slash at either end; "" for the bucket's root

    @staticmethod
    def parse(url: str) -> S3Location:
        """`s3://bucket/prefix` (prefix optional)."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError("a blob URL is s3://bucket/prefix")
        return S3Location(parts.netloc, parts.path.strip("/"))


class S3BlobStore:
    def __init__(
        self,
        client: Any,
        location: S3Location,
        *,
        presigner: Any = None,
        part_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        from boto3.s3.transfer import TransferConfig

        self.client = client
        self.presigner = presigner or client  # a client for the address listeners reach
        self.bucket = location.bucket
        self.prefix = f"{location.prefix}/" if location.prefix else ""
        self.transfer = TransferConfig(
            multipart_threshold=part_bytes, multipart_chunksize=part_bytes, use_threads=False
        )
        self._sizes: dict[str, tuple[int, float]] = {}
        self._sizes_lock = threading.Lock()

    # -- names ---------------------------------------------------------------------------
    def relative_path(self, digest: str) -> str:
        return f"{digest[:2]}/{digest[2:4]}/{digest}"

    def key_of(self, digest: str) -> str:
        return self.prefix + self.relative_path(digest)

    @property
    def staging_prefix(self) -> str:
        return f"{self.prefix}tmp/"

    def local_path(self, digest: str) -> Path | None:
        return None

    # -- writing -------------------------------------------------------------------------
    def put_file(self, path: Path) -> StoredBlob:
        with _store_errors():
            return self._put_file(path)

    def _put_file(self, path: Path) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as src:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        hexdigest = digest.hexdigest()
        if self._renew(hexdigest):
            return StoredBlob(hexdigest, size, created=False)
        staged = self._staged_key()
        try:
            self.client.upload_file(
                str(path), self.bucket, staged, ExtraArgs=self._fresh(), Config=self.transfer
            )
            self._publish(staged, hexdigest)
        finally:
            self._forget(staged)
        return StoredBlob(hexdigest, size, created=True)

    def put_bytes(self, data: bytes) -> StoredBlob:
        with _store_errors():
            return self._put_bytes(data)

    def _put_bytes(self, data: bytes) -> StoredBlob:
        hexdigest = hashlib.sha256(data).hexdigest()
        if self._renew(hexdigest):
            return StoredBlob(hexdigest, len(data), created=False)
        staged = self._staged_key()
        try:
            self.client.put_object(Bucket=self.bucket, Key=staged, Body=data, **self._fresh())
            self._publish(staged, hexdigest)
        finally:
            self._forget(staged)
        return StoredBlob(hexdigest, len(data), created=True)

    def _staged_key(self) -> str:
        """A temporary key that names when its write started (a sweep reads the time there:
        some servers report a multipart upload's start wrongly)."""
        return f"{self.staging_prefix}{int(time.time())}-{uuid.uuid4().hex}"

    def _started(self, key: str, reported: datetime) -> datetime:
        stamp = key[len(self.staging_prefix) :].split("-", 1)[0]
        if stamp.isdigit():
            return datetime.fromtimestamp(int(stamp), UTC)
        return reported

    @staticmethod
    def _fresh() -> dict[str, Any]:
        stamp = datetime.now(UTC).isoformat()
        return {"Metadata": {STORED_AT: stamp}, "ContentType": "application/octet-stream"}

    def _publish(self, staged: str, hexdigest: str) -> None:
        """Server-side copy to the digest's key (multipart above the part size): the blob
        appears whole or not at all."""
        self.client.copy(
            {"Bucket": self.bucket, "Key": staged},
            self.bucket,
            self.key_of(hexdigest),
            ExtraArgs={"MetadataDirective": "REPLACE", **self._fresh()},
            Config=self.transfer,
        )

    def _forget(self, staged: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=staged)

    def _renew(self, hexdigest: str) -> bool:
        """True when the blob is there already; its `stored-at` is renewed by copying it onto
        itself (a sweep of orphans then leaves it to the ingest that stores it again)."""
        if self.age(hexdigest) is None:
            return False
        key = self.key_of(hexdigest)
        self.client.copy(
            {"Bucket": self.bucket, "Key": key},
            self.bucket,
            key,
            ExtraArgs={"MetadataDirective": "REPLACE", **self._fresh()},
            Config=self.transfer,
        )
        return True

    def delete(self, digest: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key_of(digest))
        with self._sizes_lock:
            self._sizes.pop(digest, None)

    # -- reading -------------------------------------------------------------------------
    def exists(self, digest: str) -> bool:
        return self.age(digest) is not None

    def age(self, digest: str) -> BlobAge | None:
        head = self._head(self.key_of(digest))
        if head is None:
            return None
        stamp = head.get("Metadata", {}).get(STORED_AT)
        try:
            stored_at = datetime.fromisoformat(stamp) if stamp else head["LastModified"]
        except ValueError:
            stored_at = head["LastModified"]
        return BlobAge(int(head["ContentLength"]), stored_at)

    def size(self, digest: str) -> int | None:
        now = time.monotonic()
        with self._sizes_lock:
            kept = self._sizes.get(digest)
        if kept is not None and kept[1] > now:
            return kept[0]
        head = self._head(self.key_of(digest))
        if head is None:
            return None
        size = int(head["ContentLength"])
        with self._sizes_lock:
            if len(self._sizes) >= MAX_SIZES_KEPT:
                self._sizes.clear()
            self._sizes[digest] = (size, now + SIZE_KEPT_S)
        return size

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            with _store_errors(missing_passes=True):
                head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError:  # missing
            return None
        return head

    def read(self, digest: str, start: int, end: int) -> Iterator[bytes]:
        body = self._get(digest, f"bytes={start}-{end}")
        try:
            yield from body.iter_chunks(_STREAM_CHUNK)
        finally:
            body.close()

    def _get(self, digest: str, byte_range: str) -> Any:
        from botocore.exceptions import ClientError

        try:
            with _store_errors(missing_passes=True):
                found = self.client.get_object(
                    Bucket=self.bucket, Key=self.key_of(digest), Range=byte_range
                )
        except ClientError as exc:  # missing
            raise FileNotFoundError(digest) from exc
        return found["Body"]

    def open(self, digest: str) -> BinaryIO:
        size = self.size(digest)
        if size is None:
            raise FileNotFoundError(digest)
        return io.BufferedReader(_RangeReader(self, digest, size), buffer_size=_CHUNK)

    def share_url(
        self, digest: str, seconds: int, media_type: str, disposition: str | None
    ) -> str | None:
        params = {
            "Bucket": self.bucket,
            "Key": self.key_of(digest),
            "ResponseContentType": media_type,
            "ResponseCacheControl": "private, max-age=86400",
        }
        if disposition:
            params["ResponseContentDisposition"] = disposition
        url: str = self.presigner.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=seconds
        )
        return url

    # -- listing and sweeping ------------------------------------------------------------
    def digests(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                rest = item["Key"][len(self.prefix) :]
                name = rest.rsplit("/", 1)[-1]
                if _DIGEST.match(name) and rest == self.relative_path(name):
                    yield name

    def remove_stale_writes(self, before: datetime) -> int:
        """Temporary keys and unfinished multipart uploads (a write killed midway) older
        than `before`."""
        removed = 0
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.staging_prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                if self._started(item["Key"], item["LastModified"]) < before:
                    self.client.delete_object(Bucket=self.bucket, Key=item["Key"])
                    removed += 1
        uploads = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=self.staging_prefix)
        for upload in uploads.get("Uploads", ()):
            if self._started(upload["Key"], upload["Initiated"]) < before:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
                removed += 1
        return removed


@contextmanager
def _store_errors(*, missing_passes: bool = False) -> Iterator[None]:
    """The store's refusals and network faults as BlobStoreUnavailable (503, a stable code);
    with `missing_passes`, a 404 goes on as the ClientError it is."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        if missing_passes and _missing(exc):
            raise
        code = exc.response.get("Error", {}).get("Code", "error")
        raise BlobStoreUnavailable(f"the blob store refused: {code}") from exc
    except BotoCoreError as exc:
        raise BlobStoreUnavailable(f"the blob store did not answer: {type(exc).__name__}") from exc


def _missing(exc: Any) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class _RangeReader(io.RawIOBase):
    """A blob read as a seekable file, one ranged GET per read (a buffered reader on top asks
    for a megabyte at a time)."""

    def __init__(self, store: S3BlobStore, digest: str, size: int) -> None:
        self.store, self.digest, self.length, self.position = store, digest, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self.length - self.position)
        if wanted <= 0:
            return 0
        got = 0
        end = self.position + wanted - 1
        for chunk in self.store.read(self.digest, self.position, end):
            view[got : got + len(chunk)] = chunk
            got += len(chunk)
        self.position += got
        return got


def s3_client(
    endpoint_url: str | None,
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
) -> Any:
    """A boto3 S3 client; path-style addressing (MinIO, Ceph and moto answer it; AWS too)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        region_name=region,
    )
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        retries={"max_attempts": 5, "mode": "standard"},
        max_pool_connections=32,
    )
    return session.client("s3", endpoint_url=endpoint_url, config=config)
