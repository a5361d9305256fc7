"""Access and refresh tokens issued to apps, kept as hashes. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_oauth import OAuthAppRow, OAuthConsentRow, OAuthTokenRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.scopes import NewToken, TokenHolder, TokenRecord


class SqlOAuthTokens:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_token(self, token: NewToken) -> None:
        self.s.add(
            OAuthTokenRow(
                access_hash=token.access_hash,
                refresh_hash=token.refresh_hash,
                app_id=token.app_id,
                account_id=token.account_id,
                scope=token.scope,
                family=token.family,
                issued_at=token.issued_at,
                access_expires_at=token.access_expires_at,
                refresh_expires_at=token.refresh_expires_at,
            )
        )
        self.s.flush()

    def holder(self, access_hash: str, now: datetime) -> TokenHolder | None:
        found = self.s.execute(
            select(OAuthTokenRow.account_id, OAuthTokenRow.scope, OAuthAppRow.client_id)
            .join(OAuthAppRow, OAuthAppRow.id == OAuthTokenRow.app_id)
            .outerjoin(UserRow, UserRow.id == OAuthTokenRow.account_id)
            .where(
                OAuthTokenRow.access_hash == access_hash,
                OAuthTokenRow.revoked_at.is_(None),
                OAuthTokenRow.access_expires_at > now,
                # A locked or disabled account's apps stop at once, as its sessions do.
                or_(
                    OAuthTokenRow.account_id.is_(None),
                    and_(UserRow.disabled_at.is_(None), UserRow.locked_at.is_(None)),
                ),
            )
        ).first()
        if found is None:
            return None
        account_id, scope, client_id = found
        return TokenHolder(account_id, client_id, frozenset(scope.split()))

    def by_refresh(self, refresh_hash: str) -> TokenRecord | None:
        found = self.s.execute(
            select(OAuthTokenRow, OAuthAppRow.client_id)
            .join(OAuthAppRow, OAuthAppRow.id == OAuthTokenRow.app_id)
            .where(OAuthTokenRow.refresh_hash == refresh_hash)
        ).first()
        if found is None:
            return None
        row, client_id = found
        return TokenRecord(
            id=row.id,
            app_id=row.app_id,
            client_id=client_id,
            account_id=row.account_id,
            scope=row.scope,
            family=row.family,
            refresh_expires_at=as_utc(row.refresh_expires_at) if row.refresh_expires_at else None,
            refresh_used_at=as_utc(row.refresh_used_at) if row.refresh_used_at else None,
            revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
        )

    def spend_refresh(self, token_id: int, now: datetime) -> bool:
        done = self.s.execute(
            update(OAuthTokenRow)
            .where(
                OAuthTokenRow.id == token_id,
                OAuthTokenRow.refresh_used_at.is_(None),
                OAuthTokenRow.revoked_at.is_(None),
            )
            .values(refresh_used_at=now)
        )
        return bool(getattr(done, "rowcount", 0))

    def revoke_family(self, family: str, now: datetime) -> None:
        self.s.execute(
            update(OAuthTokenRow)
            .where(OAuthTokenRow.family == family, OAuthTokenRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def revoke_app_tokens(self, app_id: int, account_id: int | None, now: datetime) -> None:
        query = update(OAuthTokenRow).where(
            OAuthTokenRow.app_id == app_id, OAuthTokenRow.revoked_at.is_(None)
        )
        if account_id is not None:
            query = query.where(OAuthTokenRow.account_id == account_id)
        self.s.execute(query.values(revoked_at=now))

    def revoke_token(self, token_hash: str, client_id: str, now: datetime) -> bool:
        app_id = self.s.scalar(select(OAuthAppRow.id).where(OAuthAppRow.client_id == client_id))
        if app_id is None:
            return False
        done = self.s.execute(
            update(OAuthTokenRow)
            .where(
                or_(
                    OAuthTokenRow.access_hash == token_hash,
                    OAuthTokenRow.refresh_hash == token_hash,
                ),
                OAuthTokenRow.app_id == app_id,
                OAuthTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return bool(getattr(done, "rowcount", 0))

    def touch_consent(self, account_id: int, app_id: int, now: datetime) -> None:
        self.s.execute(
            update(OAuthConsentRow)
            .where(OAuthConsentRow.account_id == account_id, OAuthConsentRow.app_id == app_id)
            .values(last_used=now)
        )

    def prune_tokens(self, now: datetime) -> int:
        """Tokens whose access and refresh have both expired, or revoked ones past their
        access lifetime."""
        done = self.s.execute(
            delete(OAuthTokenRow).where(
                OAuthTokenRow.access_expires_at < now,
                or_(
                    OAuthTokenRow.refresh_expires_at.is_(None),
                    OAuthTokenRow.refresh_expires_at < now,
                    OAuthTokenRow.revoked_at.is_not(None),
                ),
            )
        )
        return int(getattr(done, "rowcount", 0))
