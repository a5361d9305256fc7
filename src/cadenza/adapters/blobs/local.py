"""Content-addressed files under the data dir: blobs/ab/cd/abcdef... (sha256)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from cadenza.ports.blobs import BlobAge, StoredBlob

_CHUNK = 1 << 20


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, digest: str) -> Path:
        return self.root / self.relative_path(digest)

    def relative_path(self, digest: str) -> str:
        """Where the blob lies under the blob dir (what a front proxy's alias serves)."""
        return f"{digest[:2]}/{digest[2:4]}/{digest}"

    def local_path(self, digest: str) -> Path:
        return self.path_of(digest)

    def exists(self, digest: str) -> bool:
        return self.path_of(digest).is_file()

    def size(self, digest: str) -> int | None:
        try:
            return self.path_of(digest).stat().st_size
        except OSError:
            return None

    def open(self, digest: str) -> BinaryIO:
        return self.path_of(digest).open("rb")

    def read(self, digest: str, start: int, end: int) -> Iterator[bytes]:
        with self.path_of(digest).open("rb") as blob:
            blob.seek(start)
            left = end - start + 1
            while left > 0 and (chunk := blob.read(min(_CHUNK, left))):
                left -= len(chunk)
                yield chunk

    def share_url(
        self, digest: str, seconds: int, media_type: str, disposition: str | None
    ) -> str | None:
        return None  # the server (or nginx, X-Accel-Redirect) sends local files itself

    def put_file(self, path: Path) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as src, self._staging() as (tmp, tmp_path):
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                tmp.write(chunk)
                size += len(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
            return self._commit(tmp_path, digest.hexdigest(), size)

    def put_bytes(self, data: bytes) -> StoredBlob:
        hexdigest = hashlib.sha256(data).hexdigest()
        if self._renew(self.path_of(hexdigest)):
            return StoredBlob(hexdigest, len(data), created=False)
        with self._staging() as (tmp, tmp_path):
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
            return self._commit(tmp_path, hexdigest, len(data))

    def delete(self, digest: str) -> None:
        self.path_of(digest).unlink(missing_ok=True)

    def digests(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if len(path.name) == 64:
                yield path.name

    def age(self, digest: str) -> BlobAge | None:
        try:
            st = self.path_of(digest).stat()
        except FileNotFoundError:
            return None
        return BlobAge(st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))

    def remove_stale_writes(self, before: datetime) -> int:
        removed = 0
        staging = self.root / "tmp"
        for path in staging.iterdir() if staging.is_dir() else ():
            try:
                if path.is_file() and path.stat().st_mtime < before.timestamp():
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # finished (or removed) meanwhile
                continue
        return removed

    @staticmethod
    def _renew(final: Path) -> bool:
        """True when the blob is there already; its time is renewed (a sweep of orphans then
        leaves it to the ingest that stores it again)."""
        try:
            os.utime(final)
        except FileNotFoundError:
            return False
        return True

    def _staging(self) -> _Staging:
        return _Staging(self.root)

    def _commit(self, tmp_path: Path, hexdigest: str, size: int) -> StoredBlob:
        final = self.path_of(hexdigest)
        if self._renew(final):
            return StoredBlob(hexdigest, size, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        # Atomic: a reader never sees half a blob.
        tmp_path.replace(final)
        return StoredBlob(hexdigest, size, created=True)


class _Staging:
    """A temp file in the store's own filesystem, removed if the write does not complete."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __enter__(self) -> tuple[tempfile._TemporaryFileWrapper[bytes], Path]:
        (self.root / "tmp").mkdir(exist_ok=True)
        self.tmp = tempfile.NamedTemporaryFile(dir=self.root / "tmp", delete=False)
        return self.tmp, Path(self.tmp.name)

    def __exit__(self, *exc: object) -> None:
        self.tmp.close()
        Path(self.tmp.name).unlink(missing_ok=True)
