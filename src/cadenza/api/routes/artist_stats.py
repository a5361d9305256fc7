"""Statistics for artists: one artist's dashboard figures, for its own accounts, the
distributors of its releases and admins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cadenza.api.deps import ArtistStatsDep, CurrentSession, Id
from cadenza.api.schemas import ArtistRefOut
from cadenza.domain.artist_stats import ArtistDashboard, Bucket

router = APIRouter(prefix="/api/v1", tags=["artist statistics"])


class DayOut(BaseModel):
    day: date  # a monthly series: the month's first day
    streams: int
    listeners: int  # distinct that day (monthly: the month's average a day)
    saves: int
    playlist_adds: int
    follows: int


class TopTrackOut(BaseModel):
    track_id: int
    title: str
    streams: int


class BucketOut(BaseModel):
    value: str
    streams: int
    listeners: int  # distinct over the range (0 for sources)


class EarningsOut(BaseModel):
    month: str
    streams: int
    estimated_cents: int
    estimated: bool = True  # never the royalties paid: streams times the setting's rate


class StatsOut(BaseModel):
    artist_id: int
    artist_name: str
    range: str
    first_day: date | None
    last_day: date
    monthly: bool
    rolled_at: datetime | None
    streams: int
    listeners: int
    saves: int
    playlist_adds: int
    follows: int
    series: list[DayOut]
    top_tracks: list[TopTrackOut]
    countries: list[BucketOut]
    cities: list[BucketOut]
    ages: list[BucketOut]
    genders: list[BucketOut]
    sources: list[BucketOut]
    earnings: list[EarningsOut]
    estimated_per_stream_cents: str
    min_listeners: int

    @classmethod
    def of(cls, d: ArtistDashboard) -> StatsOut:
        def buckets(found: list[Bucket]) -> list[BucketOut]:
            return [
                BucketOut(value=b.value, streams=b.streams, listeners=b.listeners) for b in found
            ]

        return cls(
            artist_id=d.artist_id,
            artist_name=d.artist_name,
            range=d.range,
            first_day=d.first_day,
            last_day=d.last_day,
            monthly=d.monthly,
            rolled_at=d.rolled_at,
            streams=d.streams,
            listeners=d.listeners,
            saves=d.saves,
            playlist_adds=d.playlist_adds,
            follows=d.follows,
            series=[
                DayOut(
                    day=s.day,
                    streams=s.streams,
                    listeners=s.listeners,
                    saves=s.saves,
                    playlist_adds=s.playlist_adds,
                    follows=s.follows,
                )
                for s in d.series
            ],
            top_tracks=[
                TopTrackOut(track_id=t.track_id, title=t.title, streams=t.streams)
                for t in d.top_tracks
            ],
            countries=buckets(d.countries),
            cities=buckets(d.cities),
            ages=buckets(d.ages),
            genders=buckets(d.genders),
            sources=buckets(d.sources),
            earnings=[
                EarningsOut(month=e.month, streams=e.streams, estimated_cents=e.estimated_cents)
                for e in d.earnings
            ],
            estimated_per_stream_cents=str(d.per_stream_cents),
            min_listeners=d.min_listeners,
        )


@router.get("/artists/{artist_id}/stats", response_model=StatsOut)
def artist_stats(
    artist_id: Id,
    session: CurrentSession,
    stats: ArtistStatsDep,
    range_name: Annotated[Literal["7d", "28d", "12m", "all"], Query(alias="range")] = "28d",
) -> StatsOut:
    """Streams, listeners, saves, playlist adds and follows per day (per month for 12m and
    all), top tracks, countries, cities, age ranges, gender, sources and estimated earnings per
    month. For the artist's linked accounts, the distributors of its releases and admins; for
    anybody else 403 `not_your_artist`, whether the artist exists or not. Audience buckets of
    fewer than `min_listeners` listeners are left out. `rolled_at`: the figures hold every
    stream counted before it (the roll-up runs every few minutes)."""
    return StatsOut.of(stats.dashboard(session.account_id, artist_id, range_name))


@router.get("/me/stats/artists", response_model=list[ArtistRefOut])
def stats_artists(session: CurrentSession, stats: ArtistStatsDep) -> list[ArtistRefOut]:
    """The artists whose statistics this account may open: those it is linked to, and those
    its distributor delivers (an admin opens any artist's by its id)."""
    return [ArtistRefOut.of(r) for r in stats.artists_for(session.account_id)]
