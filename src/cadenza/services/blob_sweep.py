"""The orphan sweep: audio, covers, creatives and artist images written to the blob store but never committed
(an ingest or an upload killed between storing its files and publishing them) take disk space
that nothing refers to. The sweep removes a blob only when no row refers to it and it was
stored longer ago than the grace period, so an ingest running meanwhile, whose rows are not
committed yet, keeps its files (storing bytes that are there already renews their time)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from cadenza.ports.blobs import BlobStore
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

BATCH = 500  # blobs looked up per database read


@dataclass(frozen=True)
class SweepReport:
    examined: int  # blobs in the store
    removed: int  # orphans older than the grace period, removed
    freed_bytes: int
    kept_young: int  # orphans still within the grace period (perhaps an ingest's, running)
    stale_writes: int  # half-written files of killed writes, removed


class BlobSweep:
    def __init__(
        self, uow: Callable[[], UnitOfWork], blobs: BlobStore, clock: Clock, grace: timedelta
    ) -> None:
        self.uow, self.blobs, self.clock, self.grace = uow, blobs, clock, grace

    def total(self) -> int:
        """How many blobs a sweep looks at (for a progress bar)."""
        return sum(1 for _ in self.blobs.digests())

    def sweep(self, progress: Callable[[int], None] | None = None) -> SweepReport:
        before = self.clock.now() - self.grace
        examined = removed = freed = young = 0
        for batch in _batches(self.blobs.digests(), BATCH):
            examined += len(batch)
            with self.uow() as uow:
                in_use = (
                    uow.catalog.blobs_in_use(batch)
                    | uow.ads.blobs_in_use(batch)
                    | uow.artist_pages.blobs_in_use(batch)
                    | uow.rooms.blobs_in_use(batch)
                    | uow.podcasts.blobs_in_use(batch)
                )
            for digest in batch:
                if digest in in_use:
                    continue
                # Read after the rows: bytes stored again meanwhile carry a new time.
                age = self.blobs.age(digest)
                if age is None:
                    continue
                if age.stored_at >= before:
                    young += 1
                    continue
                self.blobs.delete(digest)
                removed += 1
                freed += age.size
            if progress is not None:
                progress(len(batch))
        stale = self.blobs.remove_stale_writes(before)
        return SweepReport(examined, removed, freed, young, stale)


def _batches(digests: Iterator[str], size: int) -> Iterator[list[str]]:
    while batch := list(islice(digests, size)):
        yield batch
