"""What happened to an account's security, newest first, for its owner and the admins. In SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import AuditRow
from cadenza.domain.accounts import AuditEvent
from cadenza.domain.catalog import as_utc


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, account_id: int, event: AuditEvent) -> None:
        self.s.add(
            AuditRow(
                user_id=account_id,
                kind=event.kind,
                at=event.at,
                ip=event.ip,
                device=event.device,
                detail=event.detail,
            )
        )

    def events(self, account_id: int, limit: int) -> list[AuditEvent]:
        rows = self.s.scalars(
            select(AuditRow)
            .where(AuditRow.user_id == account_id)
            .order_by(AuditRow.id.desc())
            .limit(limit)
        )
        return [AuditEvent(r.kind, as_utc(r.at), r.ip, r.device, dict(r.detail)) for r in rows]
