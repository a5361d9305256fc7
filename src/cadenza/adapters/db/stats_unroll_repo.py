"""The artists' statistics in SQL, the way back: rolled-up streams flagged artificial since are
found, marked out of the figures, and the listeners they leave are looked up (who still
streamed the artist that day, their latest stream left)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, text, tuple_, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import TrackArtistRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import TO_UNROLL, PlayRow
from cadenza.adapters.db.models_stats import (
    StatsArtistDayRow,
    StatsFacetDayRow,
    StatsListenerDayRow,
    StatsListenerRow,
    StatsTrackDayRow,
)
from cadenza.adapters.db.stats_rollup_repo import stream_of, streams_where
from cadenza.domain.catalog import as_utc
from cadenza.ports.artist_stats import StreamToRoll

T = TypeVar("T")
CHUNK = 400  # keys per statement


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in_figures() -> ColumnElement[bool]:
    """A play that is in the statistics now (rolled up and not flagged)."""
    return and_(PlayRow.stats_rolled, ~PlayRow.flagged_artificial)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


class SqlStatsUnroll:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.dialect = session.get_bind().dialect.name

    def streams_to_unroll(self, limit: int) -> list[StreamToRoll]:
        return streams_where(self.s, TO_UNROLL, limit)

    def count_to_unroll(self) -> int:
        where = TO_UNROLL["postgresql" if self.dialect == "postgresql" else "sqlite"]
        found = self.s.execute(text(f"SELECT COUNT(*) FROM plays WHERE {where}")).scalar()  # noqa: S608
        return int(found or 0)

    def mark_unrolled(self, play_rows: list[int]) -> None:
        for some in _chunks(sorted(set(play_rows))):
            self.s.execute(update(PlayRow).where(PlayRow.id.in_(some)).values(stats_rolled=False))

    def still_listened(self, keys: set[tuple[int, date, int]]) -> set[tuple[int, date, int]]:
        found: set[tuple[int, date, int]] = set()
        for some in _chunks(sorted(keys)):
            first = min(d for _, d, _ in some)
            last = max(d for _, d, _ in some)
            rows = self.s.execute(
                select(TrackArtistRow.artist_id, PlayRow.user_id, PlayRow.started_at)
                .join(TrackArtistRow, TrackArtistRow.track_id == PlayRow.track_id)
                .where(
                    PlayRow.user_id.in_({u for _, _, u in some}),
                    PlayRow.counted,
                    PlayRow.started_at >= _moment(first),
                    PlayRow.started_at < _moment(last + timedelta(days=1)),
                    TrackArtistRow.artist_id.in_({a for a, _, _ in some}),
                    _in_figures(),
                )
            )
            found.update((int(a), as_utc(at).date(), int(u)) for a, u, at in rows)
        return found & keys

    def latest_streams(self, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], StreamToRoll]:
        found: dict[tuple[int, int], StreamToRoll] = {}
        for artist, user in sorted(pairs):
            row = self.s.execute(
                select(
                    PlayRow.id,
                    TrackArtistRow.artist_id,
                    PlayRow.user_id,
                    PlayRow.track_id,
                    PlayRow.started_at,
                    func.coalesce(PlayRow.country, UserRow.country),
                    PlayRow.source,
                    UserRow.city,
                    UserRow.gender,
                    UserRow.birth_date,
                )
                .join(TrackArtistRow, TrackArtistRow.track_id == PlayRow.track_id)
                .join(UserRow, UserRow.id == PlayRow.user_id)
                .where(
                    PlayRow.user_id == user,
                    PlayRow.counted,
                    TrackArtistRow.artist_id == artist,
                    _in_figures(),
                )
                .order_by(PlayRow.started_at.desc(), PlayRow.id.desc())
                .limit(1)
            ).first()
            if row is not None:
                found[(artist, user)] = stream_of(row)
        return found

    def drop_listener_days(self, keys: set[tuple[int, date, int]]) -> None:
        table = StatsListenerDayRow
        for some in _chunks(sorted(keys)):
            self.s.execute(
                delete(table).where(
                    or_(
                        *(
                            and_(table.artist_id == a, table.day == d, table.user_id == u)
                            for a, d, u in some
                        )
                    )
                )
            )

    def drop_audiences(self, pairs: set[tuple[int, int]]) -> None:
        for some in _chunks(sorted(pairs)):
            self.s.execute(
                delete(StatsListenerRow).where(
                    tuple_(StatsListenerRow.artist_id, StatsListenerRow.user_id).in_(some)
                )
            )

    def drop_empty(self, keys: set[tuple[int, date]]) -> None:
        by_artist: dict[int, list[date]] = {}
        for artist, day in sorted(keys):
            by_artist.setdefault(artist, []).append(day)
        days = StatsArtistDayRow
        for artist, all_days in by_artist.items():
            for some in _chunks(all_days):
                for model in (StatsTrackDayRow, StatsFacetDayRow):
                    self.s.execute(
                        delete(model).where(
                            model.artist_id == artist, model.day.in_(some), model.streams <= 0
                        )
                    )
                self.s.execute(
                    delete(days).where(
                        days.artist_id == artist,
                        days.day.in_(some),
                        days.streams <= 0,
                        days.listeners <= 0,
                        days.saves == 0,
                        days.playlist_adds == 0,
                        days.follows == 0,
                    )
                )
