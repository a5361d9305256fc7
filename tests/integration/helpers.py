"""Small helpers for ingest tests: run an ingest, count what the data dir and database hold."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from cadenza.adapters.db.models import AudioFileRow, ReleaseRow, TrackRow
from cadenza.bootstrap import App
from cadenza.ingest.delivery import ingest_delivery
from cadenza.ingest.library import LibraryIngest, LibraryReport
from cadenza.ingest.pipeline import IngestedRelease


def deliver(app: App, path: Path, *, strict_cover: bool = False) -> IngestedRelease:
    return ingest_delivery(
        app.ingest_tools(),
        path,
        app.distributor_id("Test Distributor"),
        limits=app.zip_limits,
        strict_cover=strict_cover,
    )


def scan_library(app: App, root: Path) -> LibraryReport:
    library = LibraryIngest(app.ingest_tools(), app.distributor_id("Local library"))
    sources, report = library.plan(root)
    return library.run(sources, report)


def counts(app: App) -> dict[str, int]:
    with app.uow() as uow:
        s = uow.session
        return {
            "releases": s.scalar(select(func.count()).select_from(ReleaseRow)) or 0,
            "tracks": s.scalar(select(func.count()).select_from(TrackRow)) or 0,
            "files": s.scalar(select(func.count()).select_from(AudioFileRow)) or 0,
            "blobs": sum(1 for _ in app.blobs.digests()),
        }


def empty(app: App) -> bool:
    return counts(app) == {"releases": 0, "tracks": 0, "files": 0, "blobs": 0}
