"""Playback devices, speaker groups and the player events sent to them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.devices import DeviceType, PlaybackDevice, PlayerEvent, SpeakerGroup


class DeviceRepository(Protocol):
    """The listener's playback devices and speaker groups."""

    def add(
        self,
        account_id: int,
        session_id: int | None,
        name: str,
        type: DeviceType,
        supports_volume: bool,
        now: datetime,
    ) -> PlaybackDevice: ...

    def get(self, account_id: int, device_id: str) -> PlaybackDevice | None: ...

    def of_account(self, account_id: int) -> list[PlaybackDevice]: ...

    def by_session_name(
        self, account_id: int, session_id: int, name: str
    ) -> PlaybackDevice | None: ...

    def count(self, account_id: int) -> int: ...

    def update(self, device: PlaybackDevice) -> None: ...

    def seen(self, account_id: int, device_id: str, now: datetime) -> None: ...

    def left(self, account_id: int, device_id: str, now: datetime) -> None:
        """Its feed closed: out of the list until it is seen again."""
        ...

    def forget_left(self, account_id: int, before: datetime) -> list[str]:
        """Forget the devices that left before `before`; their ids."""
        ...

    def forget(self, account_id: int, device_id: str) -> bool: ...

    def add_group(self, account_id: int, name: str, device_ids: list[str]) -> SpeakerGroup: ...

    def group(self, account_id: int, group_id: int) -> SpeakerGroup | None: ...

    def groups(self, account_id: int) -> list[SpeakerGroup]: ...

    def group_count(self, account_id: int) -> int: ...

    def change_group(
        self, account_id: int, group_id: int, name: str | None, device_ids: list[str] | None
    ) -> SpeakerGroup | None: ...

    def remove_group(self, account_id: int, group_id: int) -> bool: ...


class EventSubscription(Protocol):
    """One device's open stream: the events meant for it, in the order they were published."""

    device_id: str

    async def next(self, timeout: float) -> PlayerEvent | None:
        """The next event, None after `timeout` seconds of quiet; EOFError once it has ended."""
        ...

    def close(self) -> None: ...


class PlayerEvents(Protocol):
    """Pub/sub of player events per account. In process by default; Redis or NATS can back it
    when several server processes share the listeners."""

    def publish(self, account_id: int, event: PlayerEvent) -> None: ...

    def subscribe(self, account_id: int, device_id: str) -> EventSubscription: ...

    def disconnect(self, account_id: int, device_id: str) -> None: ...

    def connected(self, account_id: int) -> set[str]: ...
