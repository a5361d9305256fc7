"""The charts in SQL: streams counted per song and country, and each chart's places."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_discovery import ChartPlaceRow, ChartRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.charts import ChartKind, Placed, TrackCounts
from cadenza.ports.charts import StoredChart


class SqlCharts:
    def __init__(self, session: Session) -> None:
        self.s = session

    def stream_counts(self, since: datetime, split: datetime, until: datetime) -> list[TrackCounts]:
        this_week = func.sum(case((PlayRow.started_at >= as_utc(split), 1), else_=0))
        rows = self.s.execute(
            select(PlayRow.track_id, UserRow.country, this_week, func.count())
            .join(UserRow, UserRow.id == PlayRow.user_id)
            .where(
                PlayRow.counted.is_(True),
                PlayRow.started_at >= as_utc(since),
                PlayRow.started_at < as_utc(until),
            )
            .group_by(PlayRow.track_id, UserRow.country)
        )
        return [
            TrackCounts(
                track_id=int(track),
                country=(country or "").upper(),
                this_week=int(this or 0),
                last_week=int(total) - int(this or 0),
            )
            for track, country, this, total in rows
        ]

    def charts(self) -> list[StoredChart]:
        sizes = (
            select(ChartPlaceRow.chart_id, func.count().label("size"))
            .group_by(ChartPlaceRow.chart_id)
            .subquery()
        )
        rows = self.s.execute(
            select(ChartRow, func.coalesce(sizes.c.size, 0))
            .outerjoin(sizes, sizes.c.chart_id == ChartRow.id)
            .order_by(ChartRow.country, ChartRow.kind)
        ).all()
        return [_stored(row, {}, {}, int(size)) for row, size in rows]

    def chart(self, kind: ChartKind, country: str) -> StoredChart | None:
        row = self.s.scalar(
            select(ChartRow).where(ChartRow.kind == kind.value, ChartRow.country == country)
        )
        if row is None:
            return None
        places = self.s.execute(
            select(ChartPlaceRow.track_id, ChartPlaceRow.rank).where(
                ChartPlaceRow.chart_id == row.id
            )
        )
        ranks = {int(track): int(rank) for track, rank in places}
        return _stored(row, ranks, _ranks(row.previous), len(ranks))

    def save(
        self,
        kind: ChartKind,
        country: str,
        places: list[Placed],
        previous: dict[int, int],
        built_at: datetime,
    ) -> None:
        row = self.s.scalar(
            select(ChartRow)
            .where(ChartRow.kind == kind.value, ChartRow.country == country)
            .with_for_update()
        )
        stored_previous = {str(t): r for t, r in previous.items()}
        if row is None:
            row = ChartRow(kind=kind.value, country=country)
            self.s.add(row)
        row.built_at, row.built_on, row.previous = (
            built_at,
            as_utc(built_at).date(),
            stored_previous,
        )
        self.s.flush()
        self.s.execute(delete(ChartPlaceRow).where(ChartPlaceRow.chart_id == row.id))
        if places:
            self.s.execute(
                insert(ChartPlaceRow),
                [
                    {
                        "chart_id": row.id,
                        "rank": p.rank,
                        "track_id": p.track_id,
                        "streams": p.streams,
                        "previous_rank": p.previous_rank,
                    }
                    for p in places
                ],
            )

    def places(self, chart_id: int) -> tuple[StoredChart, list[Placed]] | None:
        rows = self.s.execute(
            select(ChartRow, ChartPlaceRow)
            .outerjoin(ChartPlaceRow, ChartPlaceRow.chart_id == ChartRow.id)
            .where(ChartRow.id == chart_id)
            .order_by(ChartPlaceRow.rank)
        ).all()
        if not rows:
            return None
        placed = [
            Placed(p.track_id, p.rank, p.streams, p.previous_rank) for _, p in rows if p is not None
        ]
        return _stored(rows[0][0], {}, {}, len(placed)), placed


def _ranks(stored: dict[str, int] | None) -> dict[int, int]:
    return {int(t): int(r) for t, r in (stored or {}).items()}


def _stored(
    row: ChartRow, ranks: dict[int, int], previous: dict[int, int], size: int
) -> StoredChart:
    return StoredChart(
        id=row.id,
        kind=ChartKind(row.kind),
        country=row.country,
        built_at=as_utc(row.built_at),
        built_on=row.built_on,
        ranks=ranks,
        previous=previous,
        size=size,
    )
