"""The artists' statistics roll-up in SQL: counted streams not rolled up yet, added into the
daily figures with upserts that read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import delete, select, text, tuple_, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import dialect_insert, insert_on_conflict
from cadenza.adapters.db.models import ReleaseArtistRow, TrackArtistRow
from cadenza.adapters.db.models_collection import (
    FollowedArtistRow,
    LikedTrackRow,
    PlaylistEntryRow,
    SavedReleaseRow,
)
from cadenza.adapters.db.models_creators import (
    StatsFacetMonthRow,
    StatsRecencyMonthRow,
    StatsTrackMonthRow,
)
from cadenza.adapters.db.models_listening import TO_ROLL, PlayRow
from cadenza.adapters.db.models_stats import (
    StatsArtistDayRow,
    StatsFacetDayRow,
    StatsListenerDayRow,
    StatsListenerRow,
    StatsRecencyRow,
    StatsStateRow,
    StatsTrackDayRow,
)
from cadenza.adapters.db.read_values import as_day
from cadenza.domain.catalog import as_utc
from cadenza.ports.artist_stats import Audience, DayKey, FacetKey, StreamToRoll

if TYPE_CHECKING:
    from cadenza.adapters.db.stats_rebuild_repo import SqlStatsRebuild
    from cadenza.adapters.db.stats_unroll_repo import SqlStatsUnroll

T = TypeVar("T")
BATCH = 2000  # rows per statement: under SQLite's bound-parameter limit at 5 columns a row
STATE = "rollup"


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqlStatsRollup:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.dialect = session.get_bind().dialect.name

    @cached_property
    def unroll(self) -> SqlStatsUnroll:
        from cadenza.adapters.db.stats_unroll_repo import SqlStatsUnroll

        return SqlStatsUnroll(self.s)

    @cached_property
    def rebuild(self) -> SqlStatsRebuild:
        from cadenza.adapters.db.stats_rebuild_repo import SqlStatsRebuild

        return SqlStatsRebuild(self.s)

    def _insert(self, table: Any) -> Any:
        """The dialect's INSERT of a table (ON CONFLICT), executed once for many rows."""
        return dialect_insert(self.dialect, table)

    def begin_run(self) -> None:
        # A write first: SQLite takes its write lock, PostgreSQL the row's, until commit.
        self.s.execute(
            insert_on_conflict(self.s, StatsStateRow)
            .values(name=STATE, runs=0, rolled_at=None)
            .on_conflict_do_nothing()
        )
        self.s.execute(
            update(StatsStateRow)
            .where(StatsStateRow.name == STATE)
            .values(runs=StatsStateRow.runs + 1)
        )

    def streams_to_roll(self, limit: int) -> list[StreamToRoll]:
        return streams_where(self.s, TO_ROLL, limit)

    def count_to_roll(self) -> int:
        to_roll = TO_ROLL["postgresql" if self.dialect == "postgresql" else "sqlite"]
        found = self.s.execute(text(f"SELECT COUNT(*) FROM plays WHERE {to_roll}")).scalar()  # noqa: S608
        return int(found or 0)

    def mark_rolled(self, play_rows: list[int]) -> None:
        for some in _chunks(sorted(set(play_rows))):
            self.s.execute(update(PlayRow).where(PlayRow.id.in_(some)).values(stats_rolled=True))

    def first_listens(self, seen: set[tuple[int, date, int]]) -> dict[DayKey, int]:
        new: Counter[DayKey] = Counter()
        table = StatsListenerDayRow.__table__
        rows = [{"artist_id": a, "day": d, "user_id": u} for a, d, u in sorted(seen)]
        if rows:
            inserted = self.s.execute(
                self._insert(table)
                .on_conflict_do_nothing()
                .returning(table.c.artist_id, table.c.day, sort_by_parameter_order=False),
                rows,
            ).all()
            new.update((int(a), as_day(d)) for a, d in inserted)
        return dict(new)

    def add_streams(
        self,
        days: dict[DayKey, tuple[int, int]],
        tracks: dict[tuple[int, date, int], int],
        facets: dict[FacetKey, int],
    ) -> None:
        self._add(
            StatsArtistDayRow,
            (
                {
                    "artist_id": a,
                    "day": d,
                    "streams": n,
                    "listeners": new,
                    "saves": 0,
                    "playlist_adds": 0,
                    "follows": 0,
                }
                for (a, d), (n, new) in days.items()
            ),
            ("artist_id", "day"),
            ("streams", "listeners"),
        )
        self._add(
            StatsTrackDayRow,
            (
                {"artist_id": a, "day": d, "track_id": t, "streams": n}
                for (a, d, t), n in tracks.items()
            ),
            ("artist_id", "day", "track_id"),
            ("streams",),
        )
        self._add(
            StatsFacetDayRow,
            (
                {"artist_id": a, "day": d, "facet": f, "value": v, "streams": n}
                for (a, d, f, v), n in facets.items()
            ),
            ("artist_id", "day", "facet", "value"),
            ("streams",),
        )
        self._add(
            StatsTrackMonthRow,
            (
                {"artist_id": a, "month": m, "track_id": t, "streams": n}
                for (a, m, t), n in _monthly(tracks).items()
            ),
            ("artist_id", "month", "track_id"),
            ("streams",),
        )
        self._add(
            StatsFacetMonthRow,
            (
                {"artist_id": a, "month": m, "facet": f, "value": v, "streams": n}
                for (a, m, f, v), n in _monthly(facets).items()
            ),
            ("artist_id", "month", "facet", "value"),
            ("streams",),
        )

    def audiences(self, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Audience]:
        found: dict[tuple[int, int], Audience] = {}
        for some in _chunks(sorted(pairs), 400):
            rows = self.s.execute(
                select(
                    StatsListenerRow.artist_id,
                    StatsListenerRow.user_id,
                    StatsListenerRow.last_day,
                    StatsListenerRow.country,
                    StatsListenerRow.city,
                    StatsListenerRow.age,
                    StatsListenerRow.gender,
                ).where(tuple_(StatsListenerRow.artist_id, StatsListenerRow.user_id).in_(some))
            ).all()
            for a, u, day, country, city, age, gender in rows:
                found[(int(a), int(u))] = Audience(as_day(day), country, city, age, gender)
        return found

    def save_audiences(self, audiences: dict[tuple[int, int], Audience]) -> None:
        rows = [
            {
                "artist_id": a,
                "user_id": u,
                "last_day": x.last_day,
                "country": x.country,
                "city": x.city,
                "age": x.age,
                "gender": x.gender,
            }
            for (a, u), x in sorted(audiences.items())
        ]
        if rows:
            statement = self._insert(StatsListenerRow.__table__)
            self.s.execute(
                statement.on_conflict_do_update(
                    index_elements=["artist_id", "user_id"],
                    set_={
                        column: getattr(statement.excluded, column)
                        for column in ("last_day", "country", "city", "age", "gender")
                    },
                ),
                rows,
            )

    def add_recency(self, deltas: dict[FacetKey, int]) -> None:
        self._add(
            StatsRecencyRow,
            (
                {"artist_id": a, "last_day": d, "facet": f, "value": v, "listeners": n}
                for (a, d, f, v), n in deltas.items()
                if n
            ),
            ("artist_id", "last_day", "facet", "value"),
            ("listeners",),
        )
        self._add(
            StatsRecencyMonthRow,
            (
                {"artist_id": a, "month": m, "facet": f, "value": v, "listeners": n}
                for (a, m, f, v), n in _monthly(deltas).items()
                if n
            ),
            ("artist_id", "month", "facet", "value"),
            ("listeners",),
        )

    def recount_engagement(self, since: date, until: date) -> int:
        start = datetime.combine(since, time(), UTC)
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        counts: dict[DayKey, list[int]] = {}

        def tally(rows: Iterable[Any], slot: int) -> None:
            for artist_id, at in rows:
                key = (int(artist_id), as_utc(_moment(at)).date())
                counts.setdefault(key, [0, 0, 0])[slot] += 1

        tally(
            self.s.execute(
                select(TrackArtistRow.artist_id, LikedTrackRow.added_at)
                .join(TrackArtistRow, TrackArtistRow.track_id == LikedTrackRow.track_id)
                .where(LikedTrackRow.added_at >= start, LikedTrackRow.added_at < end)
            ),
            0,
        )
        tally(
            self.s.execute(
                select(ReleaseArtistRow.artist_id, SavedReleaseRow.added_at)
                .join(ReleaseArtistRow, ReleaseArtistRow.release_id == SavedReleaseRow.release_id)
                .where(SavedReleaseRow.added_at >= start, SavedReleaseRow.added_at < end)
            ),
            0,
        )
        tally(
            self.s.execute(
                select(TrackArtistRow.artist_id, PlaylistEntryRow.added_at)
                .join(TrackArtistRow, TrackArtistRow.track_id == PlaylistEntryRow.track_id)
                .where(PlaylistEntryRow.added_at >= start, PlaylistEntryRow.added_at < end)
            ),
            1,
        )
        tally(
            self.s.execute(
                select(FollowedArtistRow.artist_id, FollowedArtistRow.added_at).where(
                    FollowedArtistRow.added_at >= start, FollowedArtistRow.added_at < end
                )
            ),
            2,
        )
        self.s.execute(
            update(StatsArtistDayRow)
            .where(StatsArtistDayRow.day >= since, StatsArtistDayRow.day <= until)
            .values(saves=0, playlist_adds=0, follows=0)
        )
        rows = [
            {
                "artist_id": a,
                "day": d,
                "streams": 0,
                "listeners": 0,
                "saves": n[0],
                "playlist_adds": n[1],
                "follows": n[2],
            }
            for (a, d), n in sorted(counts.items())
        ]
        if rows:
            statement = self._insert(StatsArtistDayRow.__table__)
            self.s.execute(
                statement.on_conflict_do_update(
                    index_elements=["artist_id", "day"],
                    set_={
                        c: getattr(statement.excluded, c)
                        for c in ("saves", "playlist_adds", "follows")
                    },
                ),
                rows,
            )
        return len(rows)

    def forget_listener_days(self, before: date) -> None:
        self.s.execute(delete(StatsListenerDayRow).where(StatsListenerDayRow.day < before))

    def finish_run(self, at: datetime) -> None:
        self.s.execute(
            update(StatsStateRow).where(StatsStateRow.name == STATE).values(rolled_at=at)
        )

    def _add(
        self,
        model: type[Any],
        rows: Iterable[dict[str, Any]],
        key: tuple[str, ...],
        summed: tuple[str, ...],
    ) -> None:
        """Insert the rows; where one is there already, add to its counts (one statement,
        compiled once, executed for every row)."""
        listed = list(rows)
        if not listed:
            return
        table = model.__table__
        statement = self._insert(table)
        self.s.execute(
            statement.on_conflict_do_update(
                index_elements=list(key),
                set_={c: table.c[c] + getattr(statement.excluded, c) for c in summed},
            ),
            listed,
        )


