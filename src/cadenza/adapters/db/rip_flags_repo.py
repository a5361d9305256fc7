"""Accounts flagged for fetching audio faster than anyone listens, and their reviews, in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_offline import RipFlagRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.ripping import RipFlag


class SqlRipFlags:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_rip_flag(
        self,
        user_id: int,
        now: datetime,
        audio_seconds: float,
        allowed_seconds: float,
        window_seconds: float,
        evidence: dict[str, object],
    ) -> int:
        row = RipFlagRow(
            user_id=user_id,
            status="open",
            flagged_at=now,
            audio_seconds=audio_seconds,
            allowed_seconds=allowed_seconds,
            window_seconds=window_seconds,
            evidence=evidence,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def rip_flags(self, status: str | None, limit: int, offset: int) -> list[RipFlag]:
        query = select(RipFlagRow).order_by(RipFlagRow.flagged_at.desc(), RipFlagRow.id.desc())
        if status is not None:
            query = query.where(RipFlagRow.status == status)
        return [_flag(r) for r in self.s.scalars(query.limit(limit).offset(offset))]

    def rip_flag(self, flag_id: int) -> RipFlag | None:
        row = self.s.get(RipFlagRow, flag_id)
        return None if row is None else _flag(row)

    def open_rip_flag_accounts(self) -> set[int]:
        return set(self.s.scalars(select(RipFlagRow.user_id).where(RipFlagRow.status == "open")))

    def review_rip_flag(self, flag_id: int, status: str, by: int | None, now: datetime) -> bool:
        done = self.s.execute(
            update(RipFlagRow)
            .where(RipFlagRow.id == flag_id, RipFlagRow.status == "open")
            .values(status=status, reviewed_by=by, reviewed_at=now)
        )
        return getattr(done, "rowcount", 0) == 1


def _flag(row: RipFlagRow) -> RipFlag:
    return RipFlag(
        id=row.id,
        account_id=row.user_id,
        status=row.status,
        flagged_at=as_utc(row.flagged_at),
        audio_seconds=row.audio_seconds,
        allowed_seconds=row.allowed_seconds,
        window_seconds=row.window_seconds,
        evidence=dict(row.evidence),
        reviewed_by=row.reviewed_by,
        reviewed_at=as_utc(row.reviewed_at) if row.reviewed_at else None,
    )
