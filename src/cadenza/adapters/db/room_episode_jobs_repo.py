"""Recordings being published as episodes, in SQL: their state survives a restart."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_room_episodes import RoomEpisodeJobRow
from cadenza.ports.room_episode_jobs import UNFINISHED, RoomEpisodeJob

_FIELDS = [f.name for f in fields(RoomEpisodeJob)]


class SqlRoomEpisodeJobs:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, job: RoomEpisodeJob) -> bool:
        now = datetime.now(UTC)
        try:
            with self.s.begin_nested():  # a click at the same time made it first: keep that one
                self.s.add(RoomEpisodeJobRow(**_columns(job), created_at=now, updated_at=now))
        except IntegrityError:
            return False
        return True

    def get(self, job_id: str) -> RoomEpisodeJob | None:
        row = self.s.get(RoomEpisodeJobRow, job_id)
        return _job(row) if row is not None else None

    def of(self, room_id: int, show_id: int) -> RoomEpisodeJob | None:
        row = self.s.scalar(
            select(RoomEpisodeJobRow).where(
                RoomEpisodeJobRow.room_id == room_id, RoomEpisodeJobRow.show_id == show_id
            )
        )
        return _job(row) if row is not None else None

    def update(self, job: RoomEpisodeJob) -> None:
        row = self.s.get(RoomEpisodeJobRow, job.id)
        if row is None:
            return
        for name, value in _columns(job).items():
            setattr(row, name, value)
        row.updated_at = datetime.now(UTC)
        self.s.flush()

    def unfinished(self) -> list[RoomEpisodeJob]:
        query = select(RoomEpisodeJobRow).where(RoomEpisodeJobRow.status.in_(UNFINISHED))
        return [_job(r) for r in self.s.scalars(query.order_by(RoomEpisodeJobRow.created_at))]


def _columns(job: RoomEpisodeJob) -> dict[str, object]:
    return {name: getattr(job, name) for name in _FIELDS}


def _job(row: RoomEpisodeJobRow) -> RoomEpisodeJob:
    return RoomEpisodeJob(**{name: getattr(row, name) for name in _FIELDS})
