"""What a library scan last saw, in SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import LibraryFileRow
from cadenza.domain.errors import CadenzaError
from cadenza.ports.library import KnownFile


class SqlLibrary:
    def __init__(self, session: Session) -> None:
        self.s = session

    def known_files(self, under: str) -> dict[str, KnownFile]:
        prefix = under.rstrip("/") + "/"
        query = select(
            LibraryFileRow.path,
            LibraryFileRow.size,
            LibraryFileRow.mtime_ns,
            LibraryFileRow.track_id,
            LibraryFileRow.error_code,
            LibraryFileRow.album_key,
        ).where(LibraryFileRow.path.startswith(prefix, autoescape=True))
        return {row[0]: KnownFile(*row[1:]) for row in self.s.execute(query)}

    def record_file(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        track_id: int | None,
        error: CadenzaError | None,
        album_key: str | None = None,
    ) -> None:
        row = self.s.get(LibraryFileRow, path) or LibraryFileRow(path=path)
        row.size, row.mtime_ns, row.track_id = size, mtime_ns, track_id
        row.album_key = album_key
        row.error_code = error.code if error else None
        row.error_message = error.message[:2000] if error else None
        self.s.merge(row)
