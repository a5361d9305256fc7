"""Listening events in, counted streams and the listener's history out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cadenza.domain.events import PlayCounted, TrackFinished
from cadenza.domain.listening import ListeningEvent, event_problem, summarise
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.messagebus import Publish, unheard

MAX_EVENTS_PER_BATCH = 500


@dataclass
class EventReport:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (client id, code)
    counted: list[int] = field(default_factory=list)  # tracks whose play just became a stream
    # (track, ms listened, skipped, the track's genres, when the play's last event happened)
    finished: list[tuple[int, int, bool, tuple[str, ...], datetime]] = field(default_factory=list)


EXPORT_PLAYS = (
    10_000_000  # every play: a song every 3 minutes, day and night, for 50 years is 8.8 M
)


@dataclass(frozen=True)
class RecentPlay:
    track_id: int
    played_at: datetime
    listened_ms: int


class ListeningService:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, publish: Publish = unheard
    ) -> None:
        self.uow, self.clock, self.publish = uow, clock, publish

    def record(self, account_id: int, events: list[ListeningEvent]) -> EventReport:
        """Accept a batch in one transaction: committed before the answer, so an accepted event
        survives a crash right after it. A resent event (same client id) is a duplicate."""
        now = self.clock.now()
        report = EventReport()
        with self.uow() as uow:
            known = uow.listening.known_tracks({e.track_id for e in events})
            touched: dict[str, ListeningEvent] = {}
            for event in events:
                problem = event_problem(event, now)
                if problem is None and event.track_id not in known:
                    problem = "unknown_track"
                if problem is not None:
                    report.rejected.append((event.client_id, problem))
                elif uow.listening.add_event(account_id, event, now):
                    report.accepted += 1
                    touched.setdefault(event.play_id, event)
                else:
                    report.duplicates += 1
            for play_id, first in sorted(touched.items()):
                uow.listening.lock_play(account_id, play_id, first.track_id, first.device, first.at)
                play_events = uow.listening.play_events(account_id, play_id)
                summary = summarise(play_events)
                counted, finished = uow.listening.save_play(account_id, play_id, summary)
                if counted:
                    report.counted.append(summary.track_id)
                if finished:
                    track = uow.catalog.track(summary.track_id)
                    genres = track.genres if track else ()
                    ended_at = max(e.at for e in play_events)
                    report.finished.append(
                        (summary.track_id, summary.listened_ms, summary.skipped, genres, ended_at)
                    )
            uow.commit()
        for track_id in report.counted:
            self.publish(PlayCounted(account_id, track_id))
        for track_id, listened_ms, skipped, genres, ended_at in report.finished:
            self.publish(
                TrackFinished(account_id, track_id, listened_ms, skipped, genres, ended_at)
            )
        return report

    def recently_played(self, account_id: int, limit: int, offset: int) -> list[RecentPlay]:
        with self.uow() as uow:
            rows = uow.listening.recently_played(account_id, limit, offset)
        return [RecentPlay(t, at, ms) for t, at, ms in rows]

    def export(self, account_id: int) -> dict[str, object]:
        """Every counted play, newest first, for "download my data"."""
        plays: list[dict[str, object]] = []
        while page := self.recently_played(account_id, 5000, len(plays)):
            plays += [
                {
                    "track_id": p.track_id,
                    "played_at": p.played_at.isoformat(),
                    "ms_played": p.listened_ms,
                }
                for p in page
            ]
        return {"listening_history": plays}

    def streams(self, track_id: int) -> int:
        with self.uow() as uow:
            return uow.listening.streams(track_id)
