"""Content-addressed storage of audio, covers and creatives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredBlob:
    digest: str  # sha256, hex
    size: int
    created: bool  # False when the store already held these bytes


class BlobStore(Protocol):
    def put_file(self, path: Path) -> StoredBlob:
        """Store a file by its sha256. Idempotent: storing the same bytes again creates nothing."""
        ...

    def put_bytes(self, data: bytes) -> StoredBlob: ...

    def path_of(self, digest: str) -> Path: ...

    def relative_path(self, digest: str) -> str:
        """The blob's path under the store's root, with '/' separators."""
        ...

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> None: ...

    def digests(self) -> Iterator[str]: ...
