"""Charts as stored: each chart's places, rebuilt daily from counted streams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cadenza.domain.charts import ChartKind, Placed, TrackCounts


@dataclass(frozen=True)
class StoredChart:
    id: int
    kind: ChartKind
    country: str  # "" for everywhere
    built_at: datetime
    built_on: date  # the day (UTC) its places were made
    ranks: dict[int, int]  # track -> its rank now
    previous: dict[int, int]  # track -> its rank on the last chart of an earlier day
    size: int  # places kept


class ChartRepository(Protocol):
    def stream_counts(self, since: datetime, split: datetime, until: datetime) -> list[TrackCounts]:
        """Counted streams per song and listeners' country: those started from `split` to
        `until` (this week) and from `since` to `split` (the week before)."""
        ...

    def charts(self) -> list[StoredChart]:
        """Every chart (without `ranks` and `previous`, which stay empty here)."""
        ...

    def chart(self, kind: ChartKind, country: str) -> StoredChart | None:
        """One chart with its ranks, for a rebuild."""
        ...

    def save(
        self,
        kind: ChartKind,
        country: str,
        places: list[Placed],
        previous: dict[int, int],
        built_at: datetime,
    ) -> None:
        """Replace a chart's places (made when new); `previous` is kept for the next build of
        the same day."""
        ...

    def places(self, chart_id: int) -> tuple[StoredChart, list[Placed]] | None:
        """A chart and its places, best first, in one statement; None for no such chart."""
        ...
