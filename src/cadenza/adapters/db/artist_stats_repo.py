"""The artist dashboard's reads in SQL: rolled-up figures of one artist over a range of days,
and who may see them (the distributors of the artist's releases)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, union_all
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import (
    ArtistRow,
    DistributorRow,
    ReleaseArtistRow,
    ReleaseRow,
    TrackArtistRow,
    TrackRow,
)
from cadenza.adapters.db.models_creators import (
    StatsFacetMonthRow,
    StatsRecencyMonthRow,
    StatsTrackMonthRow,
)
from cadenza.adapters.db.models_stats import (
    StatsArtistDayRow,
    StatsFacetDayRow,
    StatsRecencyRow,
    StatsStateRow,
    StatsTrackDayRow,
)
from cadenza.adapters.db.read_values import as_day
from cadenza.adapters.db.stats_rollup_repo import STATE
from cadenza.domain.artist_stats import DayFigures
from cadenza.domain.catalog import ArtistRef, as_utc


class SqlArtistStats:
    def __init__(self, session: Session) -> None:
        self.s = session

    def artist(self, artist_id: int) -> ArtistRef | None:
        name = self.s.scalar(select(ArtistRow.name).where(ArtistRow.id == artist_id))
        return None if name is None else ArtistRef(artist_id, name)

    def _delivered(self, account_id: int) -> Select[int, str]:
        releases = (
            select(ReleaseRow.id)
            .join(DistributorRow, DistributorRow.id == ReleaseRow.distributor_id)
            .where(DistributorRow.account_id == account_id)
        )
        on_release = select(ReleaseArtistRow.artist_id).where(
            ReleaseArtistRow.release_id.in_(releases)
        )
        on_track = (
            select(TrackArtistRow.artist_id)
            .join(TrackRow, TrackRow.id == TrackArtistRow.track_id)
            .where(TrackRow.release_id.in_(releases))
        )
        return select(ArtistRow.id, ArtistRow.name).where(
            or_(ArtistRow.id.in_(on_release), ArtistRow.id.in_(on_track))
        )

    def delivers(self, account_id: int, artist_id: int) -> bool:
        found = self.s.execute(
            self._delivered(account_id).where(ArtistRow.id == artist_id).limit(1)
        ).first()
        return found is not None

    def delivered_artists(self, account_id: int) -> list[ArtistRef]:
        rows = self.s.execute(self._delivered(account_id).order_by(ArtistRow.name, ArtistRow.id))
        return [ArtistRef(int(i), n) for i, n in rows]

    def days(self, artist_id: int, since: date | None) -> list[DayFigures]:
        query = select(
            StatsArtistDayRow.day,
            StatsArtistDayRow.streams,
            StatsArtistDayRow.listeners,
            StatsArtistDayRow.saves,
            StatsArtistDayRow.playlist_adds,
            StatsArtistDayRow.follows,
        ).where(StatsArtistDayRow.artist_id == artist_id)
        if since is not None:
            query = query.where(StatsArtistDayRow.day >= since)
        rows = self.s.execute(query.order_by(StatsArtistDayRow.day))
        return [
            DayFigures(as_day(d), int(a), int(b), int(c), int(e), int(f))
            for d, a, b, c, e, f in rows
        ]

    def top_tracks(
        self, artist_id: int, since: date | None, limit: int, months_from: date | None = None
    ) -> list[tuple[int, str, int]]:
        rows = _ranged(
            StatsTrackDayRow,
            StatsTrackMonthRow,
            ("track_id",),
            "streams",
            artist_id,
            since,
            months_from,
        )
        streams = func.sum(rows.c.n)
        top = (
            select(rows.c.track_id, streams.label("streams"))
            .group_by(rows.c.track_id)
            .order_by(streams.desc(), rows.c.track_id)
            .limit(limit)
            .subquery()
        )
        found = self.s.execute(
            select(top.c.track_id, func.coalesce(TrackRow.title, ""), top.c.streams)
            .outerjoin(TrackRow, TrackRow.id == top.c.track_id)
            .order_by(top.c.streams.desc(), top.c.track_id)
        )
        return [(int(t), str(title), int(n)) for t, title, n in found]

    def facet_streams(
        self, artist_id: int, since: date | None, months_from: date | None = None
    ) -> list[tuple[str, str, int]]:
        rows = _ranged(
            StatsFacetDayRow,
            StatsFacetMonthRow,
            ("facet", "value"),
            "streams",
            artist_id,
            since,
            months_from,
        )
        found = self.s.execute(
            select(rows.c.facet, rows.c.value, func.sum(rows.c.n)).group_by(
                rows.c.facet, rows.c.value
            )
        )
        return [(f, v, int(n)) for f, v, n in found]

    def facet_listeners(
        self, artist_id: int, since: date | None, months_from: date | None = None
    ) -> list[tuple[str, str, int]]:
        rows = _ranged(
            StatsRecencyRow,
            StatsRecencyMonthRow,
            ("facet", "value"),
            "listeners",
            artist_id,
            since,
            months_from,
            day="last_day",
        )
        found = self.s.execute(
            select(rows.c.facet, rows.c.value, func.sum(rows.c.n)).group_by(
                rows.c.facet, rows.c.value
            )
        )
        return [(f, v, int(n)) for f, v, n in found]

    def rolled_at(self) -> datetime | None:
        at = self.s.scalar(select(StatsStateRow.rolled_at).where(StatsStateRow.name == STATE))
        return None if at is None else as_utc(at)


def _ranged(
    days: Any,
    months: Any,
    keys: tuple[str, ...],
    count: str,
    artist_id: int,
    since: date | None,
    months_from: date | None,
    day: str = "day",
) -> Any:
    """The rows of one artist from `since` on: days before `months_from` from the daily table,
    whole months from `months_from` on from the monthly one (months_from None: days only)."""
    on_day = getattr(days, day)
    daily = select(*(getattr(days, k) for k in keys), getattr(days, count).label("n")).where(
        days.artist_id == artist_id
    )
    if since is not None:
        daily = daily.where(on_day >= since)
    if months_from is None:
        return daily.subquery()
    daily = daily.where(on_day < months_from)
    monthly = select(*(getattr(months, k) for k in keys), getattr(months, count).label("n")).where(
        months.artist_id == artist_id, months.month >= months_from, getattr(months, count) != 0
    )
    return union_all(daily, monthly).subquery()
