"""Playback devices and speaker groups in SQL; every query is scoped to the owning account."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_devices import (
    PlaybackDeviceRow,
    SpeakerGroupMemberRow,
    SpeakerGroupRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.devices import DeviceType, PlaybackDevice, SpeakerGroup


class SqlDevices:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- devices ---------------------------------------------------------------------------
    def add(
        self,
        account_id: int,
        session_id: int | None,
        name: str,
        type: DeviceType,
        supports_volume: bool,
        now: datetime,
    ) -> PlaybackDevice:
        row = PlaybackDeviceRow(
            id=secrets.token_urlsafe(16),
            user_id=account_id,
            session_id=session_id,
            name=name,
            kind=type.value,
            supports_volume=supports_volume,
            volume=100 if supports_volume else None,
            created_at=now,
            last_seen_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return _device(row)

    def get(self, account_id: int, device_id: str) -> PlaybackDevice | None:
        row = self.s.get(PlaybackDeviceRow, device_id, populate_existing=True)
        return _device(row) if row is not None and row.user_id == account_id else None

    def of_account(self, account_id: int) -> list[PlaybackDevice]:
        rows = self.s.scalars(
            select(PlaybackDeviceRow)
            .where(PlaybackDeviceRow.user_id == account_id)
            .order_by(PlaybackDeviceRow.created_at, PlaybackDeviceRow.id)
        )
        return [_device(r) for r in rows]

    def by_session_name(self, account_id: int, session_id: int, name: str) -> PlaybackDevice | None:
        row = self.s.scalars(
            select(PlaybackDeviceRow).where(
                PlaybackDeviceRow.user_id == account_id,
                PlaybackDeviceRow.session_id == session_id,
                PlaybackDeviceRow.name == name,
            )
        ).first()
        return _device(row) if row is not None else None

    def count(self, account_id: int) -> int:
        query = select(func.count()).where(PlaybackDeviceRow.user_id == account_id)
        return int(self.s.scalar(query) or 0)

    def update(self, device: PlaybackDevice) -> None:
        self.s.execute(
            update(PlaybackDeviceRow)
            .where(
                PlaybackDeviceRow.id == device.id, PlaybackDeviceRow.user_id == device.account_id
            )
            .values(
                name=device.name,
                volume=device.volume,
                clock_offset_ms=device.clock_offset_ms,
                clock_rtt_ms=device.clock_rtt_ms,
                last_seen_at=device.last_seen_at,
            )
        )

    def seen(self, account_id: int, device_id: str, now: datetime) -> None:
        self.s.execute(
            update(PlaybackDeviceRow)
            .where(PlaybackDeviceRow.id == device_id, PlaybackDeviceRow.user_id == account_id)
            .values(last_seen_at=now, left_at=None)
        )

    def left(self, account_id: int, device_id: str, now: datetime) -> None:
        self.s.execute(
            update(PlaybackDeviceRow)
            .where(PlaybackDeviceRow.id == device_id, PlaybackDeviceRow.user_id == account_id)
            .values(last_seen_at=now, left_at=now)
        )

    def forget_left(self, account_id: int, before: datetime) -> list[str]:
        ids = list(
            self.s.scalars(
                select(PlaybackDeviceRow.id).where(
                    PlaybackDeviceRow.user_id == account_id, PlaybackDeviceRow.left_at < before
                )
            )
        )
        for device_id in ids:
            self.forget(account_id, device_id)
        return ids

    def forget(self, account_id: int, device_id: str) -> bool:
        self.s.execute(
            delete(SpeakerGroupMemberRow).where(SpeakerGroupMemberRow.device_id == device_id)
        )
        done = self.s.execute(
            delete(PlaybackDeviceRow).where(
                PlaybackDeviceRow.id == device_id, PlaybackDeviceRow.user_id == account_id
            )
        )
        return getattr(done, "rowcount", 0) == 1

    # -- speaker groups --------------------------------------------------------------------
    def add_group(self, account_id: int, name: str, device_ids: list[str]) -> SpeakerGroup:
        row = SpeakerGroupRow(user_id=account_id, name=name)
        self.s.add(row)
        self.s.flush()
        self._members(row.id, device_ids)
        return SpeakerGroup(row.id, account_id, name, tuple(device_ids))

    def group(self, account_id: int, group_id: int) -> SpeakerGroup | None:
        row = self.s.get(SpeakerGroupRow, group_id, populate_existing=True)
        if row is None or row.user_id != account_id:
            return None
        return SpeakerGroup(row.id, account_id, row.name, self._member_ids(row.id))

    def groups(self, account_id: int) -> list[SpeakerGroup]:
        rows = self.s.scalars(
            select(SpeakerGroupRow)
            .where(SpeakerGroupRow.user_id == account_id)
            .order_by(SpeakerGroupRow.id)
        )
        return [SpeakerGroup(r.id, account_id, r.name, self._member_ids(r.id)) for r in rows]

    def group_count(self, account_id: int) -> int:
        query = select(func.count()).where(SpeakerGroupRow.user_id == account_id)
        return int(self.s.scalar(query) or 0)

    def change_group(
        self, account_id: int, group_id: int, name: str | None, device_ids: list[str] | None
    ) -> SpeakerGroup | None:
        row = self.s.get(SpeakerGroupRow, group_id, populate_existing=True)
        if row is None or row.user_id != account_id:
            return None
        if name is not None:
            row.name = name
        if device_ids is not None:
            self.s.execute(
                delete(SpeakerGroupMemberRow).where(SpeakerGroupMemberRow.group_id == group_id)
            )
            self._members(group_id, device_ids)
        self.s.flush()
        return SpeakerGroup(row.id, account_id, row.name, self._member_ids(row.id))

    def remove_group(self, account_id: int, group_id: int) -> bool:
        self.s.execute(
            delete(SpeakerGroupMemberRow).where(
                SpeakerGroupMemberRow.group_id == group_id,
                SpeakerGroupMemberRow.group_id.in_(
                    select(SpeakerGroupRow.id).where(SpeakerGroupRow.user_id == account_id)
                ),
            )
        )
        done = self.s.execute(
            delete(SpeakerGroupRow).where(
                SpeakerGroupRow.id == group_id, SpeakerGroupRow.user_id == account_id
            )
        )
        return getattr(done, "rowcount", 0) == 1

    def _members(self, group_id: int, device_ids: list[str]) -> None:
        for device_id in dict.fromkeys(device_ids):
            self.s.add(SpeakerGroupMemberRow(group_id=group_id, device_id=device_id))
        self.s.flush()

    def _member_ids(self, group_id: int) -> tuple[str, ...]:
        rows = self.s.scalars(
            select(SpeakerGroupMemberRow.device_id)
            .where(SpeakerGroupMemberRow.group_id == group_id)
            .order_by(SpeakerGroupMemberRow.device_id)
        )
        return tuple(rows)


def _device(row: PlaybackDeviceRow) -> PlaybackDevice:
    return PlaybackDevice(
        id=row.id,
        account_id=row.user_id,
        session_id=row.session_id,
        name=row.name,
        type=DeviceType(row.kind),
        supports_volume=row.supports_volume,
        volume=row.volume,
        clock_offset_ms=row.clock_offset_ms,
        clock_rtt_ms=row.clock_rtt_ms,
        created_at=as_utc(row.created_at),
        last_seen_at=as_utc(row.last_seen_at),
        left_at=as_utc(row.left_at) if row.left_at is not None else None,
    )
