"""Stream tickets: a browser's EventSource cannot send an Authorization header, so a device
trades its access token (in a header) for a ticket that opens its own event stream only, once,
within a minute. The access token itself never appears in a URL, where logs and history keep
it; a ticket that a log or a history did keep opens nothing once used. Each ticket carries a
random id; the first use writes it to the database (one primary key, so one use wins across
server processes), and the id is forgotten once the ticket has expired."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cadenza.domain.errors import Unauthorized
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

TICKET_LIFETIME = timedelta(seconds=60)


@dataclass(frozen=True)
class StreamTicket:
    account_id: int
    session_id: int
    device_id: str
    expires: int  # unix seconds
    ticket_id: str


class StreamTickets:
    def __init__(self, secret: bytes, clock: Clock, uow: Callable[[], UnitOfWork]) -> None:
        self._secret, self.clock, self.uow = secret, clock, uow

    def issue(self, account_id: int, session_id: int, device_id: str) -> tuple[str, datetime]:
        expires = self.clock.now() + TICKET_LIFETIME
        payload = {
            "sub": account_id,
            "sid": session_id,
            "dev": device_id,
            "jti": secrets.token_urlsafe(16),
        }
        body = _b64(json.dumps(payload | {"exp": int(expires.timestamp())}).encode())
        return f"st1.{body}.{self._sign(body)}", expires

    def read(self, ticket: str, device_id: str) -> StreamTicket:
        """The ticket's holder, when it is genuine, unexpired, for this device, its session is
        still live, and it was never used before (this use spends it)."""
        try:
            version, body, signature = ticket.split(".")
            if version != "st1" or not hmac.compare_digest(signature, self._sign(body)):
                raise ValueError("bad signature")
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            found = StreamTicket(
                int(data["sub"]), int(data["sid"]), str(data["dev"]), data["exp"], str(data["jti"])
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise Unauthorized("the stream ticket is not valid", code="invalid_ticket") from exc
        now = self.clock.now()
        if found.expires <= now.timestamp():
            raise Unauthorized(
                "the stream ticket has expired; ask for another", code="ticket_expired"
            )
        if not hmac.compare_digest(found.device_id, device_id):
            raise Unauthorized("this ticket is for another device", code="invalid_ticket")
        if not self.session_live(found.account_id, found.session_id):
            raise Unauthorized("this session has ended; log in again", code="session_ended")
        if not self._spend(found, now):
            raise Unauthorized(
                "this stream ticket was already used; ask for another", code="ticket_used"
            )
        return found

    def _spend(self, ticket: StreamTicket, now: datetime) -> bool:
        expires = datetime.fromtimestamp(ticket.expires, UTC)
        with self.uow() as uow:
            first = uow.stream_tickets.spend_stream_ticket(ticket.ticket_id[:32], expires, now)
            uow.commit()
        return first

    def session_live(self, account_id: int, session_id: int) -> bool:
        with self.uow() as uow:
            return uow.sessions.session_live(session_id, account_id, self.clock.now())

    def _sign(self, body: str) -> str:
        return _b64(
            hmac.new(self._secret, b"stream-ticket." + body.encode(), hashlib.sha256).digest()
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
