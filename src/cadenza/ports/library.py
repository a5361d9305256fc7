"""Files of a local library already read, so a rescan skips what did not change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cadenza.domain.errors import CadenzaError


@dataclass(frozen=True)
class KnownFile:
    size: int
    mtime_ns: int
    track_id: int | None
    error_code: str | None
    album_key: str | None


class LibraryRepository(Protocol):
    def known_files(self, under: str) -> dict[str, KnownFile]: ...

    def record_file(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        track_id: int | None,
        error: CadenzaError | None,
        album_key: str | None = None,
    ) -> None: ...
