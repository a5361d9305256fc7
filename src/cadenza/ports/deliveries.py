"""Distributors' uploads on their way through the ingest pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass
class Delivery:
    id: str
    distributor_id: int
    status: str
    stage: str | None = None
    progress: float = 0.0
    release_id: int | None = None
    track_ids: list[int] = field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    error_file: str | None = None


class DeliveryRepository(Protocol):
    def add(self, delivery: Delivery) -> None: ...

    def get(self, delivery_id: str) -> Delivery | None: ...

    def update(self, delivery: Delivery) -> None: ...

    def unfinished(self, begun_before: datetime | None = None) -> list[Delivery]:
        """Queued or processing; only those received before `begun_before` when given."""
        ...
