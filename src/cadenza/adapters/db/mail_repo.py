"""The outgoing mail queue in SQL: rows claimed one at a time, so two workers (or two server
processes) never send the same message twice at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import MailRow
from cadenza.domain.mail import Email
from cadenza.ports.mail import QueuedMail


class SqlMailQueue:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.added = False  # the unit of work wakes the delivery worker after its commit

    def add(self, email: Email, now: datetime) -> None:
        self.s.add(
            MailRow(
                recipient=email.to,
                subject=email.subject[:200],
                text=email.text,
                html=email.html,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        )
        self.added = True

    def due(self, now: datetime, limit: int) -> list[QueuedMail]:
        rows = self.s.scalars(
            select(MailRow)
            .where(
                MailRow.failed_at.is_(None),
                MailRow.next_attempt_at <= now,
                MailRow.claimed_until.is_(None) | (MailRow.claimed_until < now),
            )
            .order_by(MailRow.id)
            .limit(limit)
        )
        return [
            QueuedMail(r.id, Email(r.recipient, r.subject, r.text, r.html), r.attempts)
            for r in rows
        ]

    def claim(self, mail_id: int, now: datetime, until: datetime) -> bool:
        done = self.s.execute(
            update(MailRow)
            .where(
                MailRow.id == mail_id,
                MailRow.failed_at.is_(None),
                MailRow.claimed_until.is_(None) | (MailRow.claimed_until < now),
            )
            .values(claimed_until=until)
        )
        return getattr(done, "rowcount", 0) == 1

    def sent(self, mail_id: int) -> None:
        # Nothing is kept of a sent message: bodies carry reset links and sign-in codes.
        self.s.execute(delete(MailRow).where(MailRow.id == mail_id))

    def retry(self, mail_id: int, at: datetime, error: str) -> None:
        self._failed_try(mail_id, error, next_attempt_at=at)

    def give_up(self, mail_id: int, now: datetime, error: str) -> None:
        # The envelope stays for the operator to see; the body and its secrets go.
        self._failed_try(mail_id, error, failed_at=now, text="", html=None)

    def _failed_try(self, mail_id: int, error: str, **values: object) -> None:
        self.s.execute(
            update(MailRow)
            .where(MailRow.id == mail_id)
            .values(
                attempts=MailRow.attempts + 1, claimed_until=None, last_error=error[:500], **values
            )
        )

    def waiting(self) -> int:
        return int(
            self.s.scalar(
                select(func.count()).select_from(MailRow).where(MailRow.failed_at.is_(None))
            )
            or 0
        )
