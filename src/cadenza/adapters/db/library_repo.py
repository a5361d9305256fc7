"""What a library scan last saw, and the deliveries being processed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import DeliveryRow, LibraryFileRow
from cadenza.domain.errors import CadenzaError
from cadenza.ports.deliveries import Delivery
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


class SqlDeliveries:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, delivery: Delivery) -> None:
        now = datetime.now(UTC)
        self.s.add(DeliveryRow(**_columns(delivery), created_at=now, updated_at=now))
        self.s.flush()

    def get(self, delivery_id: str) -> Delivery | None:
        row = self.s.get(DeliveryRow, delivery_id)
        return _delivery(row) if row is not None else None

    def update(self, delivery: Delivery) -> None:
        row = self.s.get(DeliveryRow, delivery.id)
        if row is None:
            return
        for name, value in _columns(delivery).items():
            setattr(row, name, value)
        row.updated_at = datetime.now(UTC)
        self.s.flush()

    def unfinished(self) -> list[Delivery]:
        rows = self.s.scalars(
            select(DeliveryRow).where(DeliveryRow.status.in_(("queued", "processing")))
        )
        return [_delivery(r) for r in rows]


_FIELDS = [
    "id",
    "distributor_id",
    "status",
    "stage",
    "progress",
    "release_id",
    "track_ids",
    "error_code",
    "error_message",
    "error_file",
]


def _columns(delivery: Delivery) -> dict[str, object]:
    return {name: getattr(delivery, name) for name in _FIELDS}


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(**{name: getattr(row, name) for name in _FIELDS})
