"""Signed-in devices, sessions and their refresh tokens. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db import playback_reads
from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models_accounts import DeviceRow, RefreshTokenRow, SessionRow, UserRow
from cadenza.domain.accounts import Device, SessionView
from cadenza.domain.catalog import as_utc


class SqlSessions:
    def __init__(self, session: Session) -> None:
        self.s = session

    def devices(self, account_id: int) -> list[Device]:
        rows = self.s.scalars(
            select(DeviceRow).where(DeviceRow.user_id == account_id).order_by(DeviceRow.id)
        )
        return [_device(r) for r in rows]

    def device(self, account_id: int, device_key: str) -> Device | None:
        row = self.s.scalar(
            select(DeviceRow).where(
                DeviceRow.user_id == account_id, DeviceRow.device_key == device_key
            )
        )
        return _device(row) if row else None

    def save_device(
        self, account_id: int, device_key: str, name: str, country: str | None, now: datetime
    ) -> int:
        # An upsert: two first logins from one device at the same moment both land on one row.
        seen = {"name": name, "last_country": country, "last_seen": now}
        return int(
            self.s.execute(
                insert_on_conflict(self.s, DeviceRow)
                .values(user_id=account_id, device_key=device_key, first_seen=now, **seen)
                .on_conflict_do_update(index_elements=["user_id", "device_key"], set_=seen)
                .returning(DeviceRow.id)
            ).scalar_one()
        )

    def start_session(
        self,
        account_id: int,
        device_id: int,
        refresh_hash: str,
        now: datetime,
        expires_at: datetime,
        credentials_version: int,
    ) -> int:
        row = SessionRow(
            user_id=account_id,
            device_id=device_id,
            refresh_hash=refresh_hash,
            credentials_version=credentials_version,
            created_at=now,
            last_used=now,
            expires_at=expires_at,
        )
        self.s.add(row)
        self.s.flush()
        self.s.add(RefreshTokenRow(token_hash=refresh_hash, session_id=row.id, issued_at=now))
        return row.id

    def rotate(self, refresh_hash: str, new_hash: str, now: datetime) -> tuple[int, int] | None:
        row = self.s.scalar(_live_sessions(now).where(SessionRow.refresh_hash == refresh_hash))
        if row is None:
            return None
        done = self.s.execute(
            update(SessionRow)
            .where(SessionRow.id == row.id, SessionRow.refresh_hash == refresh_hash)
            .values(refresh_hash=new_hash, last_used=now)
        )
        if getattr(done, "rowcount", 0) != 1:  # a concurrent refresh won the race
            return None
        self.s.add(RefreshTokenRow(token_hash=new_hash, session_id=row.id, issued_at=now))
        return row.id, row.user_id

    def session_of_spent_token(self, refresh_hash: str) -> int | None:
        return self.s.scalar(
            select(RefreshTokenRow.session_id)
            .join(SessionRow, SessionRow.id == RefreshTokenRow.session_id)
            .where(
                RefreshTokenRow.token_hash == refresh_hash,
                SessionRow.refresh_hash != refresh_hash,
            )
        )

    def session_rotated_at(self, session_id: int) -> datetime | None:
        found = self.s.scalar(select(SessionRow.last_used).where(SessionRow.id == session_id))
        return as_utc(found) if found is not None else None

    def session_live(self, session_id: int, account_id: int, now: datetime) -> bool:
        return playback_reads.session_live(self.s, session_id, account_id, now)

    def session_owner(self, session_id: int) -> int | None:
        return self.s.scalar(select(SessionRow.user_id).where(SessionRow.id == session_id))

    def revoke_sessions(self, account_id: int, now: datetime, session_id: int | None = None) -> int:
        query = update(SessionRow).where(
            SessionRow.user_id == account_id, SessionRow.revoked_at.is_(None)
        )
        if session_id is not None:
            query = query.where(SessionRow.id == session_id)
        return int(getattr(self.s.execute(query.values(revoked_at=now)), "rowcount", 0))

    def of_account(self, account_id: int, now: datetime) -> list[SessionView]:
        rows = self.s.execute(
            select(SessionRow, DeviceRow)
            .join(DeviceRow, DeviceRow.id == SessionRow.device_id)
            .where(
                SessionRow.user_id == account_id,
                SessionRow.revoked_at.is_(None),
                SessionRow.expires_at > now,
            )
            .order_by(SessionRow.last_used.desc())
        )
        return [
            SessionView(s.id, _device(d), as_utc(s.created_at), as_utc(s.last_used))
            for s, d in rows
        ]

    def prune_sessions(self, now: datetime) -> tuple[int, int]:
        # Until its session expires, an old refresh token sent again must still be recognised
        # as a replay; after that it is only invalid, and nothing needs to remember it.
        over = select(SessionRow.id).where(SessionRow.expires_at <= now)
        tokens = self.s.execute(delete(RefreshTokenRow).where(RefreshTokenRow.session_id.in_(over)))
        sessions = self.s.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
        return int(getattr(sessions, "rowcount", 0)), int(getattr(tokens, "rowcount", 0))


def _live_sessions(now: datetime) -> Select[SessionRow]:
    """Sessions not ended, not expired, and signed in with their account's current credentials
    (a password change, reset, lock or disable raises the account's version)."""
    return (
        select(SessionRow)
        .join(UserRow, UserRow.id == SessionRow.user_id)
        .where(
            SessionRow.revoked_at.is_(None),
            SessionRow.expires_at > now,
            SessionRow.credentials_version == UserRow.credentials_version,
        )
    )


def _device(row: DeviceRow) -> Device:
    return Device(row.id, row.name, row.last_country, as_utc(row.last_seen))
