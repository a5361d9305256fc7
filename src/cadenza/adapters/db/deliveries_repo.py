"""The deliveries being processed, in SQL: their state survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import DeliveryRow
from cadenza.ports.deliveries import Delivery


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

    def unfinished(self, begun_before: datetime | None = None) -> list[Delivery]:
        query = select(DeliveryRow).where(DeliveryRow.status.in_(("queued", "processing")))
        if begun_before is not None:
            query = query.where(DeliveryRow.created_at < begun_before)
        return [_delivery(r) for r in self.s.scalars(query)]


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
