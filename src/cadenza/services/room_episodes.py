"""A room's recording published as an episode of its host's hosted show, in one click: the
WAV the room left goes through the same ingest as an uploaded episode (checked, loudness
measured, put on the Opus ladder), in the background like a distributor's delivery (the same
line of ingest work, one at a time), with a job the room's page polls. Only the host
publishes, only to a show of their own, and a recording becomes one episode per show: one job
per room and show (a second click answers with it), and the episode's guid names the room.
A failed job clicked again runs again, with the title and notes of the new click; so does a
published one whose episode has since been deleted (the recording is published anew).
The episode is added only once its audio is playable, so nothing half-made is ever listed; a
server stopped mid-publish runs the job again at its next start, and a job that cannot finish
fails with a stable code (`error.code`) and no episode."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from cadenza.domain.errors import CadenzaError, NotFound
from cadenza.domain.podcasts import Episode
from cadenza.domain.rooms import RoomForbidden, RoomState
from cadenza.ports.blobs import BlobStore
from cadenza.ports.room_episode_jobs import UNFINISHED, RoomEpisodeJob
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.podcast_hosting import PodcastHosting
from cadenza.services.rooms import Rooms

log = logging.getLogger(__name__)

COPY_CHUNK = 1 << 20
FAILED = "room_episode_failed"  # the code of a failure that is not a refusal of the recording
# How far a job is at the start of each stage (the encoding is one step of the ingest's pool).
PROGRESS = {"copy": 0.05, "encode": 0.15, "list": 0.9}


def room_guid(room_id: int) -> str:
    return f"cadenza-room-{room_id}"


class RoomEpisodes:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        rooms: Rooms,
        hosting: PodcastHosting,
        blobs: BlobStore,
        work_dir: Path,
        in_line: Callable[[Callable[[], None]], None],
    ) -> None:
        self.uow, self.rooms, self.hosting, self.blobs = uow, rooms, hosting, blobs
        self.work_dir = work_dir
        self.in_line = in_line  # the ingest's background line (the deliveries' worker)
        self._lock = threading.Lock()

    def publish(
        self, account_id: int, room_id: int, show_id: int, title: str | None, notes: str
    ) -> tuple[RoomEpisodeJob, bool]:
        """The job publishing the recording to the show, and whether it was queued now (False:
        this recording was published, or is being published, there before; a failed one, or a
        published one whose episode was deleted, is tried again with this title and notes)."""
        room = self.rooms.get(room_id)
        if room.host_id != account_id:
            raise RoomForbidden("only the host publishes the recording", code="room_host_only")
        if room.state is not RoomState.ENDED or room.recording is None:
            raise NotFound("this room has no recording (yet)", code="room_recording_not_found")
        self.hosting.owned(account_id, show_id)
        made = RoomEpisodeJob(
            id=str(uuid.uuid4()),
            room_id=room_id,
            show_id=show_id,
            account_id=account_id,
            title=(title or "").strip() or room.title,
            notes=notes or f"Recorded live in the room “{room.title}”.",
            status="queued",
        )
        with self.uow() as uow:
            before = uow.room_episode_jobs.of(room_id, show_id)
        # A published job whose episode is gone (deleted since) publishes anew.
        gone = before is not None and before.status == "published" and self.episode(before) is None
        with self._lock, self.uow() as uow:
            job = uow.room_episode_jobs.of(room_id, show_id)
            if job is None and uow.room_episode_jobs.add(made):
                job, created = made, True
            else:
                job = job or uow.room_episode_jobs.of(room_id, show_id)
                assert job is not None
                created = job.status == "failed" or (
                    gone
                    and before is not None
                    and job.status == "published"
                    and job.episode_id == before.episode_id
                )
                if created:  # tried again, from the start, as this click asks
                    job.status, job.stage, job.progress = "queued", None, 0.0
                    job.error_code = job.error_message = None
                    job.episode_id = None
                    job.title, job.notes = made.title, made.notes
                    uow.room_episode_jobs.update(job)
            uow.commit()
        if created:
            self.in_line(partial(self._run, job.id))
        return job, created

    def job(self, account_id: int, room_id: int, job_id: str) -> RoomEpisodeJob:
        """A publishing job, for the host who started it."""
        with self.uow() as uow:
            job = uow.room_episode_jobs.get(job_id)
        if job is None or job.room_id != room_id or job.account_id != account_id:
            raise NotFound("no such publishing of this room", code="room_episode_job_not_found")
        return job

    def episode(self, job: RoomEpisodeJob) -> Episode | None:
        if job.episode_id is None:
            return None
        return next(
            (
                e
                for e in self.hosting.episodes(job.account_id, job.show_id)
                if e.id == job.episode_id
            ),
            None,
        )

    def resume_unfinished(self) -> int:
        """After a restart, the jobs that were queued or on their way run again (each finds the
        episode a stopped run may have added before it could say so)."""
        with self.uow() as uow:
            pending = uow.room_episode_jobs.unfinished()
        for job in pending:
            self.in_line(partial(self._run, job.id))
        return len(pending)

    def _run(self, job_id: str) -> None:
        with self.uow() as uow:
            found = uow.room_episode_jobs.get(job_id)
        if found is None or found.status not in UNFINISHED:
            return
        job = replace(found)
        try:
            self._save(job, status="processing", stage="copy", progress=PROGRESS["copy"])
            episode = self._published(job)
            if episode is None:
                episode = self._ingest(job)
        except CadenzaError as exc:
            self._fail(job, exc.code, exc.message)
        except Exception as exc:  # never leave a job 'processing' forever
            log.exception("room %s: publishing the recording failed", job.room_id)
            self._fail(job, FAILED, f"the recording could not be published ({type(exc).__name__})")
        else:
            self._save(job, status="published", stage=None, progress=1.0, episode_id=episode.id)

    def _published(self, job: RoomEpisodeJob) -> Episode | None:
        guid = room_guid(job.room_id)
        episodes = self.hosting.episodes(job.account_id, job.show_id)
        return next((e for e in episodes if e.guid == guid), None)

    def _ingest(self, job: RoomEpisodeJob) -> Episode:
        room = self.rooms.get(job.room_id)
        if room.recording is None:
            raise NotFound("this room has no recording", code="room_recording_not_found")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.work_dir) as folder:
            source = Path(folder) / "recording.wav"
            with self.blobs.open(room.recording) as stored, source.open("wb") as out:
                shutil.copyfileobj(stored, out, COPY_CHUNK)
            self._save(job, stage="encode", progress=PROGRESS["encode"])
            return self.hosting.upload_when_ready(
                job.account_id,
                job.show_id,
                source,
                job.title,
                job.notes,
                room_guid(job.room_id),
                lambda stage: self._save(job, stage=stage, progress=PROGRESS[stage]),
            )

    def _fail(self, job: RoomEpisodeJob, code: str, message: str) -> None:
        self._save(job, status="failed", stage=None, error_code=code, error_message=message)

    def _save(self, job: RoomEpisodeJob, **changes: object) -> None:
        for name, value in changes.items():
            setattr(job, name, value)
        with self._lock, self.uow() as uow:
            uow.room_episode_jobs.update(job)
            uow.commit()
