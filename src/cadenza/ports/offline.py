"""Devices that keep downloads, and the downloads they keep."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from cadenza.domain.offline import Download, DownloadDevice


class OfflineRepository(Protocol):
    """Download devices with their licences and tracks; rip-detection flags."""

    def lock_account(self, user_id: int) -> None: ...

    def add_device(
        self, user_id: int, name: str, subscription_id: int | None, now: datetime, expires: datetime
    ) -> int: ...

    def devices(self, user_id: int) -> list[DownloadDevice]: ...

    def registrations(self, user_id: int, since: datetime) -> list[datetime]:
        """When the account registered devices since then, removed ones included (add_device
        records each)."""
        ...

    def forget_registrations(self, user_id: int, before: datetime) -> None: ...

    def device(self, user_id: int, device_id: int) -> DownloadDevice | None: ...

    def remove_device(self, user_id: int, device_id: int) -> bool: ...

    def renew(
        self, device_id: int, subscription_id: int | None, now: datetime, expires: datetime
    ) -> None: ...

    def revoke(self, device_ids: Iterable[int], now: datetime) -> None: ...

    def add_downloads(
        self, device_id: int, items: Iterable[tuple[int, str]], now: datetime
    ) -> None: ...

    def downloads(
        self, device_id: int, limit: int | None = None, offset: int = 0
    ) -> list[Download]: ...

    def download(self, device_id: int, track_id: int) -> Download | None: ...

    def remove_downloads(self, device_id: int, track_ids: Iterable[int]) -> int: ...
