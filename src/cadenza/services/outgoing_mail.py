"""Delivering the mail queue: account mail is queued in the transaction that decides to send it
(a reset link with its token, an alert with its sign-in), and this worker hands it to the mailer
afterwards. No request waits on the mail server or fails with it, so a reset for a real account
answers exactly as one for an unknown address; a crash loses nothing that was committed.

Delivery is at least once: a message is claimed for a while before it is sent, so a worker that
dies while sending leaves it to be sent again once the claim runs out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from cadenza.domain.mail import Email, mail_retry_delay
from cadenza.ports.clock import Clock
from cadenza.ports.mail import Mailer, QueuedMail
from cadenza.ports.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=2)  # longer than a send may take (the SMTP timeout is 10 s)
POLL_S = 5.0  # the worker also wakes at once when a commit queued mail


class MailDelivery:
    def __init__(
        self, uow: Callable[[], UnitOfWork], mailer: Mailer, clock: Clock, wake: threading.Event
    ) -> None:
        self.uow, self.mailer, self.clock, self.wake = uow, mailer, clock, wake
        self._pass = threading.Lock()  # one delivery pass at a time in this process
        self._stop = threading.Event()  # set once: a stopped worker is never started again
        self._thread: threading.Thread | None = None
        self._running = threading.Lock()  # start and stop from different threads, one at a time

    def deliver_due(self, at: datetime | None = None) -> int:
        """Send every message due by `at` (now); return how many went out. A pass under way in
        the worker is waited for, so afterwards everything due has been tried."""
        sent = 0
        with self._pass:
            now = at or self.clock.now()
            while batch := self._due(now):
                sent += sum(self._deliver(mail, now) for mail in batch)
        return sent

    def waiting(self) -> int:
        with self.uow() as uow:
            return uow.mail.waiting()

    def start(self) -> None:
        """Start the worker (a watcher does it once mail is queued); after `stop`, or when it
        runs already, nothing happens."""
        with self._running:
            if self._thread is None and not self._stop.is_set():
                thread = threading.Thread(target=self._run, name="mail-delivery", daemon=True)
                thread.start()
                self._thread = thread

    def stop(self) -> None:
        """Stop the worker, then send what is due (a server shutting down leaves nothing
        behind that it could send)."""
        with self._running:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            self.wake.set()
            thread.join()
        try:
            self.deliver_due()
        except Exception:  # what is left stays queued for the next start
            log.exception("mail delivery at shutdown failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            self.wake.wait(POLL_S)
            self.wake.clear()
            if self._stop.is_set():
                return
            try:
                self.deliver_due()
            except Exception:  # the database may be away for a moment: try again later
                log.exception("mail delivery pass failed")

    def _due(self, now: datetime) -> list[QueuedMail]:
        with self.uow() as uow:
            batch = uow.mail.due(now, 50)
        claimed = []
        for mail in batch:
            with self.uow() as uow:
                if uow.mail.claim(mail.id, now, now + CLAIM):
                    claimed.append(mail)
                uow.commit()
        return claimed

    def _deliver(self, mail: QueuedMail, now: datetime) -> bool:
        try:
            self.mailer.send(mail.email)
        except Exception as exc:
            error = str(exc) or type(exc).__name__
            delay = mail_retry_delay(mail.attempts + 1)
            with self.uow() as uow:
                if delay is None:
                    uow.mail.give_up(mail.id, now, error)
                    log.error(
                        "mail to %s given up after %d tries: %s",
                        mail.email.to,
                        mail.attempts + 1,
                        error,
                    )
                else:
                    uow.mail.retry(mail.id, now + delay, error)
                    log.warning("mail to %s not sent, retry in %s: %s", mail.email.to, delay, error)
                uow.commit()
            return False
        with self.uow() as uow:
            uow.mail.sent(mail.id)
            uow.commit()
        return True


class QueueMailer:
    """A `Mailer` for services that send outside a transaction of their own: each message goes
    into the mail queue (committed at once) for the delivery worker, so no caller waits on SMTP."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def send(self, email: Email) -> None:
        with self.uow() as uow:
            uow.mail.add(email, self.clock.now())
            uow.commit()
