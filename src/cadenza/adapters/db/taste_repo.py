"""Only You and Your year in SQL: a listener's counted plays, and listener counts per artist and
per artist pair over everyone's counted plays (the same statements on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CTE, func, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import TrackArtistRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.domain.catalog import as_utc

MAIN = "main"


class SqlTaste:
    def __init__(self, session: Session) -> None:
        self.s = session

    def counted_plays(
        self, user_id: int, start: datetime, end: datetime, limit: int
    ) -> list[tuple[int, datetime, int]]:
        rows = self.s.execute(
            select(PlayRow.track_id, PlayRow.started_at, PlayRow.listened_ms)
            .where(
                PlayRow.user_id == user_id,
                PlayRow.counted.is_(True),
                PlayRow.started_at >= start,
                PlayRow.started_at < end,
            )
            .order_by(PlayRow.started_at.desc(), PlayRow.id.desc())
            .limit(limit)
        ).all()
        return [(t, as_utc(at), ms) for t, at, ms in rows]

    def artists_played_before(self, user_id: int, before: datetime) -> set[int]:
        return set(
            self.s.scalars(
                select(TrackArtistRow.artist_id)
                .distinct()
                .join(PlayRow, PlayRow.track_id == TrackArtistRow.track_id)
                .where(
                    PlayRow.user_id == user_id,
                    PlayRow.counted.is_(True),
                    PlayRow.started_at < before,
                    TrackArtistRow.role == MAIN,
                )
            )
        )

    def listeners(self) -> int:
        counted = select(PlayRow.user_id).where(PlayRow.counted.is_(True)).distinct().subquery()
        return int(self.s.scalar(select(func.count()).select_from(counted)) or 0)

    def listeners_of_artists(self, artist_ids: list[int]) -> dict[int, int]:
        if not artist_ids:
            return {}
        heard = _listener_artists(artist_ids)
        rows = self.s.execute(
            select(heard.c.artist_id, func.count()).group_by(heard.c.artist_id)
        ).all()
        return {a: int(n) for a, n in rows}

    def listeners_of_pairs(self, artist_ids: list[int]) -> dict[tuple[int, int], int]:
        if len(artist_ids) < 2:
            return {}
        heard = _listener_artists(artist_ids)
        first, second = heard.alias("first_artist"), heard.alias("second_artist")
        rows = self.s.execute(
            select(first.c.artist_id, second.c.artist_id, func.count())
            .join(
                second,
                (second.c.user_id == first.c.user_id) & (second.c.artist_id > first.c.artist_id),
            )
            .group_by(first.c.artist_id, second.c.artist_id)
        ).all()
        return {(a, b): int(n) for a, b, n in rows}


def _listener_artists(artist_ids: list[int]) -> CTE:
    """(listener, artist) once for each listener with a counted play of one of these artists."""
    return (
        select(PlayRow.user_id, TrackArtistRow.artist_id)
        .distinct()
        .join(TrackArtistRow, TrackArtistRow.track_id == PlayRow.track_id)
        .where(
            PlayRow.counted.is_(True),
            TrackArtistRow.role == MAIN,
            TrackArtistRow.artist_id.in_(artist_ids),
        )
        .cte("heard")
    )
