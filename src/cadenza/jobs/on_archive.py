"""The batch jobs on the Parquet archive, on the engine an operator chose (`--engine spark
--master URL`; cadenza.batch): the days' files are gathered (a day not archived yet is written
aside for this run, never stored), the side tables read from the database, the engine counts,
and the job's own service stores the result as the embedded job does."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from cadenza.domain import royalties as rules_
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.search import POPULAR_WINDOW

if TYPE_CHECKING:
    from cadenza.batch.engines import BatchEngine, Rows
    from cadenza.batch.month import ArchiveCounts
    from cadenza.bootstrap import App
    from cadenza.services.royalties import MonthClose, Step

ENGINES = ("embedded", "spark")


@dataclass(frozen=True)
class EngineChoice:
    engine: str = "embedded"
    master: str | None = None  # Spark's master URL: local[2], spark://host:7077, yarn ...

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise InvalidRequest(
                f"no engine {self.engine!r}: embedded or spark", code="unknown_engine"
            )
        if self.master is not None and self.engine != "spark":
            raise InvalidRequest("--master goes with --engine spark", code="master_without_spark")

    @property
    def embedded(self) -> bool:
        return self.engine == "embedded"

    def make(self) -> BatchEngine:
        from cadenza.batch.engines import make_engine

        return make_engine(self.engine, self.master)


@contextmanager
def counts_over(
    app: App, engine: BatchEngine, since: datetime, until: datetime, first: datetime | None = None
) -> Iterator[ArchiveCounts]:
    """The archive from `first` (else `since`) to `until`, on `engine`, with the side tables
    for plays started in [since, until)."""
    from cadenza.batch.month import ArchiveCounts, archive_days

    app.settings.work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=app.settings.work_dir, prefix="batch-"))
    with app.uow() as uow:
        first_event = uow.event_archive.first_event_at()
    begin = max(first or since, first_event) if first_event is not None else until
    try:
        days = archive_days(begin, until)
        files = [_day_file(app, day, folder) for day in days]
        with app.uow() as uow:
            side: dict[str, Rows] = {
                "accounts": uow.batch_inputs.account_countries(),
                "set_aside": uow.batch_inputs.set_aside(first or since, until),
                "track_owners": uow.batch_inputs.track_owners(),
            }
        found = [(f, day) for f, day in zip(files, days, strict=True) if f is not None]
        yield ArchiveCounts(engine, [f for f, _ in found], side, [day for _, day in found])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _day_file(app: App, day: date, folder: Path) -> Path | None:
    """The day's archived file where the blob store has it on disk, else a copy in `folder`;
    a day not archived yet (today) written into `folder`; None for a day still to come."""
    if day > app.clock.now().date():
        return None
    archived = app.event_archive.archived(day)
    if archived is None:
        return app.event_archive.export_day(day, folder)
    digest = archived[0]
    local = app.blobs.local_path(digest)
    if local is not None:
        return local
    copy = folder / f"listening-{day.isoformat()}.parquet"
    with app.blobs.open(digest) as source, copy.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    return copy


def close_royalties(
    app: App, month: str, engine: BatchEngine, step: Step | None = None
) -> MonthClose:
    """`cadenza royalties close MONTH --engine spark`: the month's streams counted over the
    archive (the 12 months before it for eligibility), then the close as always."""
    month = rules_.parse_month(month)
    year_start = rules_.month_bounds(rules_.trailing_months(month)[-1])[0]
    end = rules_.month_bounds(month)[1]

    def counted(
        m: str,
    ) -> tuple[list[rules_.ListenerStreams], dict[str, int], dict[int, int]]:
        with counts_over(app, engine, year_start, end) as counts:
            return counts.month(m)

    return app.royalties.close(month, step, counted)


def roll_up_popularity(app: App, engine: BatchEngine) -> int:
    """The search popularity rollup (the last 28 days' counted streams per entry and
    country) counted over the archive, stored and ranked as the embedded job's."""
    now = app.clock.now()
    since = now - POPULAR_WINDOW
    with counts_over(app, engine, since, now) as counts:
        rows = counts.popularity(since, now)
    return app.search.replace_popularity(rows)


def rebuild_artist_stats(app: App, engine: BatchEngine) -> int:
    """The artists' statistics rebuilt from the whole archive: the counted streams per artist,
    day, listener, track, market and source counted by the engine, rolled up by the embedded
    job's own code (services/artist_stats.py) with each listener's city, gender and age from
    the database, stored in place of the figures; the plays until now marked rolled up. A
    stream's country is its play's market, else the listener's country now (the roll-up's
    COALESCE(plays.country, users.country)); its source the play's (None: "other")."""
    from cadenza.ports.artist_stats import StreamToRoll

    until = app.clock.now()
    since = datetime(1970, 1, 1, tzinfo=UTC)
    with counts_over(app, engine, since, until) as counts:
        rows = counts.artist_streams(since, until)
    with app.uow() as uow:
        who = {
            u: (country, city, gender, born)
            for u, country, city, gender, born in uow.batch_inputs.listeners()
        }

    def streams() -> Iterator[StreamToRoll]:
        for row in rows:
            known = who.get(row.account)
            if known is None:  # the account was deleted since: its plays went with it
                continue
            country, city, gender, born = known
            market = country if row.market is None else row.market
            stream = StreamToRoll(
                -1,
                row.artist,
                row.account,
                row.track,
                datetime.combine(row.day, time(), UTC),
                market.upper()[:2],
                row.source,
                city,
                gender,
                born,
            )
            for _ in range(row.streams):
                yield stream

    return app.artist_stats.rebuild(streams(), until).streams


# job name -> its run on an engine over the archive
ON_ARCHIVE: dict[str, Callable[[App, BatchEngine], str]] = {
    "search-popularity": lambda app, engine: (
        f"rolled up popularity over the archive on {engine.name}: "
        f"{roll_up_popularity(app, engine)} rows (entries by country)"
    ),
    "artist-stats": lambda app, engine: (
        f"rebuilt the artists' statistics over the archive on {engine.name}: "
        f"{rebuild_artist_stats(app, engine)} streams (once per artist of the track)"
    ),
    "recs-train": lambda app, engine: _trained_on(app, engine),
}


def _trained_on(app: App, engine: BatchEngine) -> str:
    from cadenza.jobs.recs_on_archive import train_on_spark

    done = train_on_spark(app, engine)
    return (
        f"trained recommendations {done.version} on {engine.name}: {done.listeners} listeners, "
        f"{done.tracks} tracks, {done.counted_plays} counted plays, {done.seconds} s"
    )
