"""Accounts' identities at OpenID providers, and sign-ins under way. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_oauth import ExternalIdentityRow, ExternalSignInRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.scopes import ExternalIdentity


class SqlExternalIdentities:
    def __init__(self, session: Session) -> None:
        self.s = session

    def identity(self, provider: str, subject: str) -> ExternalIdentity | None:
        row = self.s.scalar(
            select(ExternalIdentityRow).where(
                ExternalIdentityRow.provider == provider, ExternalIdentityRow.subject == subject
            )
        )
        return None if row is None else _identity(row)

    def identities_of(self, account_id: int) -> list[ExternalIdentity]:
        rows = self.s.scalars(
            select(ExternalIdentityRow)
            .where(ExternalIdentityRow.account_id == account_id)
            .order_by(ExternalIdentityRow.id)
        )
        return [_identity(r) for r in rows]

    def link(
        self, provider: str, subject: str, account_id: int, email: str | None, now: datetime
    ) -> bool:
        try:
            with self.s.begin_nested():
                self.s.add(
                    ExternalIdentityRow(
                        provider=provider,
                        subject=subject,
                        account_id=account_id,
                        email=email,
                        linked_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def unlink(self, account_id: int, provider: str) -> bool:
        done = self.s.execute(
            delete(ExternalIdentityRow).where(
                ExternalIdentityRow.account_id == account_id,
                ExternalIdentityRow.provider == provider,
            )
        )
        return bool(getattr(done, "rowcount", 0))

    def add_step(
        self, kind: str, key_hash: str, provider: str, data: dict[str, str], expires: datetime
    ) -> None:
        self.s.add(
            ExternalSignInRow(
                kind=kind, key_hash=key_hash, provider=provider, data=data, expires_at=expires
            )
        )
        self.s.flush()

    def take_step(
        self, kind: str, key_hash: str, now: datetime
    ) -> tuple[str, dict[str, str]] | None:
        row = self.s.scalar(
            select(ExternalSignInRow).where(
                ExternalSignInRow.kind == kind, ExternalSignInRow.key_hash == key_hash
            )
        )
        if row is None:
            return None
        provider, data, expires = row.provider, dict(row.data), as_utc(row.expires_at)
        done = self.s.execute(delete(ExternalSignInRow).where(ExternalSignInRow.id == row.id))
        if not getattr(done, "rowcount", 0) or expires <= now:
            return None
        return provider, data

    def prune_steps(self, now: datetime) -> int:
        done = self.s.execute(delete(ExternalSignInRow).where(ExternalSignInRow.expires_at < now))
        return int(getattr(done, "rowcount", 0))


def _identity(row: ExternalIdentityRow) -> ExternalIdentity:
    return ExternalIdentity(
        provider=row.provider,
        subject=row.subject,
        account_id=row.account_id,
        email=row.email,
        linked_at=as_utc(row.linked_at),
    )
