"""The disk cache of played audio: least recently used out first, within a size limit (by
default a tenth of the disk's free space, at least 50 MB, at most 10 GB), every file sealed
(AES-GCM) so a cached file is useless outside Cadenza.

A song skipped before its end keeps what arrived (`put_partial`: the byte runs, sealed like
the rest, counted in the same limit), so a replay fetches only the rest; the whole file,
once in, takes the partial entry's place."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from pathlib import Path

from cadenza.client.vault import SealBroken, Vault, write_atomically

MIN_LIMIT = 50 * 1000**2
MAX_LIMIT = 10 * 1000**3
SUFFIX = ".sealed"
PARTIAL = "#partial"  # a partial entry's label: never read as a whole file


class Partial:
    """What arrived of a file: its size and the byte runs in, as (offset, bytes)."""

    def __init__(self, size: int, runs: list[tuple[int, bytes]]) -> None:
        self.size = size
        self.runs = runs

    def held(self) -> int:
        return sum(len(data) for _, data in self.runs)

    def has(self, start: int, end: int) -> bool:
        return any(at <= start and at + len(data) >= end for at, data in self.runs)

    def encode(self) -> bytes:
        head = {"size": self.size, "runs": [[at, len(data)] for at, data in self.runs]}
        return json.dumps(head).encode() + b"\n" + b"".join(data for _, data in self.runs)

    @classmethod
    def decode(cls, plain: bytes) -> Partial:
        head_bytes, _, body = plain.partition(b"\n")
        head = json.loads(head_bytes)
        runs, at_body = [], 0
        for at, length in head["runs"]:
            runs.append((int(at), body[at_body : at_body + int(length)]))
            at_body += int(length)
        if at_body != len(body):
            raise ValueError("the runs do not match the bytes")
        return cls(int(head["size"]), runs)


def default_limit(folder: Path) -> int:
    """A tenth of the free space where the cache lives, within 50 MB .. 10 GB."""
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    return max(MIN_LIMIT, min(MAX_LIMIT, free // 10))


class DiskCache:
    def __init__(self, folder: Path, vault: Vault, limit_bytes: int | None = None) -> None:
        self.folder = folder
        self.vault = vault
        self.limit = default_limit(folder) if limit_bytes is None else limit_bytes
        self._lock = threading.Lock()
        folder.mkdir(parents=True, exist_ok=True)

    def path_of(self, content: str) -> Path:
        # The content's name hashed: no name from a server's URL becomes a path as it is.
        return self.folder / (hashlib.sha256(content.encode()).hexdigest() + SUFFIX)

    def get(self, content: str) -> bytes | None:
        path = self.path_of(content)
        try:
            sealed = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = self.vault.open(sealed, content)
        except SealBroken:
            path.unlink(missing_ok=True)  # damaged or another key's: fetched again
            return None
        with contextlib.suppress(FileNotFoundError):
            os.utime(path)  # used now: the last to go
        return data

    def put(self, content: str, data: bytes) -> None:
        if len(data) > self.limit:
            return
        with self._lock:
            write_atomically(self.path_of(content), self.vault.seal(data, content))
            self.path_of(content + PARTIAL).unlink(missing_ok=True)  # whole now
            self._evict()

    def get_partial(self, content: str) -> Partial | None:
        """What arrived of a file skipped before its end (None: nothing kept)."""
        label = content + PARTIAL
        plain = self.get(label)
        if plain is None:
            return None
        try:
            return Partial.decode(plain)
        except ValueError:
            self.path_of(label).unlink(missing_ok=True)
            return None

    def put_partial(self, content: str, partial: Partial) -> None:
        """Keeps what arrived of a file (replacing what was kept of it before)."""
        plain = partial.encode()
        if not partial.runs or len(plain) > self.limit or self.path_of(content).exists():
            return
        label = content + PARTIAL
        with self._lock:
            write_atomically(self.path_of(label), self.vault.seal(plain, label))
            self._evict()

    def size(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def _entries(self) -> list[tuple[float, int, Path]]:
        found = []
        for path in self.folder.glob("*" + SUFFIX):
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat()
                found.append((stat.st_mtime, stat.st_size, path))
        return found

    def _evict(self) -> None:
        entries = sorted(self._entries())
        total = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if total <= self.limit:
                return
            path.unlink(missing_ok=True)
            total -= size
