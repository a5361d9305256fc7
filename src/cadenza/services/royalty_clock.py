"""The royalty clock: the background work closes the previous month on its own, on the
`royalty_close_day` of each month, exactly once (a closed month answers as stored; two
processes closing at once end with one close, see Royalties.close)."""

from __future__ import annotations

import logging

from cadenza.domain.errors import Conflict
from cadenza.domain.royalty_schedule import ScheduledClose, due_month, next_close
from cadenza.services.royalties import MonthClose, Royalties

log = logging.getLogger(__name__)


class RoyaltyClock:
    def __init__(self, royalties: Royalties, close_day: int) -> None:
        self.royalties, self.close_day = royalties, close_day

    def run(self) -> MonthClose | None:
        """Close the month that is due, if any. None: nothing is due (or a later month is
        closed already, which an operator did by hand)."""
        month = due_month(self.royalties.clock.now(), self.close_day)
        if month is None:
            return None
        try:
            done = self.royalties.close(month)
        except Conflict as refused:
            log.warning("royalty clock: %s not closed: %s", month, refused.message)
            return None
        if not done.already:
            log.info("royalty clock closed %s: %s streams", month, done.closed.streams)
        return done

    def next(self) -> ScheduledClose | None:
        """The next close the clock will make (None when the clock is off)."""
        with self.royalties.uow() as uow:
            closed = {m.month for m in uow.royalties.closed_months()}
        return next_close(self.royalties.clock.now(), self.close_day, closed)
