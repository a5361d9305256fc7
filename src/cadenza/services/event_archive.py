"""The listening events of each day (UTC, by the event's time) as one Parquet file on the blob
store, the batch jobs' input: `archive_day` writes a day (again: replaced), `roll` writes each
whole day not archived yet, from the first event on. The events come from the database, where
the counting (in the request, or the event stream's `counting` consumer) keeps each exactly
once, so a day's file holds each event once however often it is written. An offline play may
arrive up to 30 days late (a device keeps its events until it checks in): `roll` writes a day
of the last LATE_DAYS again when the database holds another number of its events than its
file (late events arrived, or a closed account's went)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from cadenza.ports.blobs import BlobStore
from cadenza.ports.clock import Clock
from cadenza.ports.event_archive import EventFiles, StoredEvent
from cadenza.ports.unit_of_work import UnitOfWork

PAGE = 10_000  # events read and written at once
ROLL_AFTER = timedelta(hours=2)  # a day is rolled once this much of the next has passed
LATE_DAYS = 30  # the days `roll` checks again for events that arrived late


@dataclass(frozen=True)
class Archived:
    day: date
    events: int
    digest: str


class EventArchive:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        blobs: BlobStore,
        files: EventFiles,
        work_dir: Path,
    ) -> None:
        self.uow, self.clock, self.blobs, self.files = uow, clock, blobs, files
        self.work_dir = work_dir

    def count(self, day: date) -> int:
        start, end = _bounds(day)
        with self.uow() as uow:
            return uow.event_archive.count_between(start, end)

    def archive_day(self, day: date, advance: Callable[[int], None] | None = None) -> Archived:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.work_dir, prefix="archive-") as folder:
            path = Path(folder) / f"listening-{day.isoformat()}.parquet"
            events = self.files.write(path, self._pages(day, advance))
            stored = self.blobs.put_file(path)
        with self.uow() as uow:
            uow.event_archive.save(day, stored.digest, events, self.clock.now())
            uow.commit()
        return Archived(day, events, stored.digest)

    def export_day(self, day: date, folder: Path) -> Path:
        """The day's events so far as a Parquet file in `folder`, neither stored nor indexed
        (a batch job's input for a day not archived yet: today)."""
        path = folder / f"listening-{day.isoformat()}.parquet"
        self.files.write(path, self._pages(day, None))
        return path

    def archived(self, day: date) -> tuple[str, int] | None:
        with self.uow() as uow:
            return uow.event_archive.archived(day)

    def roll(self) -> list[Archived]:
        """Every whole day since the first event that has no file yet, and each of the last
        LATE_DAYS whose file no longer holds the number of events the database has."""
        with self.uow() as uow:
            first = uow.event_archive.first_event_at()
            if first is None:
                return []
            done = uow.event_archive.archived_days(first.date())
        last = (self.clock.now() - ROLL_AFTER).date() - timedelta(days=1)
        recheck_from = last - timedelta(days=LATE_DAYS)
        rolled = []
        day = first.astimezone(UTC).date()
        while day <= last:
            if day not in done or (day > recheck_from and self.count(day) != done[day]):
                rolled.append(self.archive_day(day))
            day += timedelta(days=1)
        return rolled

    def _pages(
        self, day: date, advance: Callable[[int], None] | None
    ) -> Iterator[list[StoredEvent]]:
        start, end = _bounds(day)
        after = 0
        while True:
            with self.uow() as uow:
                page = uow.event_archive.events_between(start, end, after, PAGE)
            if not page:
                return
            yield page
            if advance is not None:
                advance(len(page))
            after = page[-1].id


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)
