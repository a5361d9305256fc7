"""Releases taken down and put back, with who did it and why; and the DDEX deal dates that
take them down or open territories on their own (SqlDealSchedules). In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.deal_schedules_repo import SqlDealSchedules
from cadenza.adapters.db.models import ReleaseRow, TakedownEventRow
from cadenza.domain.catalog import TakedownEvent, as_utc


class SqlTakedowns(SqlDealSchedules):
    def __init__(self, session: Session) -> None:
        self.s = session

    def set_taken_down(self, release_id: int, at: datetime | None) -> None:
        self.s.execute(
            update(ReleaseRow).where(ReleaseRow.id == release_id).values(taken_down_at=at)
        )

    def record_takedown(self, event: TakedownEvent) -> None:
        self.s.add(
            TakedownEventRow(
                release_id=event.release_id,
                action=event.action,
                at=event.at,
                actor=event.by,
                reason=event.reason,
            )
        )

    def takedown_history(self, release_id: int) -> list[TakedownEvent]:
        rows = self.s.scalars(
            select(TakedownEventRow)
            .where(TakedownEventRow.release_id == release_id)
            .order_by(TakedownEventRow.id.desc())
        )
        return [
            TakedownEvent(r.release_id, r.action, as_utc(r.at), r.actor, r.reason) for r in rows
        ]
