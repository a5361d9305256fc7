"""Stream tickets already spent, so a ticket plays once."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class StreamTicketRepository(Protocol):
    """Stream tickets already spent, so a ticket plays once."""

    def spend_stream_ticket(self, ticket_id: str, expires_at: datetime, now: datetime) -> bool:
        """True for the first use of this ticket, in any process; False for any later one."""
        ...

    def forget_stream_tickets(self, now: datetime) -> int:
        """Forget the spent tickets that have expired (they cannot open a stream anyway)."""
        ...