def _monthly(counts: Mapping[Any, int]) -> Counter[Any]:
    """Counts keyed (artist, day, ...) summed per (artist, the day's month, ...)."""
    months: Counter[Any] = Counter()
    for key, n in counts.items():
        months[(key[0], key[1].replace(day=1), *key[2:])] += n
    return months


def streams_where(s: Session, condition: dict[str, str], limit: int) -> list[StreamToRoll]:
    """Up to `limit` plays (oldest first) under one of the partial indexes' conditions (TO_ROLL,
    TO_UNROLL), once per artist of the track, with their listener."""
    where = condition["postgresql" if s.get_bind().dialect.name == "postgresql" else "sqlite"]
    # The condition is one of the constants in models_listening, not input.
    query = (
        "SELECT p.id, ta.artist_id, p.user_id, p.track_id, p.started_at, "  # noqa: S608
        "COALESCE(p.country, u.country), p.source, u.city, u.gender, u.birth_date "
        f"FROM (SELECT id FROM plays WHERE {where} ORDER BY id LIMIT :limit) AS todo "
        "JOIN plays p ON p.id = todo.id "
        "JOIN users u ON u.id = p.user_id "
        "LEFT JOIN track_artists ta ON ta.track_id = p.track_id "
        "ORDER BY p.id"
    )
    return [stream_of(r) for r in s.execute(text(query), {"limit": limit}).all()]


def stream_of(r: Any) -> StreamToRoll:
    """A row of (play id, artist id, user id, track id, started at, country, source, city,
    gender, birth date) as the roll-up reads it."""
    return StreamToRoll(
        play_row=int(r[0]),
        artist_id=-1 if r[1] is None else int(r[1]),  # a track gone from the catalog
        user_id=int(r[2]),
        track_id=int(r[3]),
        started_at=_moment(r[4]),
        country=str(r[5] or "").upper()[:2],
        source=r[6],
        city=r[7],
        gender=r[8],
        birth_date=as_day(r[9]),
    )


def _moment(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)
