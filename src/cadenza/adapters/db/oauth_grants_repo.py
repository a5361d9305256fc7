"""Listeners' consents to apps, authorization codes and device codes. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_oauth import (
    OAuthAppRow,
    OAuthCodeRow,
    OAuthConsentRow,
    OAuthDeviceCodeRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.scopes import SCOPES, AppAccess, CodeRecord, DeviceRecord


class SqlOAuthGrants:
    def __init__(self, session: Session) -> None:
        self.s = session

    def consent(self, account_id: int, app_id: int) -> list[str] | None:
        row = self._consent(account_id, app_id)
        return None if row is None else list(row.scopes)

    def save_consent(self, account_id: int, app_id: int, scopes: list[str], now: datetime) -> None:
        row = self._consent(account_id, app_id)
        if row is None:
            self.s.add(
                OAuthConsentRow(account_id=account_id, app_id=app_id, scopes=scopes, granted_at=now)
            )
        else:
            merged = set(row.scopes) | set(scopes)
            row.scopes = [s for s in SCOPES if s in merged]
            row.granted_at = now
        self.s.flush()

    def consents_of(self, account_id: int) -> list[AppAccess]:
        rows = self.s.execute(
            select(OAuthConsentRow, OAuthAppRow.client_id, OAuthAppRow.name)
            .join(OAuthAppRow, OAuthAppRow.id == OAuthConsentRow.app_id)
            .where(OAuthConsentRow.account_id == account_id)
            .order_by(OAuthConsentRow.granted_at.desc(), OAuthConsentRow.id.desc())
        )
        return [
            AppAccess(
                client_id=client_id,
                app_name=name,
                scopes=list(row.scopes),
                granted_at=as_utc(row.granted_at),
                last_used=as_utc(row.last_used) if row.last_used else None,
            )
            for row, client_id, name in rows
        ]

    def drop_consent(self, account_id: int, app_id: int) -> bool:
        done = self.s.execute(
            delete(OAuthConsentRow).where(
                OAuthConsentRow.account_id == account_id, OAuthConsentRow.app_id == app_id
            )
        )
        return bool(getattr(done, "rowcount", 0))

    def drop_pending(self, account_id: int, app_id: int, now: datetime) -> None:
        """Codes not yet exchanged and device codes not yet collected: spent."""
        for table in (OAuthCodeRow, OAuthDeviceCodeRow):
            self.s.execute(
                update(table)
                .where(
                    table.account_id == account_id,
                    table.app_id == app_id,
                    table.used_at.is_(None),
                )
                .values(used_at=now)
            )

    def add_code(self, code_hash: str, record: CodeRecord) -> None:
        self.s.add(
            OAuthCodeRow(
                code_hash=code_hash,
                app_id=record.app_id,
                account_id=record.account_id,
                redirect_uri=record.redirect_uri,
                scope=record.scope,
                code_challenge=record.code_challenge,
                code_challenge_method=record.code_challenge_method,
                family=record.family,
                expires_at=record.expires_at,
            )
        )
        self.s.flush()

    def code(self, code_hash: str) -> CodeRecord | None:
        found = self.s.execute(
            select(OAuthCodeRow, OAuthAppRow.client_id)
            .join(OAuthAppRow, OAuthAppRow.id == OAuthCodeRow.app_id)
            .where(OAuthCodeRow.code_hash == code_hash)
        ).first()
        if found is None:
            return None
        row, client_id = found
        return CodeRecord(
            app_id=row.app_id,
            client_id=client_id,
            account_id=row.account_id,
            redirect_uri=row.redirect_uri,
            scope=row.scope,
            code_challenge=row.code_challenge,
            code_challenge_method=row.code_challenge_method,
            family=row.family,
            expires_at=as_utc(row.expires_at),
            used_at=as_utc(row.used_at) if row.used_at else None,
        )

    def spend_code(self, code_hash: str, now: datetime) -> bool:
        done = self.s.execute(
            update(OAuthCodeRow)
            .where(OAuthCodeRow.code_hash == code_hash, OAuthCodeRow.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(getattr(done, "rowcount", 0))

    def add_device_code(
        self,
        device_hash: str,
        user_code_hash: str,
        app_id: int,
        scope: str,
        expires_at: datetime,
    ) -> None:
        self.s.add(
            OAuthDeviceCodeRow(
                device_hash=device_hash,
                user_code_hash=user_code_hash,
                app_id=app_id,
                scope=scope,
                expires_at=expires_at,
            )
        )
        self.s.flush()

    def device_by_device_code(self, device_hash: str) -> DeviceRecord | None:
        return self._device(OAuthDeviceCodeRow.device_hash == device_hash)

    def device_by_user_code(self, user_code_hash: str) -> DeviceRecord | None:
        return self._device(OAuthDeviceCodeRow.user_code_hash == user_code_hash)

    def decide_device(self, device_id: int, account_id: int, decision: str) -> bool:
        done = self.s.execute(
            update(OAuthDeviceCodeRow)
            .where(OAuthDeviceCodeRow.id == device_id, OAuthDeviceCodeRow.decision.is_(None))
            .values(decision=decision, account_id=account_id)
        )
        return bool(getattr(done, "rowcount", 0))

    def polled(self, device_id: int, now: datetime) -> None:
        self.s.execute(
            update(OAuthDeviceCodeRow)
            .where(OAuthDeviceCodeRow.id == device_id)
            .values(last_poll_at=now)
        )

    def spend_device(self, device_id: int, now: datetime) -> bool:
        done = self.s.execute(
            update(OAuthDeviceCodeRow)
            .where(OAuthDeviceCodeRow.id == device_id, OAuthDeviceCodeRow.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(getattr(done, "rowcount", 0))

    def prune_grants(self, now: datetime) -> int:
        codes = self.s.execute(delete(OAuthCodeRow).where(OAuthCodeRow.expires_at < now))
        devices = self.s.execute(
            delete(OAuthDeviceCodeRow).where(OAuthDeviceCodeRow.expires_at < now)
        )
        return int(getattr(codes, "rowcount", 0)) + int(getattr(devices, "rowcount", 0))

    def _consent(self, account_id: int, app_id: int) -> OAuthConsentRow | None:
        return self.s.scalar(
            select(OAuthConsentRow).where(
                OAuthConsentRow.account_id == account_id, OAuthConsentRow.app_id == app_id
            )
        )

    def _device(self, where: object) -> DeviceRecord | None:
        found = self.s.execute(
            select(OAuthDeviceCodeRow, OAuthAppRow.client_id, OAuthAppRow.name)
            .join(OAuthAppRow, OAuthAppRow.id == OAuthDeviceCodeRow.app_id)
            .where(where)  # type: ignore[arg-type]
        ).first()
        if found is None:
            return None
        row, client_id, name = found
        return DeviceRecord(
            id=row.id,
            app_id=row.app_id,
            client_id=client_id,
            app_name=name,
            scope=row.scope,
            expires_at=as_utc(row.expires_at),
            account_id=row.account_id,
            decision=row.decision,
            last_poll_at=as_utc(row.last_poll_at) if row.last_poll_at else None,
            used_at=as_utc(row.used_at) if row.used_at else None,
        )
