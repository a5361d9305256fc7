"""Distributors' uploads, ingested in the background with a status to poll."""

from __future__ import annotations

import logging
import shutil
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from cadenza.domain.errors import CadenzaError, NotFound
from cadenza.domain.events import ReleasePublished
from cadenza.ingest.delivery import ingest_delivery
from cadenza.ingest.pipeline import IngestTools
from cadenza.ingest.source import ZipLimits
from cadenza.ports.deliveries import Delivery
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.messagebus import Publish, unheard

log = logging.getLogger(__name__)


class DeliveryService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        tools: Callable[[], IngestTools],
        uploads: Path,
        limits: ZipLimits,
        publish: Publish = unheard,
    ) -> None:
        self.uow = uow
        self.tools = tools
        self.uploads = uploads
        self.limits = limits
        self.publish = publish  # `ReleasePublished`
        # One delivery at a time: its tracks already use every core.
        self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="delivery")
        self._lock = threading.Lock()
        self._submitted: set[str] = set()  # queued by this process: already in its runner

    def upload_dir(self) -> tuple[str, Path]:
        """A fresh folder for an upload's files, named by the delivery id it will get."""
        delivery_id = str(uuid.uuid4())
        folder = self.uploads / delivery_id
        folder.mkdir(parents=True)
        return delivery_id, folder

    def submit(self, delivery_id: str, distributor_id: int) -> Delivery:
        delivery = Delivery(id=delivery_id, distributor_id=distributor_id, status="queued")
        with self.uow() as uow:
            uow.deliveries.add(delivery)
            uow.commit()
        with self._lock:
            self._submitted.add(delivery.id)
        self._runner.submit(self._process, replace(delivery))  # the worker's own copy
        return delivery

    def status(self, delivery_id: str, distributor_id: int) -> Delivery:
        with self.uow() as uow:
            delivery = uow.deliveries.get(delivery_id)
        if delivery is None or delivery.distributor_id != distributor_id:
            raise NotFound(f"no delivery {delivery_id}")
        return delivery

    def resume_unfinished(self, server_started: datetime | None = None) -> int:
        """After a restart, deliveries that were queued or processing run again: those a
        stopped process left (received before `server_started`), never one this process or
        another of this server's took meanwhile (a server answers uploads while its
        background work is starting)."""
        with self.uow() as uow:
            unfinished = uow.deliveries.unfinished(server_started)
        with self._lock:
            pending = [d for d in unfinished if d.id not in self._submitted]
        for delivery in pending:
            self._runner.submit(self._process, delivery)
        return len(pending)

    def in_line(self, work: Callable[[], None]) -> None:
        """Other ingest work in the same background line, one at a time after the
        deliveries before it (a room's recording published as an episode)."""
        self._runner.submit(work)

    def close(self) -> None:
        self._runner.shutdown(wait=False, cancel_futures=True)

    def _process(self, delivery: Delivery) -> None:
        folder = self.uploads / delivery.id
        source = _single_zip(folder) or folder
        tracks_done = {"total": 0, "done": 0}

        def started(total: int) -> None:
            tracks_done["total"] = total
            self._save(delivery, status="processing", stage="transcode")

        def advanced(n: int) -> None:
            tracks_done["done"] += n
            progress = tracks_done["done"] / max(tracks_done["total"], 1)
            self._save(delivery, progress=round(progress * 0.95, 3))

        self._save(delivery, status="processing", stage="read")
        try:
            result = ingest_delivery(
                self.tools(),
                source,
                delivery.distributor_id,
                limits=self.limits,
                strict_cover=True,
                progress=advanced,
                on_start=started,
            )
        except CadenzaError as exc:
            self._save(
                delivery,
                status="failed",
                stage=None,
                error_code=exc.code,
                error_message=exc.message,
                error_file=exc.file,
            )
        except Exception as exc:  # never leave a delivery 'processing' forever
            self._save(
                delivery, status="failed", error_code="internal", error_message=type(exc).__name__
            )
            raise
        else:
            self._save(
                delivery,
                status="published",
                stage=None,
                progress=1.0,
                release_id=result.release_id,
                track_ids=result.track_ids,
            )
            self.publish(ReleasePublished(result.release_id, delivery.distributor_id))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _save(self, delivery: Delivery, **changes: object) -> None:
        for name, value in changes.items():
            setattr(delivery, name, value)
        with self._lock, self.uow() as uow:
            uow.deliveries.update(delivery)
            uow.commit()


def _single_zip(folder: Path) -> Path | None:
    files = list(folder.iterdir()) if folder.is_dir() else []
    if len(files) == 1 and files[0].suffix.lower() == ".zip":
        return files[0]
    return None
