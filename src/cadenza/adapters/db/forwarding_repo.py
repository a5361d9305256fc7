"""Forwarding settings and the outbox of plays on their way to ListenBrainz or Last.fm
(ForwardingRepository)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_history import ScrobbleForwardingRow, ScrobbleOutboxRow
from cadenza.domain.catalog import as_utc
from cadenza.ports.history import Forwarding, OutgoingPlay

WAITING, SENT, FAILED = "waiting", "sent", "failed"


class SqlForwarding:
    def __init__(self, session: Session) -> None:
        self.s = session

    def set(self, forwarding: Forwarding) -> None:
        self.delete_setting(forwarding.user_id, forwarding.service)
        self.s.add(
            ScrobbleForwardingRow(
                user_id=forwarding.user_id,
                service=forwarding.service,
                sealed_secret=forwarding.sealed_secret,
                remote_user=forwarding.remote_user,
                created_at=forwarding.created_at,
            )
        )
        self.s.flush()

    def of(self, user_id: int) -> list[Forwarding]:
        rows = self.s.scalars(
            select(ScrobbleForwardingRow)
            .where(ScrobbleForwardingRow.user_id == user_id)
            .order_by(ScrobbleForwardingRow.service)
        )
        return [_forwarding(r) for r in rows]

    def get(self, user_id: int, service: str) -> Forwarding | None:
        row = self.s.get(ScrobbleForwardingRow, (user_id, service))
        return _forwarding(row) if row is not None else None

    def delete_setting(self, user_id: int, service: str) -> bool:
        gone = self.s.execute(
            delete(ScrobbleForwardingRow).where(
                ScrobbleForwardingRow.user_id == user_id, ScrobbleForwardingRow.service == service
            )
        )
        return bool(getattr(gone, "rowcount", 0))

    def delete(self, user_id: int, service: str) -> bool:
        self.s.execute(
            delete(ScrobbleOutboxRow).where(
                ScrobbleOutboxRow.user_id == user_id,
                ScrobbleOutboxRow.service == service,
                ScrobbleOutboxRow.status == WAITING,
            )
        )
        return self.delete_setting(user_id, service)

    def enqueue(self, play: OutgoingPlay, at: datetime) -> None:
        self.s.add(
            ScrobbleOutboxRow(
                user_id=play.user_id,
                service=play.service,
                artist=play.artist[:1000],
                title=play.title[:1000],
                album=play.album[:1000],
                duration_ms=play.duration_ms,
                played_at=play.played_at,
                status=WAITING,
                attempts=0,
                next_attempt_at=at,
            )
        )

    def due(self, at: datetime, limit: int) -> list[OutgoingPlay]:
        rows = self.s.scalars(
            select(ScrobbleOutboxRow)
            .where(ScrobbleOutboxRow.status == WAITING, ScrobbleOutboxRow.next_attempt_at <= at)
            .order_by(ScrobbleOutboxRow.next_attempt_at, ScrobbleOutboxRow.id)
            .limit(limit)
        )
        return [
            OutgoingPlay(
                id=r.id,
                user_id=r.user_id,
                service=r.service,
                artist=r.artist,
                title=r.title,
                album=r.album,
                duration_ms=r.duration_ms,
                played_at=as_utc(r.played_at),
                attempts=r.attempts,
            )
            for r in rows
        ]

    def claim(self, play_id: int, at: datetime, until: datetime) -> bool:
        """Take the play for one attempt (its next attempt moved to `until`): another worker
        that read it as due gets False."""
        done = self.s.execute(
            update(ScrobbleOutboxRow)
            .where(
                ScrobbleOutboxRow.id == play_id,
                ScrobbleOutboxRow.status == WAITING,
                ScrobbleOutboxRow.next_attempt_at <= at,
            )
            .values(next_attempt_at=until)
        )
        return bool(getattr(done, "rowcount", 0))

    def sent(self, play_id: int) -> None:
        self.s.execute(delete(ScrobbleOutboxRow).where(ScrobbleOutboxRow.id == play_id))

    def retry(self, play_id: int, at: datetime, error: str) -> None:
        self.s.execute(
            update(ScrobbleOutboxRow)
            .where(ScrobbleOutboxRow.id == play_id)
            .values(
                attempts=ScrobbleOutboxRow.attempts + 1, next_attempt_at=at, last_error=error[:200]
            )
        )

    def give_up(self, play_id: int, error: str) -> None:
        self.s.execute(
            update(ScrobbleOutboxRow)
            .where(ScrobbleOutboxRow.id == play_id)
            .values(status=FAILED, attempts=ScrobbleOutboxRow.attempts + 1, last_error=error[:200])
        )

    def waiting(self, user_id: int) -> int:
        return int(
            self.s.scalar(
                select(func.count()).where(
                    ScrobbleOutboxRow.user_id == user_id, ScrobbleOutboxRow.status == WAITING
                )
            )
            or 0
        )


def _forwarding(row: ScrobbleForwardingRow) -> Forwarding:
    return Forwarding(
        row.user_id, row.service, row.sealed_secret, row.remote_user, as_utc(row.created_at)
    )
