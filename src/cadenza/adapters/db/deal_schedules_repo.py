"""The DDEX deals' dates per release, in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import ReleaseRow
from cadenza.adapters.db.models_creators import DealScheduleRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.deal_windows import DealWindow
from cadenza.ports.deal_schedules import DealSchedule


class SqlDealSchedules:
    """The deal dates half of SqlTakedowns (a release's availability): uow.takedowns."""

    s: Session

    def save_deals(self, schedule: DealSchedule) -> None:
        self.forget_deals(schedule.release_id)
        self.s.add(
            DealScheduleRow(
                release_id=schedule.release_id,
                distributor_id=schedule.distributor_id,
                windows=[w.as_json() for w in schedule.windows],
                next_change_at=schedule.next_change_at,
            )
        )
        self.s.flush()

    def deal_schedule(self, release_id: int) -> DealSchedule | None:
        row = self.s.get(DealScheduleRow, release_id, populate_existing=True)
        return _schedule(row) if row else None

    def forget_deals(self, release_id: int) -> None:
        self.s.execute(delete(DealScheduleRow).where(DealScheduleRow.release_id == release_id))

    def deals_due(self, now: datetime, limit: int) -> list[DealSchedule]:
        rows = self.s.scalars(
            select(DealScheduleRow)
            .where(DealScheduleRow.next_change_at <= as_utc(now))
            .order_by(DealScheduleRow.next_change_at, DealScheduleRow.release_id)
            .limit(limit)
        )
        return [_schedule(r) for r in rows]

    def next_deal_change(self, release_id: int, at: datetime | None) -> None:
        self.s.execute(
            update(DealScheduleRow)
            .where(DealScheduleRow.release_id == release_id)
            .values(next_change_at=at)
        )

    def set_territories(self, release_id: int, territories: tuple[str, ...]) -> None:
        self.s.execute(
            update(ReleaseRow)
            .where(ReleaseRow.id == release_id)
            .values(territories=" ".join(territories))
        )


def _schedule(row: DealScheduleRow) -> DealSchedule:
    return DealSchedule(
        row.release_id,
        row.distributor_id,
        tuple(DealWindow.of_json(w) for w in row.windows),
        as_utc(row.next_change_at) if row.next_change_at else None,
    )
