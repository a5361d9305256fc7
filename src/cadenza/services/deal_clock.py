"""The deal clock: a DDEX release opens in each territory on its deal's own start date and
leaves it after the deal's end date, without another message; when its last deal has ended it
is taken down (recorded in its history as any DDEX takedown, and put back by a later message
with a current deal). Run by the background work every `deal_clock_interval_s`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from cadenza.domain.deal_windows import DealWindow, next_change, offered_in
from cadenza.ports.clock import Clock
from cadenza.ports.deal_schedules import DealSchedule
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.takedowns import TakedownBy, Takedowns

log = logging.getLogger(__name__)
BATCH = 200
ENDED = "DDEX deal clock: every deal has ended"  # starts as the DDEX takedowns' reasons do


class DealClock:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, takedowns: Takedowns) -> None:
        self.uow, self.clock, self.takedowns = uow, clock, takedowns

    def schedule(self, release_id: int, distributor_id: int, windows: Sequence[DealWindow]) -> None:
        """Keep a delivered release's deals (replacing the last message's)."""
        now = self.clock.now()
        with self.uow() as uow:
            uow.takedowns.save_deals(
                DealSchedule(release_id, distributor_id, tuple(windows), next_change(windows, now))
            )
            uow.commit()

    def forget(self, release_id: int) -> None:
        with self.uow() as uow:
            uow.takedowns.forget_deals(release_id)
            uow.commit()

    def run(self, now: datetime | None = None) -> int:
        """Apply every deal that started or ended by `now`; returns the releases changed."""
        now = now or self.clock.now()
        changed = 0
        while True:
            with self.uow() as uow:
                due = uow.takedowns.deals_due(now, BATCH)
            for schedule in due:
                try:
                    changed += self._apply(schedule, now)
                except Exception:  # one release's problem holds up no other
                    log.exception("deal clock: release %s", schedule.release_id)
                    with self.uow() as uow:
                        uow.takedowns.next_deal_change(schedule.release_id, None)
                        uow.commit()
            if len(due) < BATCH:
                return changed

    def _apply(self, schedule: DealSchedule, now: datetime) -> int:
        territories = offered_in(schedule.windows, now)
        if not territories:
            self.forget(schedule.release_id)
            by = TakedownBy(distributor=schedule.distributor_id)
            self.takedowns.take_down(schedule.release_id, by, ENDED)
            return 1
        with self.uow() as uow:
            release = uow.catalog.release(schedule.release_id)
            moved = release is not None and release.territories != territories
            if moved:
                uow.takedowns.set_territories(schedule.release_id, territories)
                uow.search.index_release(schedule.release_id)
            uow.takedowns.next_deal_change(schedule.release_id, next_change(schedule.windows, now))
            uow.commit()
        return int(moved)
