"""Batch work over the archive on one engine: what a royalty close reads, search popularity,
and the artists' statistics. The engine only counts; the money is split by the domain's pure
functions (services/royalties.py), exactly as after the embedded close's GROUP BYs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from cadenza.batch import archive_sql
from cadenza.batch.engines import BatchEngine, Rows
from cadenza.domain import royalties as rules_
from cadenza.domain.royalties import ListenerStreams

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
log = logging.getLogger(__name__)


def older_note(older: Sequence[str]) -> str:
    """What the jobs say of archive files (days, or the files' names) written before source
    and market were archived."""
    names = ", ".join(sorted(older)[:3]) + (", ..." if len(older) > 3 else "")
    return (
        f"{len(older)} archive day(s) of schema 1 ({names}) have no source or market: "
        "their plays count under the source 'other' and in the listener's country now; "
        "archive those days again (cadenza events archive --day) to count them as the "
        "database does"
    )


def micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def archive_days(first: datetime, until: datetime) -> list[date]:
    """The archive's days to read for plays started in [first, until): a play that starts
    just before midnight ends in the next day's file."""
    day, last = first.astimezone(UTC).date(), until.astimezone(UTC).date()
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days


class ArtistStreams(NamedTuple):
    artist: int
    day: date
    account: int
    track: int
    market: str | None  # the play's as archived; None: the listener's country now
    source: str | None  # None: unknown (the statistics' "other")
    streams: int


@dataclass
class ArchiveCounts:
    """The archive's files (`files`) with the side tables, counted by `engine`. `older`: the
    files of an archive schema before the current one (no source and market: their plays
    count as source unknown, in the listener's country now), logged as a warning."""

    engine: BatchEngine
    files: Sequence[Path]
    side: dict[str, Rows]
    days: Sequence[date] = ()  # each file's day, where known: what the warning names

    def __post_init__(self) -> None:
        from cadenza.adapters.archive.parquet import SCHEMA_VERSION, schema_version

        self.older = [f for f in self.files if schema_version(f) < SCHEMA_VERSION]
        if self.older:
            named = dict(zip(self.files, (d.isoformat() for d in self.days), strict=False))
            log.warning("%s", older_note([named.get(f, f.name) for f in self.older]))
        self.engine.load(self.files, self.side)
        self._kept: tuple[int, int] | None = None

    def _run(self, sql: str) -> list[tuple[Any, ...]]:
        return self.engine.rows(sql)

    def _plays(self, since: int, until: int) -> str:
        """The counted streams started in [since, until), kept by the engine as a table (the
        one kept already where it covers these bounds: each count filters its own)."""
        kept = self._kept
        if kept is None or not (kept[0] <= since and until <= kept[1]):
            self.engine.keep("counted_plays", archive_sql.plays(self.engine.us, since, until))
            self._kept = (since, until)
        return "counted_plays"

    def month(self, month: str) -> tuple[list[ListenerStreams], dict[str, int], dict[int, int]]:
        """What a royalty close reads (services.royalties.CountedElsewhere)."""
        start, end = (micros(t) for t in rules_.month_bounds(month))
        year_start = micros(rules_.month_bounds(rules_.trailing_months(month)[-1])[0])
        plays = self._plays(year_start, end)
        listens = [
            ListenerStreams(str(m), int(a), int(t), int(n), int(so))
            for m, a, t, n, so in self._run(archive_sql.listens(plays, start, end))
        ]
        flagged = {
            str(m): int(n) for m, n in self._run(archive_sql.flagged_streams(plays, start, end))
        }
        yearly = {
            int(t): int(n) for t, n in self._run(archive_sql.track_streams(plays, year_start, end))
        }
        return sorted(listens, key=lambda r: (r.market, r.account, r.track)), flagged, yearly

    def popularity(self, since: datetime, until: datetime) -> list[tuple[str, int, str, int]]:
        """(kind, entity, country or "" for everywhere, streams) for plays started in
        [since, until), as the search popularity rollup stores them."""
        start, end = micros(since), micros(until)
        sql = archive_sql.popularity(self._plays(start, end), start, end)
        return sorted((str(k), int(e), str(c), int(n)) for k, e, c, n in self._run(sql))

    def artist_days(self, since: datetime, until: datetime) -> list[tuple[int, date, int, int]]:
        """(artist, day, streams, listeners) for plays started in [since, until)."""
        start, end = micros(since), micros(until)
        sql = archive_sql.artist_days(self._plays(start, end), start, end)
        epoch = date(1970, 1, 1)
        return sorted(
            (int(a), epoch + timedelta(days=int(d)), int(n), int(k))
            for a, d, n, k in self._run(sql)
        )

    def artist_streams(self, since: datetime, until: datetime) -> list[ArtistStreams]:
        """The counted streams per artist, day, listener, track, market and source for plays
        started in [since, until), by artist, day, listener, then the latest start among them
        (a listener's audience, taken from their latest stream, follows the last one)."""
        start, end = micros(since), micros(until)
        sql = archive_sql.artist_streams(self._plays(start, end), start, end)
        epoch = date(1970, 1, 1)
        keyed = []
        for a, d, u, t, m, s, n, last in self._run(sql):
            row = ArtistStreams(
                int(a),
                epoch + timedelta(days=int(d)),
                int(u),
                int(t),
                None if m is None else str(m),
                None if s is None else str(s),
                int(n),
            )
            order = (row.artist, row.day, row.account, int(last), row.track)
            keyed.append(((*order, row.market or "", row.source or ""), row))
        return [row for _, row in sorted(keyed)]

    def taste(self) -> list[tuple[int, int, int, int]]:
        """(listener, track, counted plays, early skips) over the whole archive."""
        sql = archive_sql.taste(self.engine.us)
        return sorted((int(a), int(t), int(n), int(k)) for a, t, n, k in self._run(sql))
