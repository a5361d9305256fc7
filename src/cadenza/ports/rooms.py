"""Live audio rooms as stored: rooms, per-room blocks, reports, and followers' notices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from cadenza.domain.rooms import Room, RoomNotice, RoomReport, RoomState


class RoomRepository(Protocol):
    def add(
        self,
        host_id: int,
        title: str,
        topics: tuple[str, ...],
        starts_at: datetime,
        live: bool,
        recorded: bool,
        now: datetime,
    ) -> int: ...

    def get(self, room_id: int) -> Room | None: ...

    def set_state(self, room_id: int, state: RoomState, now: datetime) -> None:
        """Live (started now) or ended (ended now)."""
        ...

    def set_recording(self, room_id: int, blob: str, seconds: float) -> None: ...

    def listed(self, limit: int) -> list[Room]:
        """Live rooms (latest started first), then scheduled ones (soonest first)."""
        ...

    def of_host(self, host_id: int, limit: int) -> list[Room]: ...

    def block(self, room_id: int, user_id: int, now: datetime) -> None: ...

    def is_blocked(self, room_id: int, user_id: int) -> bool: ...

    def add_report(
        self, room_id: int, reporter_id: int, subject_id: int | None, reason: str, now: datetime
    ) -> int: ...

    def reports(self, limit: int) -> list[RoomReport]:
        """The latest reports first."""
        ...

    def notify_followers(self, room_id: int, host_id: int, now: datetime) -> int:
        """A notice for each listener following the host; how many."""
        ...

    def notices(self, user_id: int, limit: int) -> list[RoomNotice]: ...

    def blobs_in_use(self, digests: Iterable[str]) -> set[str]:
        """Of these blobs, the rooms' recordings."""
        ...
