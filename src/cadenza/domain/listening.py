"""Listening events and the rule that turns a play into a counted stream.

A client reports what happened to one play (a `play_id` it makes when a track starts): start,
progress heartbeats, pause, resume, seek, skip, end, each with the playback position at that
moment and the client's clock. Time listened is the position's advance while playing, never
more than the clock's: seeking forward adds nothing, and a play counts at 30 seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

COUNTED_AFTER_MS = 30_000
MAX_EVENT_AGE = timedelta(days=30)  # offline plays are accepted this late
# Online plays (on a stream grant) this late: a player that lost its connection keeps its events
# and sends them when it is back, within a day; a grant-backed play older than that is refused,
# so grants and served bytes need be kept only briefly and a month's counts settle quickly.
ONLINE_MAX_AGE = timedelta(hours=24)
MAX_CLOCK_AHEAD = timedelta(minutes=5)
CLOCK_SLACK_MS = 1_000  # a heartbeat's position may run a little ahead of the clock


class PlaySource(StrEnum):
    """Where the listener started a play (the start event says; artists' statistics)."""

    ARTIST = "artist"
    RELEASE = "release"
    OWN_PLAYLIST = "own_playlist"
    EDITORIAL = "editorial"
    ALGORITHMIC = "algorithmic"
    SEARCH = "search"
    LIBRARY = "library"
    OTHER = "other"


class EventKind(StrEnum):
    START = "start"
    PROGRESS = "progress"
    PAUSE = "pause"
    RESUME = "resume"
    SEEK = "seek"
    SKIP = "skip"
    END = "end"


_STARTS_PLAYING = {EventKind.START, EventKind.RESUME, EventKind.SEEK, EventKind.PROGRESS}
_FINISHES = {EventKind.SKIP, EventKind.END}


@dataclass(frozen=True)
class ListeningEvent:
    client_id: str  # the client's id for this event: the same id twice is one event
    play_id: str
    kind: EventKind
    track_id: int
    device: str
    position_ms: int  # where playback was when this happened (a seek: where it left from)
    at: datetime  # the client's clock
    seek_to_ms: int | None = None  # a seek: where it went
    source: PlaySource | None = None  # a start: where the listener started it


def event_problem(event: ListeningEvent, now: datetime) -> str | None:
    """Why an event cannot be accepted (a stable code), or None."""
    if event.at < now - MAX_EVENT_AGE:
        return "event_too_old"
    if event.at > now + MAX_CLOCK_AHEAD:
        return "event_in_the_future"
    if event.position_ms < 0 or (event.seek_to_ms is not None and event.seek_to_ms < 0):
        return "invalid_position"
    if event.kind is EventKind.SEEK and event.seek_to_ms is None:
        return "seek_without_target"
    return None


@dataclass(frozen=True)
class PlaySummary:
    track_id: int
    started_at: datetime
    listened_ms: int
    finished: bool
    skipped: bool
    device: str = ""
    source: PlaySource | None = None

    @property
    def counted(self) -> bool:
        return self.listened_ms >= COUNTED_AFTER_MS


@dataclass(frozen=True)
class PlayExported:
    """One play in the listener's data export."""

    play_id: str
    track_id: int
    played_at: datetime
    listened_ms: int
    counted: bool
    not_counted_reason: str | None
    source: str | None = None


def summarise(events: list[ListeningEvent]) -> PlaySummary:
    """One play from its events, in any order of arrival (sorted here by the client's clock)."""
    ordered = sorted(events, key=lambda e: (e.at, e.position_ms))
    listened = 0
    playing_from: tuple[int, datetime] | None = None  # (position, when) playback last ran from
    for event in ordered:
        if playing_from is not None:
            start_position, since = playing_from
            wall_ms = (event.at - since).total_seconds() * 1000 + CLOCK_SLACK_MS
            listened += int(max(0, min(event.position_ms - start_position, wall_ms)))
            playing_from = None
        if event.kind in _STARTS_PLAYING:
            resume_at = event.seek_to_ms if event.kind is EventKind.SEEK else event.position_ms
            playing_from = (resume_at or 0, event.at)
    first = ordered[0]
    return PlaySummary(
        track_id=first.track_id,
        started_at=first.at,
        listened_ms=listened,
        finished=any(e.kind in _FINISHES for e in ordered),
        skipped=any(e.kind is EventKind.SKIP for e in ordered),
        device=first.device,
        source=next((e.source for e in ordered if e.source is not None), None),
    )
