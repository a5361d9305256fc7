"""The DDEX deals' dates per release, for the deal clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cadenza.domain.deal_windows import DealWindow


@dataclass(frozen=True)
class DealSchedule:
    release_id: int
    distributor_id: int
    windows: tuple[DealWindow, ...]
    next_change_at: datetime | None


class DealScheduleRepository(Protocol):
    def save_deals(self, schedule: DealSchedule) -> None:
        """Replace the release's schedule (an update message's deals replace the last ones)."""
        ...

    def deal_schedule(self, release_id: int) -> DealSchedule | None: ...

    def forget_deals(self, release_id: int) -> None: ...

    def deals_due(self, now: datetime, limit: int) -> list[DealSchedule]:
        """Schedules with something to do by `now`, soonest first."""
        ...

    def next_deal_change(self, release_id: int, at: datetime | None) -> None: ...

    def set_territories(self, release_id: int, territories: tuple[str, ...]) -> None: ...
