"""Listeners' app credentials, in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_app_access import AppCredentialRow
from cadenza.domain.app_access import AppCredential, AppCredentialKind
from cadenza.domain.catalog import as_utc


class SqlAppCredentials:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        account_id: int,
        kind: AppCredentialKind,
        name: str,
        prefix: str,
        key_hash: str | None,
        sealed: str | None,
        now: datetime,
    ) -> AppCredential:
        row = AppCredentialRow(
            user_id=account_id,
            kind=kind.value,
            name=name,
            prefix=prefix,
            key_hash=key_hash,
            sealed=sealed,
            created_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return _credential(row)

    def live_count(self, account_id: int, kind: AppCredentialKind) -> int:
        return (
            self.s.scalar(
                select(func.count()).select_from(AppCredentialRow).where(*_live(account_id, kind))
            )
            or 0
        )

    def of_account(self, account_id: int, kind: AppCredentialKind) -> list[AppCredential]:
        rows = self.s.scalars(
            select(AppCredentialRow).where(*_live(account_id, kind)).order_by(AppCredentialRow.id)
        )
        return [_credential(r) for r in rows]

    def by_key_hash(self, key_hash: str) -> AppCredential | None:
        row = self.s.scalar(
            select(AppCredentialRow).where(
                AppCredentialRow.key_hash == key_hash,
                AppCredentialRow.kind == AppCredentialKind.KEY.value,
                AppCredentialRow.revoked_at.is_(None),
            )
        )
        return _credential(row) if row is not None else None

    def sealed_passwords(self, account_id: int) -> list[tuple[AppCredential, str]]:
        rows = self.s.scalars(
            select(AppCredentialRow)
            .where(*_live(account_id, AppCredentialKind.PASSWORD))
            .order_by(AppCredentialRow.id)
        )
        return [(_credential(r), r.sealed or "") for r in rows]

    def touch(self, credential_id: int, now: datetime) -> None:
        self.s.execute(
            update(AppCredentialRow)
            .where(AppCredentialRow.id == credential_id)
            .values(last_used=now)
        )

    def revoke(
        self, account_id: int, kind: AppCredentialKind, credential_id: int, now: datetime
    ) -> bool:
        done = self.s.execute(
            update(AppCredentialRow)
            .where(AppCredentialRow.id == credential_id, *_live(account_id, kind))
            .values(revoked_at=now, sealed=None)  # a revoked password is forgotten at once
        )
        return getattr(done, "rowcount", 0) == 1


def _live(account_id: int, kind: AppCredentialKind) -> tuple[ColumnElement[bool], ...]:
    return (
        AppCredentialRow.user_id == account_id,
        AppCredentialRow.kind == kind.value,
        AppCredentialRow.revoked_at.is_(None),
    )


def _credential(row: AppCredentialRow) -> AppCredential:
    return AppCredential(
        id=row.id,
        account_id=row.user_id,
        kind=AppCredentialKind(row.kind),
        name=row.name,
        prefix=row.prefix,
        created_at=as_utc(row.created_at),
        last_used=as_utc(row.last_used) if row.last_used else None,
        revoked=row.revoked_at is not None,
    )
