"""Outgoing mail: the queue that survives a restart, and the delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cadenza.domain.mail import Email


@dataclass(frozen=True)
class QueuedMail:
    id: int
    email: Email
    attempts: int


class MailQueue(Protocol):
    def add(self, email: Email, now: datetime) -> None:
        """Queue a message; it goes out after the transaction commits."""
        ...

    def due(self, now: datetime, limit: int) -> list[QueuedMail]: ...

    def claim(self, mail_id: int, now: datetime, until: datetime) -> bool:
        """Take a due message for delivery; False if another worker has it."""
        ...

    def sent(self, mail_id: int) -> None: ...

    def retry(self, mail_id: int, at: datetime, error: str) -> None: ...

    def give_up(self, mail_id: int, now: datetime, error: str) -> None: ...

    def waiting(self) -> int:
        """Messages not yet sent and not given up on."""
        ...


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...
