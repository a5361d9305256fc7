"""The artists' statistics rebuilt whole (a batch engine counted the archive): every figure
forgotten, and the plays marked as the figures now hold them, in the roll-up's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_creators import FIGURES
from cadenza.adapters.db.models_listening import PlayRow


class SqlStatsRebuild:
    def __init__(self, session: Session) -> None:
        self.s = session

    def forget_figures(self) -> None:
        for table in FIGURES:
            self.s.execute(delete(table))

    def mark_all_rolled(self, until: datetime) -> None:
        p = PlayRow
        before = p.started_at < until
        self.s.execute(
            update(p)
            .where(before, p.counted.is_(True), p.flagged_artificial.is_(False))
            .values(stats_rolled=True)
        )
        self.s.execute(
            update(p).where(before, p.flagged_artificial.is_(True)).values(stats_rolled=False)
        )
