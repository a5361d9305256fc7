"""Listening events in, counted streams and the listener's history out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from cadenza.domain.catalog import TrackToPlay, Viewer
from cadenza.domain.entitlements import Listener
from cadenza.domain.events import PlayCounted, TrackFinished
from cadenza.domain.listening import (
    ONLINE_MAX_AGE,
    ListeningEvent,
    PlaySummary,
    event_problem,
    summarise,
)
from cadenza.domain.offline import Download
from cadenza.domain.served_audio import ServedAudio
from cadenza.domain.stream_counts import (
    CACHE_LIFETIME,
    CLOCK_SKEW,
    NotCounted,
    PlayHeard,
    grant_problem,
    overlaps,
)
from cadenza.ports.clock import Clock
from cadenza.ports.event_log import EventLog
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


class _Licences:
    """Offline licences as one batch needs them: the account's download devices, read once."""

    def __init__(self, uow: UnitOfWork, account_id: int) -> None:
        self.uow, self.account_id = uow, account_id
        self._devices = uow.offline.devices(account_id)
        self._downloads: dict[tuple[int, int], Download | None] = {}

    def allow(self, device: str, track_id: int, at: datetime) -> bool:
        """Whether the track was downloaded to this download device (its id or name) before
        `at`, its licence not revoked by then."""
        for d in self._devices:
            if device not in (str(d.id), d.name) or d.registered_at > at:
                continue
            if d.revoked_at is not None and d.revoked_at <= at:
                continue
            key = (d.id, track_id)
            if key not in self._downloads:  # a backlog of offline plays: one read per track
                self._downloads[key] = self.uow.offline.download(d.id, track_id)
            download = self._downloads[key]
            if download is not None and download.added_at <= at:
                return True
        return False


