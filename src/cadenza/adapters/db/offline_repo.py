"""Download devices and their downloads in SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_offline import DeviceRegistrationRow, DownloadDeviceRow, DownloadRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.offline import Download, DownloadDevice


class SqlOffline:
    def __init__(self, session: Session) -> None:
        self.s = session

    def lock_account(self, user_id: int) -> None:
        """Hold the account's row until commit, so concurrent registrations count one by one."""
        self.s.execute(update(UserRow).where(UserRow.id == user_id).values(id=UserRow.id))

    def add_device(
        self, user_id: int, name: str, subscription_id: int | None, now: datetime, expires: datetime
    ) -> int:
        row = DownloadDeviceRow(
            user_id=user_id,
            name=name,
            subscription_id=subscription_id,
            registered_at=now,
            checked_in_at=now,
            licence_expires_at=expires,
        )
        self.s.add(row)
        self.s.add(DeviceRegistrationRow(user_id=user_id, registered_at=now))
        self.s.flush()
        return row.id

    def registrations(self, user_id: int, since: datetime) -> list[datetime]:
        found = self.s.scalars(
            select(DeviceRegistrationRow.registered_at).where(
                DeviceRegistrationRow.user_id == user_id,
                DeviceRegistrationRow.registered_at > since,
            )
        )
        return [as_utc(at) for at in found]

    def forget_registrations(self, user_id: int, before: datetime) -> None:
        self.s.execute(
            delete(DeviceRegistrationRow).where(
                DeviceRegistrationRow.user_id == user_id,
                DeviceRegistrationRow.registered_at <= before,
            )
        )

    def devices(self, user_id: int) -> list[DownloadDevice]:
        counts = (
            select(DownloadRow.device_id, func.count().label("n"))
            .group_by(DownloadRow.device_id)
            .subquery()
        )
        rows = self.s.execute(
            select(DownloadDeviceRow, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.device_id == DownloadDeviceRow.id)
            .where(DownloadDeviceRow.user_id == user_id)
            .order_by(DownloadDeviceRow.id)
        ).all()
        return [_device(row, int(n)) for row, n in rows]

    def device(self, user_id: int, device_id: int) -> DownloadDevice | None:
        row = self.s.scalar(
            select(DownloadDeviceRow).where(
                DownloadDeviceRow.id == device_id, DownloadDeviceRow.user_id == user_id
            )
        )
        if row is None:
            return None
        n = self.s.scalar(
            select(func.count()).select_from(DownloadRow).where(DownloadRow.device_id == row.id)
        )
        return _device(row, int(n or 0))

    def remove_device(self, user_id: int, device_id: int) -> bool:
        done = self.s.execute(
            delete(DownloadDeviceRow).where(
                DownloadDeviceRow.id == device_id, DownloadDeviceRow.user_id == user_id
            )
        )
        return getattr(done, "rowcount", 0) == 1

    def renew(
        self, device_id: int, subscription_id: int | None, now: datetime, expires: datetime
    ) -> None:
        """A check-in: the licence runs again from now, under the plan the account has now."""
        self.s.execute(
            update(DownloadDeviceRow)
            .where(DownloadDeviceRow.id == device_id)
            .values(
                checked_in_at=now,
                licence_expires_at=expires,
                subscription_id=subscription_id,
                revoked_at=None,
            )
        )

    def revoke(self, device_ids: Iterable[int], now: datetime) -> None:
        """The plan these devices' downloads came with ended: their licences end (the list of
        downloads stays until each device's check-in has told it what to delete)."""
        ids = list(device_ids)
        if not ids:
            return
        self.s.execute(
            update(DownloadDeviceRow)
            .where(DownloadDeviceRow.id.in_(ids), DownloadDeviceRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def add_downloads(
        self, device_id: int, items: Iterable[tuple[int, str]], now: datetime
    ) -> None:
        """Keep these (track, quality) on the device; a track kept already takes the quality."""
        values = [
            {"device_id": device_id, "track_id": t, "quality": q, "added_at": now} for t, q in items
        ]
        if values:
            insert = insert_on_conflict(self.s, DownloadRow).values(values)
            self.s.execute(
                insert.on_conflict_do_update(
                    index_elements=[DownloadRow.device_id, DownloadRow.track_id],
                    set_={"quality": insert.excluded.quality},
                )
            )

    def downloads(
        self, device_id: int, limit: int | None = None, offset: int = 0
    ) -> list[Download]:
        query = (
            select(DownloadRow)
            .where(DownloadRow.device_id == device_id)
            .order_by(DownloadRow.added_at, DownloadRow.track_id)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [
            Download(r.device_id, r.track_id, r.quality, as_utc(r.added_at))
            for r in self.s.scalars(query)
        ]

    def download(self, device_id: int, track_id: int) -> Download | None:
        r = self.s.get(DownloadRow, (device_id, track_id))
        return (
            None if r is None else Download(r.device_id, r.track_id, r.quality, as_utc(r.added_at))
        )

    def remove_downloads(self, device_id: int, track_ids: Iterable[int]) -> int:
        ids = list(track_ids)
        if not ids:
            return 0
        done = self.s.execute(
            delete(DownloadRow).where(
                DownloadRow.device_id == device_id, DownloadRow.track_id.in_(ids)
            )
        )
        return int(getattr(done, "rowcount", 0))


def _device(row: DownloadDeviceRow, tracks: int) -> DownloadDevice:
    return DownloadDevice(
        id=row.id,
        name=row.name,
        registered_at=as_utc(row.registered_at),
        licence_expires_at=as_utc(row.licence_expires_at),
        checked_in_at=as_utc(row.checked_in_at),
        subscription_id=row.subscription_id,
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
        tracks=tracks,
    )
