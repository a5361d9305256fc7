"""The listening events of a day as the Parquet archive reads them, and which days are in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredEvent:
    id: int  # the events table's own order
    account_id: int
    client_id: str
    play_id: str
    kind: str
    track_id: int
    device: str
    position_ms: int
    seek_to_ms: int | None
    at: datetime
    received_at: datetime
    # from the event's play (schema 2): where the listener started it, and the country
    # recorded with the play when it was made; None where the play has none (yet)
    source: str | None = None
    market: str | None = None


class EventArchiveRepository(Protocol):
    def events_between(
        self, start: datetime, end: datetime, after_id: int, limit: int
    ) -> list[StoredEvent]:
        """Events whose `at` is in [start, end), by id, those after `after_id`, each with its
        play's source and country (plays.source, plays.country as stored: None where the play
        recorded none, or is not summarised yet)."""
        ...

    def count_between(self, start: datetime, end: datetime) -> int: ...

    def first_event_at(self) -> datetime | None: ...

    def archived_days(self, since: date) -> dict[date, int]:
        """The days archived since then, with the number of events each file holds."""
        ...

    def archived(self, day: date) -> tuple[str, int] | None:
        """The day's archive: (blob digest, events); None when it has none."""
        ...

    def save(self, day: date, digest: str, events: int, now: datetime) -> None:
        """Record (or replace) the day's archive."""
        ...


class EventFiles(Protocol):
    """Writes the archive's files (Parquet), a page of events at a time."""

    def write(self, path: Path, pages: Iterable[list[StoredEvent]]) -> int:
        """Write every page to one file at `path`; how many events."""
        ...
