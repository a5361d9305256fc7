"""API keys (distributors' tools), kept as hashes. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import ApiKeyRow
from cadenza.domain.accounts import ApiKey, Scope
from cadenza.domain.catalog import as_utc


class SqlApiKeys:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_api_key(
        self,
        account_id: int,
        name: str,
        prefix: str,
        key_hash: str,
        scopes: list[str],
        now: datetime,
    ) -> int:
        row = ApiKeyRow(
            user_id=account_id,
            name=name,
            prefix=prefix,
            key_hash=key_hash,
            scopes=scopes,
            created_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def of_account(self, account_id: int) -> list[ApiKey]:
        rows = self.s.scalars(
            select(ApiKeyRow).where(ApiKeyRow.user_id == account_id).order_by(ApiKeyRow.id)
        )
        return [_api_key(r) for r in rows]

    def use_api_key(self, key_hash: str, now: datetime) -> tuple[int, ApiKey] | None:
        row = self.s.scalar(
            select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash, ApiKeyRow.revoked_at.is_(None))
        )
        if row is None:
            return None
        row.last_used = now
        return row.user_id, _api_key(row)

    def revoke_api_key(self, account_id: int, key_id: int, now: datetime) -> bool:
        done = self.s.execute(
            update(ApiKeyRow)
            .where(
                ApiKeyRow.id == key_id,
                ApiKeyRow.user_id == account_id,
                ApiKeyRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return getattr(done, "rowcount", 0) == 1

    def revoke_api_keys(self, account_id: int, now: datetime) -> None:
        self.s.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.user_id == account_id, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def api_key_known(self, key_hash: str) -> bool:
        """Whether this key was ever issued, revoked or not."""
        return self.s.scalar(select(ApiKeyRow.id).where(ApiKeyRow.key_hash == key_hash)) is not None


def _api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(Scope(x) for x in row.scopes),
        created_at=as_utc(row.created_at),
        last_used=as_utc(row.last_used) if row.last_used else None,
        revoked=row.revoked_at is not None,
    )
