"""A room's recording being published as an episode, in the background (like a distributor's
delivery): its state survives a restart, and the room's page polls it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

UNFINISHED = ("queued", "processing")


@dataclass
class RoomEpisodeJob:
    id: str
    room_id: int
    show_id: int
    account_id: int
    title: str
    notes: str
    status: str  # queued | processing | published | failed
    stage: str | None = None  # copy | encode | list
    progress: float = 0.0
    episode_id: int | None = None
    error_code: str | None = None
    error_message: str | None = None


class RoomEpisodeJobRepository(Protocol):
    def add(self, job: RoomEpisodeJob) -> bool:
        """False when the room already has one for that show (nothing added)."""
        ...

    def get(self, job_id: str) -> RoomEpisodeJob | None: ...

    def of(self, room_id: int, show_id: int) -> RoomEpisodeJob | None: ...

    def update(self, job: RoomEpisodeJob) -> None: ...

    def unfinished(self) -> list[RoomEpisodeJob]: ...
