"""Content-addressed storage of audio, covers and creatives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from cadenza.domain.errors import CadenzaError


class BlobStoreUnavailable(CadenzaError):
    """The blob store refused or did not answer (an object store's error, a network fault):
    nothing was stored under a digest; try again later."""

    code = "blob_store_unavailable"
    status = 503


@dataclass(frozen=True)
class StoredBlob:
    digest: str  # sha256, hex
    size: int
    created: bool  # False when the store already held these bytes


@dataclass(frozen=True)
class BlobAge:
    size: int
    stored_at: datetime  # when these bytes were last stored (storing them again renews it)


class BlobStore(Protocol):
    def put_file(self, path: Path) -> StoredBlob:
        """Store a file by its sha256. Idempotent: storing the same bytes again creates nothing,
        but renews the blob's `stored_at` (an ingest about to refer to it again)."""
        ...

    def put_bytes(self, data: bytes) -> StoredBlob: ...

    def local_path(self, digest: str) -> Path | None:
        """The blob's file on this machine (the local store), to send with sendfile; None for
        a store elsewhere (S3), whose bytes come through `read` or a `share_url`."""
        ...

    def relative_path(self, digest: str) -> str:
        """The blob's path under the store's root, with '/' separators."""
        ...

    def size(self, digest: str) -> int | None:
        """The blob's length, None when it is not there. May be remembered a while: blobs are
        named by their content and never change."""
        ...

    def open(self, digest: str) -> BinaryIO:
        """The blob as a seekable binary file (FileNotFoundError when it is not there); a
        remote store reads the parts asked for, never the whole blob at once."""
        ...

    def read(self, digest: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes `start` to `end` (inclusive) of the blob, in chunks as they arrive."""
        ...

    def share_url(
        self, digest: str, seconds: int, media_type: str, disposition: str | None
    ) -> str | None:
        """A URL that gives the blob to whoever holds it for `seconds` (an S3 presigned GET
        answering with this content type and disposition); None where the store has none."""
        ...

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> None: ...

    def digests(self) -> Iterator[str]: ...

    def age(self, digest: str) -> BlobAge | None:
        """The blob's size and when it was stored; None once gone."""
        ...

    def remove_stale_writes(self, before: datetime) -> int:
        """Remove half-written files (a write killed midway) started before `before`; how many."""
        ...
