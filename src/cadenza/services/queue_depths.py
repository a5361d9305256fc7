"""How much work waits, for an operator's dashboard (GET /metrics): e-mails not yet sent,
distributor deliveries queued or being ingested, by stage, and how far those are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cadenza.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class QueueDepths:
    mail_waiting: int
    deliveries: dict[str, int] = field(default_factory=dict)  # "queued" or a stage -> count
    ingest_progress: float = 1.0  # mean progress of the unfinished deliveries; 1 when none


class QueueReport:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self.uow = uow

    def depths(self) -> QueueDepths:
        with self.uow() as uow:
            mail = uow.mail.waiting()
            unfinished = uow.deliveries.unfinished()
        by_stage: dict[str, int] = {}
        for delivery in unfinished:
            stage = delivery.stage or delivery.status
            by_stage[stage] = by_stage.get(stage, 0) + 1
        progress = sum(d.progress for d in unfinished) / len(unfinished) if unfinished else 1.0
        return QueueDepths(mail, by_stage, progress)
