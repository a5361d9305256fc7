"""Charts: the Top 50 and Viral 50, everywhere and in the listener's country, rebuilt daily.
Playing one goes through the player (`PUT /api/v1/me/player/play` with context
`{"kind": "chart", "id": CHART_ID}`: in shuffle on Free, as a playlist)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from cadenza.api.deps import ChartsDep, Id, ViewerDep
from cadenza.api.schemas import ReleaseSummaryOut, TrackOut, TrackWithReleaseOut
from cadenza.services.charts import ChartSummary

router = APIRouter(prefix="/api/v1/browse", tags=["charts"])


class ChartSummaryOut(BaseModel):
    id: int
    kind: str  # top | viral
    country: str | None  # None: everywhere
    name: str
    updated_at: datetime
    url: str

    @classmethod
    def of(cls, c: ChartSummary) -> ChartSummaryOut:
        return cls(
            id=c.id,
            kind=c.kind.value,
            country=c.country or None,
            name=c.name,
            updated_at=c.built_at,
            url=f"/api/v1/browse/charts/{c.id}",
        )


class ChartTrackOut(TrackWithReleaseOut):
    rank: int
    streams: int  # counted streams of the last 7 days
    movement: str  # since yesterday's chart: up | down | same | new
    previous_rank: int | None


class ChartOut(ChartSummaryOut):
    tracks: list[ChartTrackOut]


@router.get("/charts", response_model=list[ChartSummaryOut])
def charts(charts: ChartsDep, viewer: ViewerDep) -> list[ChartSummaryOut]:
    """The charts for you: Top 50 and Viral 50 of your country (when its listeners streamed
    enough), then everywhere's. An anonymous visitor gives `country`."""
    return [ChartSummaryOut.of(c) for c in charts.charts_for(viewer)]


@router.get("/charts/{chart_id}", response_model=ChartOut)
def chart(chart_id: Id, charts: ChartsDep, viewer: ViewerDep) -> ChartOut:
    """A chart's songs with their rank, streams this week and movement since yesterday; only
    songs you may play (404 `chart_not_found` for no such chart)."""
    made = charts.chart(chart_id, viewer)
    summary = ChartSummaryOut.of(made.summary)
    return ChartOut(
        **summary.model_dump(),
        tracks=[
            ChartTrackOut(
                **TrackOut.of(line.track).model_dump(),
                release=ReleaseSummaryOut.of(line.release),
                rank=line.rank,
                streams=line.streams,
                movement=line.movement.value,
                previous_rank=line.previous_rank,
            )
            for line in made.lines
        ],
    )
