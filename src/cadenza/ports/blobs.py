"""Content-addressed storage of audio, covers and creatives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol


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

    def path_of(self, digest: str) -> Path: ...

    def relative_path(self, digest: str) -> str:
        """The blob's path under the store's root, with '/' separators."""
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
