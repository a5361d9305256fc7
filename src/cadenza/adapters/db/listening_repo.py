"""Listening events, plays and stream counts in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, union_all, update
from sqlalchemy.orm import Session

from cadenza.adapters.db import playback_reads
from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import (
    ListeningEventRow,
    PlayerStateRow,
    PlayRow,
    TrackStreamsRow,
)
from cadenza.adapters.db.taste_repo import count_play
from cadenza.domain.catalog import as_utc
from cadenza.domain.listening import (
    COUNTED_AFTER_MS,
    EventKind,
    ListeningEvent,
    PlayExported,
    PlaySummary,
)
from cadenza.domain.stream_counts import NotCounted


class SqlListening:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_event(self, user_id: int, event: ListeningEvent, now: datetime) -> bool:
        """Append an event; False when this client id was accepted before (a resend)."""
        inserted = self.s.execute(
            insert_on_conflict(self.s, ListeningEventRow)
            .values(
                user_id=user_id,
                client_id=event.client_id,
                play_id=event.play_id,
                kind=event.kind.value,
                track_id=event.track_id,
                device=event.device,
                position_ms=event.position_ms,
                seek_to_ms=event.seek_to_ms,
                occurred_at=event.at,
                received_at=now,
            )
            .on_conflict_do_nothing()
            .returning(ListeningEventRow.id)
        ).first()
        return inserted is not None

    def known_tracks(self, track_ids: set[int]) -> set[int]:
        if not track_ids:
            return set()
        return set(self.s.scalars(select(TrackRow.id).where(TrackRow.id.in_(track_ids))))

    def lock_play(
        self, user_id: int, play_id: str, track_id: int, device: str, at: datetime
    ) -> None:
        """Make the play's row if it is new, and hold it until commit: concurrent batches of
        one play's events are summarised one after the other, each seeing the other's events."""
        self.s.execute(
            insert_on_conflict(self.s, PlayRow)
            .values(
                user_id=user_id,
                play_id=play_id,
                track_id=track_id,
                device=device,
                started_at=at,
                listened_ms=0,
                counted=False,
                finished=False,
                skipped=False,
            )
            .on_conflict_do_nothing()
        )
        self.s.execute(
            select(PlayRow.id)
            .where(PlayRow.user_id == user_id, PlayRow.play_id == play_id)
            .with_for_update()
        )

    def play_events(self, user_id: int, play_id: str) -> list[ListeningEvent]:
        rows = self.s.scalars(
            select(ListeningEventRow).where(
                ListeningEventRow.user_id == user_id, ListeningEventRow.play_id == play_id
            )
        )
        return [
            ListeningEvent(
                client_id=r.client_id,
                play_id=r.play_id,
                kind=EventKind(r.kind),
                track_id=r.track_id,
                device=r.device,
                position_ms=r.position_ms,
                at=as_utc(r.occurred_at),
                seek_to_ms=r.seek_to_ms,
            )
            for r in rows
        ]

    def lock_listener(self, user_id: int) -> None:
        """Hold the account's row until commit: its plays' verdicts (overlap) one at a time."""
        self.s.execute(update(UserRow).where(UserRow.id == user_id).values(id=UserRow.id))

    def save_play(
        self,
        user_id: int,
        play_id: str,
        summary: PlaySummary,
        reason: str | None,
        country: str | None,
    ) -> tuple[bool, bool]:
        """Store the play's summary and verdict (`reason`: why it does not count, None when it
        does). Returns (became a counted stream, became finished) by conditional UPDATEs, so
        each happens once ever, whoever sends the events; a counted play stays counted."""
        mine = (PlayRow.user_id == user_id, PlayRow.play_id == play_id)
        self.s.execute(
            update(PlayRow)
            .where(*mine)
            .values(
                started_at=summary.started_at,
                listened_ms=summary.listened_ms,
                skipped=summary.skipped,
                country=country,
            )
        )
        if summary.source is not None:
            self.s.execute(update(PlayRow).where(*mine).values(source=summary.source.value))
        self.s.execute(
            update(PlayRow)
            .where(*mine, PlayRow.counted.is_(False))
            .values(not_counted_reason=reason)
        )
        finished = summary.finished and self._flip(user_id, play_id, PlayRow.finished)
        counted = reason is None and self._flip(user_id, play_id, PlayRow.counted)
        if counted:
            self.s.execute(
                insert_on_conflict(self.s, TrackStreamsRow)
                .values(track_id=summary.track_id, streams=0)
                .on_conflict_do_nothing()
            )
            self.s.execute(
                update(TrackStreamsRow)
                .where(TrackStreamsRow.track_id == summary.track_id)
                .values(streams=TrackStreamsRow.streams + 1)
            )
            count_play(self.s, user_id, summary.track_id, summary.started_at)
        return counted, finished

    def _flip(self, user_id: int, play_id: str, column: Any) -> bool:
        done = self.s.execute(
            update(PlayRow)
            .where(PlayRow.user_id == user_id, PlayRow.play_id == play_id, column.is_(False))
            .values({column.key: True})
        )
        return getattr(done, "rowcount", 0) == 1

    def counted_between(
        self, user_id: int, since: datetime, until: datetime, besides: str
    ) -> list[tuple[datetime, int]]:
        """The account's counted plays (start, ms listened) started in [since, until], but
        `besides` (a play id)."""
        rows = self.s.execute(
            select(PlayRow.started_at, PlayRow.listened_ms).where(
                PlayRow.user_id == user_id,
                PlayRow.counted.is_(True),
                PlayRow.started_at >= since,
                PlayRow.started_at <= until,
                PlayRow.play_id != besides,
            )
        ).all()
        return [(as_utc(at), int(ms)) for at, ms in rows]

    def heard(self, user_id: int, limit: int, offset: int) -> list[tuple[int, datetime, int]]:
        """Plays listened to for 30 s or more, counted or not, and the listener's imported
        history (models_history), newest first."""
        from cadenza.adapters.db.models_history import HistoryPlayRow

        here = select(
            PlayRow.track_id.label("track_id"),
            PlayRow.started_at.label("at"),
            PlayRow.listened_ms.label("ms"),
        ).where(PlayRow.user_id == user_id, PlayRow.listened_ms >= COUNTED_AFTER_MS)
        brought = select(
            HistoryPlayRow.track_id.label("track_id"),
            HistoryPlayRow.played_at.label("at"),
            HistoryPlayRow.listened_ms.label("ms"),
        ).where(HistoryPlayRow.user_id == user_id)
        both = union_all(here, brought).subquery()
        rows = self.s.execute(
            select(both.c.track_id, both.c.at, both.c.ms)
            .order_by(both.c.at.desc(), both.c.track_id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return [(t, as_utc(at), ms) for t, at, ms in rows]

    def every_play(self, user_id: int, limit: int, offset: int) -> list[PlayExported]:
        """Every play, newest first; one the fraud job flagged shows as not counted."""
        rows = self.s.execute(
            select(
                PlayRow.play_id,
                PlayRow.track_id,
                PlayRow.started_at,
                PlayRow.listened_ms,
                PlayRow.counted,
                PlayRow.not_counted_reason,
                PlayRow.flagged_artificial,
                PlayRow.source,
            )
            .where(PlayRow.user_id == user_id)
            .order_by(PlayRow.started_at.desc(), PlayRow.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return [
            PlayExported(
                play_id=p,
                track_id=t,
                played_at=as_utc(at),
                listened_ms=ms,
                counted=bool(counted) and not flagged,
                not_counted_reason=(
                    NotCounted.FLAGGED_ARTIFICIAL.value if counted and flagged else reason
                ),
                source=source,
            )
            for p, t, at, ms, counted, reason, flagged, source in rows
        ]

    def recently_played(
        self, user_id: int, limit: int, offset: int, before: datetime | None = None
    ) -> list[tuple[int, datetime, int]]:
        """Counted plays, newest first: (track, when it started, ms listened)."""
        query = select(PlayRow.track_id, PlayRow.started_at, PlayRow.listened_ms).where(
            PlayRow.user_id == user_id, PlayRow.counted.is_(True)
        )
        if before is not None:
            query = query.where(PlayRow.started_at < before)
        rows = self.s.execute(
            query.order_by(PlayRow.started_at.desc(), PlayRow.id.desc()).limit(limit).offset(offset)
        ).all()
        return [(t, as_utc(at), ms) for t, at, ms in rows]

    def streams(self, track_id: int) -> int:
        found = self.s.scalar(
            select(TrackStreamsRow.streams).where(TrackStreamsRow.track_id == track_id)
        )
        return int(found or 0)

    def streams_of(self, track_ids: list[int]) -> dict[int, int]:
        if not track_ids:
            return {}
        rows = self.s.execute(
            select(TrackStreamsRow.track_id, TrackStreamsRow.streams).where(
                TrackStreamsRow.track_id.in_(track_ids)
            )
        )
        return {int(t): int(n) for t, n in rows}

    # -- the player --------------------------------------------------------------------
    def player_state(self, user_id: int) -> tuple[dict[str, object], int] | None:
        return playback_reads.player_state(self.s, user_id)

    def save_player_state(
        self, user_id: int, state: dict[str, object], version: int, now: datetime
    ) -> bool:
        """Store the state if nobody changed it since `version` was read (0: never stored)."""
        if version == 0:
            inserted = self.s.execute(
                insert_on_conflict(self.s, PlayerStateRow)
                .values(user_id=user_id, state=state, version=1, updated_at=now)
                .on_conflict_do_nothing()
                .returning(PlayerStateRow.user_id)
            ).first()
            return inserted is not None
        return playback_reads.save_player_state(self.s, user_id, state, version, now)
