"""Distributors' DDEX batches (ERN 4.3 / 3.8.2), ingested with each message answered.

A batch is applied as it is received (one at a time: its tracks already use every core) and the
answer lists each message's acknowledgement or errors. A takedown a message asks for (a purge, a
deal ended, no deal) goes through the same path as a distributor's own takedown, so it is
recorded in the release's history and the release leaves listeners at once.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from cadenza.domain.deal_windows import DealWindow
from cadenza.domain.events import ReleasePublished
from cadenza.ingest.ddex.batch import Availability, BatchReport, DdexBatch
from cadenza.ingest.pipeline import IngestTools
from cadenza.ingest.source import ZipLimits
from cadenza.services.deal_clock import DealClock
from cadenza.services.messagebus import Publish, unheard
from cadenza.services.takedowns import TakedownBy, Takedowns


class DdexDeliveries:
    def __init__(
        self,
        tools: Callable[[], IngestTools],
        takedowns: Takedowns,
        uploads: Path,
        limits: ZipLimits,
        publish: Publish = unheard,
        deal_clock: DealClock | None = None,
    ) -> None:
        self.tools = tools
        self.takedowns = takedowns
        self.uploads = uploads
        self.limits = limits
        self.publish = publish  # `ReleasePublished`
        self.deal_clock = deal_clock  # keeps each release's deal dates (None: not kept)
        self._lock = threading.Lock()

    def availability(self) -> Availability:
        def take_down(release_id: int, distributor_id: int, reason: str) -> None:
            self.takedowns.take_down(release_id, TakedownBy(distributor=distributor_id), reason)

        def restore(release_id: int, distributor_id: int, reason: str) -> None:
            self.takedowns.restore(release_id, TakedownBy(distributor=distributor_id), reason)

        def schedule(release_id: int, distributor_id: int, windows: list[DealWindow]) -> None:
            if self.deal_clock is None:
                return
            if windows:
                self.deal_clock.schedule(release_id, distributor_id, windows)
            else:
                self.deal_clock.forget(release_id)

        return Availability(take_down, restore, schedule)

    def upload_dir(self) -> Path:
        folder = self.uploads / f"ddex-{uuid.uuid4()}"
        folder.mkdir(parents=True)
        return folder

    def deliver(self, folder: Path, distributor_id: int) -> BatchReport:
        """Ingest the batch uploaded into `folder` (a zip in it, or its files), then remove it."""
        try:
            files = [p for p in folder.iterdir()] if folder.is_dir() else []
            source = files[0] if len(files) == 1 and files[0].suffix.lower() == ".zip" else folder
            with self._lock:
                batch = DdexBatch(
                    self.tools(),
                    distributor_id,
                    self.availability(),
                    limits=self.limits,
                    strict_cover=True,
                )
                report = batch.run(source)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for message in report.messages:
            if message.status == "published" and message.release_id is not None:
                self.publish(ReleasePublished(message.release_id, distributor_id))
        return report