class ListeningService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        publish: Publish = unheard,
        *,
        listener: Callable[[int], Listener] | None = None,
        served: ServedAudio | None = None,
        imported_history: bool = False,
        log: EventLog | None = None,
    ) -> None:
        self.uow, self.clock, self.publish = uow, clock, publish
        # History the operator imports (the demo's past weeks, another service's export): no
        # grant was ever issued for it, so only the rules of playability and overlap apply, and
        # it is accepted up to 30 days late. Never the service the events API uses.
        self.imported_history = imported_history
        self.listener = listener  # the listener's market (plays.country) and territory
        self.served = served  # audio this process sent and has not yet written
        # The durable event stream (CADENZA_NATS_URL): `record` stores the events there and
        # the counting consumer calls `count`. None: `record` counts at once (one process).
        self.log = log

    def record(self, account_id: int, events: list[ListeningEvent]) -> EventReport:
        """Accept a batch: counted at once, or with the event stream, stored there before the
        answer (services/listening_stream.py) and counted by its consumer."""
        if self.log is None:
            return self.count(account_id, events)
        from cadenza.services.listening_stream import append_events

        return append_events(self.log, self.clock.now(), account_id, events)

    def count(self, account_id: int, events: list[ListeningEvent]) -> EventReport:
        """Accept a batch in one transaction: committed before the answer, so an accepted event
        survives a crash right after it. A resent event (same client id) is a duplicate. Each
        play touched gets its verdict at once (domain/stream_counts.py): counted, or kept with
        the reason it is not."""
        now, arrived = self.clock.now(), time.monotonic()
        report = EventReport()
        who = self.listener(account_id) if self.listener is not None else None
        with self.uow() as uow:
            uow.listening.lock_listener(account_id)  # one account's verdicts one at a time
            known = uow.listening.known_tracks({e.track_id for e in events})
            licences = _Licences(uow, account_id)
            touched: dict[str, ListeningEvent] = {}
            sources = {e.play_id: e.source for e in events if e.source is not None}
            for event in events:
                problem = event_problem(event, now)
                if problem is None and event.track_id not in known:
                    problem = "unknown_track"
                if (
                    problem is None
                    and not self.imported_history
                    and event.at < now - ONLINE_MAX_AGE
                    and not licences.allow(event.device, event.track_id, event.at)
                ):
                    problem = "online_event_too_old"  # only offline plays come this late
                if problem is not None:
                    report.rejected.append((event.client_id, problem))
                elif uow.listening.add_event(account_id, event, now):
                    report.accepted += 1
                    touched.setdefault(event.play_id, event)
                else:
                    report.duplicates += 1
            self._write_served(uow, account_id, {e.track_id for e in touched.values()})
            tracks = {t.id: t for t in uow.catalog.tracks_to_play(sorted(known)) if t.id in known}
            for play_id, first in sorted(touched.items(), key=lambda p: (p[1].at, p[0])):
                uow.listening.lock_play(account_id, play_id, first.track_id, first.device, first.at)
                play_events = uow.listening.play_events(account_id, play_id)
                summary = replace(summarise(play_events), source=sources.get(play_id))
                reason = self._verdict(
                    uow,
                    account_id,
                    play_id,
                    summary,
                    who,
                    tracks.get(summary.track_id),
                    licences,
                    arrived,
                )
                counted, finished = uow.listening.save_play(
                    account_id,
                    play_id,
                    summary,
                    reason.value if reason is not None else None,
                    who.country if who is not None else None,
                )
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

    def _write_served(self, uow: UnitOfWork, account_id: int, track_ids: set[int]) -> None:
        """The audio this process sent for these tracks, onto their latest grant windows."""
        if self.served is None:
            return
        for track_id in sorted(track_ids):
            if sent := self.served.take(account_id, track_id):
                uow.grant_log.add_served(account_id, track_id, sent)

    def _settled(self, uow: UnitOfWork, account_id: int, track_id: int, since: float) -> bool:
        """Before refusing a play as not served on several processes: wait for the others to
        flush the audio they sent before the batch arrived (about a second after `since`, once
        per batch) and write it. True: the windows may have grown, judge again."""
        if self.served is None or not self.served.settle(since):
            return False
        self._write_served(uow, account_id, {track_id})
        return True

    def _verdict(
        self,
        uow: UnitOfWork,
        account_id: int,
        play_id: str,
        summary: PlaySummary,
        who: Listener | None,
        track: TrackToPlay | None,
        licences: _Licences,
        arrived: float,
    ) -> NotCounted | None:
        """Why this play does not count (None: it counts). Made again as its events arrive,
        until it counts. `arrived`: when the batch did (time.monotonic)."""
        if not summary.counted:
            return NotCounted.TOO_SHORT
        heard = PlayHeard(summary.device, summary.started_at, summary.listened_ms)
        if track is None or not _playable(track, who, summary.started_at):
            return NotCounted.NOT_PLAYABLE
        if self.imported_history:
            problem = None
        else:
            problem = self._grant_problem(uow, account_id, summary, heard, track, licences, arrived)
        if problem is not None:
            return problem
        others = uow.listening.counted_between(
            account_id, heard.started_at - CACHE_LIFETIME, heard.heard_until, play_id
        )
        return NotCounted.OVERLAP if overlaps(heard, others) else None

    def _grant_problem(
        self,
        uow: UnitOfWork,
        account_id: int,
        summary: PlaySummary,
        heard: PlayHeard,
        track: TrackToPlay,
        licences: _Licences,
        arrived: float,
    ) -> NotCounted | None:
        windows = uow.grant_log.windows(
            account_id, summary.track_id, summary.started_at - CACHE_LIFETIME - CLOCK_SKEW
        )
        problem = grant_problem(heard, windows, self.clock.now(), track.duration_ms)
        if problem is NotCounted.NOT_SERVED and self._settled(uow, account_id, track.id, arrived):
            windows = uow.grant_log.windows(
                account_id, summary.track_id, summary.started_at - CACHE_LIFETIME - CLOCK_SKEW
            )
            problem = grant_problem(heard, windows, self.clock.now(), track.duration_ms)
        if problem is NotCounted.NO_GRANT and licences.allow(
            summary.device, summary.track_id, summary.started_at
        ):
            problem = None  # played offline, from a download licensed to that device then
        return problem

    def recently_played(self, account_id: int, limit: int, offset: int) -> list[RecentPlay]:
        """The listener's history: what they heard (30 s or more), counted or not."""
        with self.uow() as uow:
            rows = uow.listening.heard(account_id, limit, offset)
        return [RecentPlay(t, at, ms) for t, at, ms in rows]

    def export(self, account_id: int) -> dict[str, object]:
        """Every play, newest first, for "download my data": counted or not, and why not."""
        plays: list[dict[str, object]] = []
        while True:
            with self.uow() as uow:
                page = uow.listening.every_play(account_id, 5000, len(plays))
            if not page:
                break
            plays += [
                {
                    "play_id": p.play_id,
                    "track_id": p.track_id,
                    "played_at": p.played_at.isoformat(),
                    "ms_played": p.listened_ms,
                    "counted": p.counted,
                    "not_counted_reason": p.not_counted_reason,
                    "source": p.source,
                }
                for p in page
            ]
        return {"listening_history": plays}

    def streams(self, track_id: int) -> int:
        with self.uow() as uow:
            return uow.listening.streams(track_id)


def _playable(track: TrackToPlay, who: Listener | None, at: datetime) -> bool:
    """Whether the listener could play the track when the play started: released, in their
    territory, not yet taken down (a takedown since leaves earlier plays playable)."""
    if track.taken_down_at is not None and track.taken_down_at > at:
        track = replace(track, taken_down_at=None)
    country = who.country if who is not None else None
    return track.visible_to(Viewer(country=country, now=at))
