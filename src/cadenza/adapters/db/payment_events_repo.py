"""The payment provider's events already handled, so a replayed one changes nothing. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_billing import (
    PaymentEventRow,
)


class SqlPaymentEvents:
    def __init__(self, session: Session) -> None:
        self.s = session

    def event_seen(self, provider: str, event_id: str) -> bool:
        found = self.s.scalar(
            select(PaymentEventRow.id).where(
                PaymentEventRow.provider == provider, PaymentEventRow.event_id == event_id
            )
        )
        return found is not None

    def record_event(
        self, provider: str, event_id: str, kind: str, outcome: str, now: datetime
    ) -> bool:
        """Remember a webhook; False if it was seen before."""
        try:
            with self.s.begin_nested():
                self.s.add(
                    PaymentEventRow(
                        provider=provider,
                        event_id=event_id,
                        kind=kind,
                        outcome=outcome,
                        received_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True
