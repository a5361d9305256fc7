"""Stream tickets already spent, so a ticket plays once. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models_accounts import SpentStreamTicketRow


class SqlStreamTickets:
    def __init__(self, session: Session) -> None:
        self.s = session

    def spend_stream_ticket(self, ticket_id: str, expires_at: datetime, now: datetime) -> bool:
        spent = self.s.execute(
            insert_on_conflict(self.s, SpentStreamTicketRow)
            .values(ticket_id=ticket_id, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=["ticket_id"])
            .returning(SpentStreamTicketRow.ticket_id)
        ).scalar()
        if ticket_id.startswith("0"):  # now and then, forget tickets that can no longer open
            self.forget_stream_tickets(now)
        return spent is not None

    def forget_stream_tickets(self, now: datetime) -> int:
        done = self.s.execute(
            delete(SpentStreamTicketRow).where(SpentStreamTicketRow.expires_at <= now)
        )
        return int(getattr(done, "rowcount", 0))
