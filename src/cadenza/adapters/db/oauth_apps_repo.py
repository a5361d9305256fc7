"""Apps developers registered for OAuth 2.0. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_oauth import OAuthAppRow, OAuthConsentRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.scopes import RegisteredApp


class SqlOAuthApps:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_app(
        self,
        owner_id: int,
        name: str,
        description: str,
        client_id: str,
        secret_hash: str,
        redirect_uris: list[str],
        now: datetime,
    ) -> RegisteredApp:
        row = OAuthAppRow(
            owner_id=owner_id,
            name=name,
            description=description,
            client_id=client_id,
            secret_hash=secret_hash,
            redirect_uris=redirect_uris,
            created_at=now,
            secret_rotated_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return _app(row)

    def apps_of(self, owner_id: int) -> list[RegisteredApp]:
        rows = self.s.scalars(
            select(OAuthAppRow).where(OAuthAppRow.owner_id == owner_id).order_by(OAuthAppRow.id)
        )
        return [_app(r) for r in rows]

    def all_apps(self, limit: int) -> list[tuple[RegisteredApp, int]]:
        listeners = (
            select(func.count())
            .select_from(OAuthConsentRow)
            .where(OAuthConsentRow.app_id == OAuthAppRow.id)
            .scalar_subquery()
        )
        rows = self.s.execute(select(OAuthAppRow, listeners).order_by(OAuthAppRow.id).limit(limit))
        return [(_app(row), int(count)) for row, count in rows]

    def count_apps(self, owner_id: int) -> int:
        found = self.s.scalar(
            select(func.count()).select_from(OAuthAppRow).where(OAuthAppRow.owner_id == owner_id)
        )
        return int(found or 0)

    def app_by_client_id(self, client_id: str) -> tuple[RegisteredApp, str] | None:
        row = self.s.scalar(select(OAuthAppRow).where(OAuthAppRow.client_id == client_id))
        return None if row is None else (_app(row), row.secret_hash)

    def update_app(
        self,
        app_id: int,
        name: str | None,
        description: str | None,
        redirect_uris: list[str] | None,
    ) -> None:
        row = self.s.get(OAuthAppRow, app_id)
        if row is None:
            return
        if name is not None:
            row.name = name
        if description is not None:
            row.description = description
        if redirect_uris is not None:
            row.redirect_uris = redirect_uris

    def set_secret(self, app_id: int, secret_hash: str, now: datetime) -> None:
        row = self.s.get(OAuthAppRow, app_id)
        if row is not None:
            row.secret_hash = secret_hash
            row.secret_rotated_at = now

    def delete_app(self, app_id: int) -> None:
        self.s.execute(delete(OAuthAppRow).where(OAuthAppRow.id == app_id))


def _app(row: OAuthAppRow) -> RegisteredApp:
    return RegisteredApp(
        id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        description=row.description,
        client_id=row.client_id,
        redirect_uris=list(row.redirect_uris),
        created_at=as_utc(row.created_at),
        secret_rotated_at=as_utc(row.secret_rotated_at),
    )
