"""Only You and Your year in SQL: a listener's counted plays, and listener counts per artist and
per artist pair from `listener_artists` (kept with each counted play by `count_play`), so no
answer reads everyone's plays. The same statements on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import TrackArtistRow
from cadenza.adapters.db.models_history import HistoryPlayRow
from cadenza.adapters.db.models_listening import ListenerArtistRow, PlayRow
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
        # The listener's imported history is theirs too (never streams: only here, for them).
        imported = self.s.execute(
            select(HistoryPlayRow.track_id, HistoryPlayRow.played_at, HistoryPlayRow.listened_ms)
            .where(
                HistoryPlayRow.user_id == user_id,
                HistoryPlayRow.played_at >= start,
                HistoryPlayRow.played_at < end,
            )
            .order_by(HistoryPlayRow.played_at.desc(), HistoryPlayRow.id.desc())
            .limit(limit)
        ).all()
        plays = [(t, as_utc(at), ms) for t, at, ms in [*rows, *imported]]
        plays.sort(key=lambda p: p[1], reverse=True)
        return plays[:limit]

    def artists_played_before(self, user_id: int, before: datetime) -> set[int]:
        counted = set(
            self.s.scalars(
                select(ListenerArtistRow.artist_id).where(
                    ListenerArtistRow.user_id == user_id,
                    ListenerArtistRow.first_played_at < before,
                )
            )
        )
        imported = self.s.scalars(
            select(TrackArtistRow.artist_id)
            .join(HistoryPlayRow, HistoryPlayRow.track_id == TrackArtistRow.track_id)
            .where(
                HistoryPlayRow.user_id == user_id,
                HistoryPlayRow.played_at < before,
                TrackArtistRow.role == MAIN,
            )
            .distinct()
        )
        return counted | set(imported)

    def listeners(self) -> int:
        everyone = select(ListenerArtistRow.user_id).distinct().subquery()
        return int(self.s.scalar(select(func.count()).select_from(everyone)) or 0)

    def listeners_of_artists(self, artist_ids: list[int]) -> dict[int, int]:
        if not artist_ids:
            return {}
        rows = self.s.execute(
            select(ListenerArtistRow.artist_id, func.count())
            .where(ListenerArtistRow.artist_id.in_(artist_ids))
            .group_by(ListenerArtistRow.artist_id)
        ).all()
        return {a: int(n) for a, n in rows}

    def listeners_of_pairs(self, artist_ids: list[int]) -> dict[tuple[int, int], int]:
        if len(artist_ids) < 2:
            return {}
        first, second = aliased(ListenerArtistRow), aliased(ListenerArtistRow)
        rows = self.s.execute(
            select(first.artist_id, second.artist_id, func.count())
            .join(
                second,
                (second.user_id == first.user_id) & (second.artist_id > first.artist_id),
            )
            .where(first.artist_id.in_(artist_ids), second.artist_id.in_(artist_ids))
            .group_by(first.artist_id, second.artist_id)
        ).all()
        return {(a, b): int(n) for a, b, n in rows}


def count_play(session: Session, user_id: int, track_id: int, started_at: datetime) -> None:
    """One more counted play of the track's main artists by this listener (in the transaction
    that counts the play); a late play that started earlier moves their first play back."""
    artists = session.scalars(
        select(TrackArtistRow.artist_id).where(
            TrackArtistRow.track_id == track_id, TrackArtistRow.role == MAIN
        )
    ).all()
    for artist_id in artists:
        row = insert_on_conflict(session, ListenerArtistRow).values(
            user_id=user_id, artist_id=artist_id, plays=1, first_played_at=started_at
        )
        earlier = row.excluded.first_played_at < ListenerArtistRow.first_played_at
        session.execute(
            row.on_conflict_do_update(
                index_elements=[ListenerArtistRow.user_id, ListenerArtistRow.artist_id],
                set_={
                    "plays": ListenerArtistRow.plays + 1,
                    "first_played_at": case(
                        (earlier, row.excluded.first_played_at),
                        else_=ListenerArtistRow.first_played_at,
                    ),
                },
            )
        )
