"""A listener's card on file, and the cards that have had their free trial. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_billing import (
    PaymentMethodRow,
    SubscriptionRow,
    TrialRow,
)
from cadenza.adapters.db.subscriptions_repo import LIVE
from cadenza.domain.errors import Conflict
from cadenza.domain.subscriptions import (
    PaymentMethod,
)
from cadenza.ports.payments import AttachedCard


class SqlPaymentMethods:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_payment_method(
        self, user_id: int, provider: str, card: AttachedCard, now: datetime
    ) -> PaymentMethod:
        """The account's card from now on: earlier ones are removed, its plan bills this one."""
        self.s.execute(
            update(PaymentMethodRow)
            .where(PaymentMethodRow.user_id == user_id, PaymentMethodRow.removed_at.is_(None))
            .values(removed_at=now)
        )
        row = PaymentMethodRow(
            user_id=user_id,
            provider=provider,
            token=card.token,
            fingerprint=card.fingerprint,
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            created_at=now,
        )
        self.s.add(row)
        self.s.flush()
        self.s.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.payer_id == user_id, SubscriptionRow.status.in_(LIVE))
            .values(payment_method_id=row.id)
        )
        return _method(row)

    def payment_method(self, user_id: int) -> PaymentMethod | None:
        row = self.s.scalar(
            select(PaymentMethodRow)
            .where(PaymentMethodRow.user_id == user_id, PaymentMethodRow.removed_at.is_(None))
            .order_by(PaymentMethodRow.id.desc())
        )
        return _method(row) if row else None

    def remove_payment_method(self, user_id: int, now: datetime) -> None:
        self.s.execute(
            update(PaymentMethodRow)
            .where(PaymentMethodRow.user_id == user_id, PaymentMethodRow.removed_at.is_(None))
            .values(removed_at=now)
        )

    def claim_trial(self, user_id: int, fingerprint: str, now: datetime) -> bool:
        """Take the one free trial of this person and this card; False if either had one. Two
        claims racing end in an IntegrityError at commit for one of them (no savepoint: on
        SQLite a savepoint opened before any write would commit on its own)."""
        taken = self.s.scalar(
            select(func.count())
            .select_from(TrialRow)
            .where(or_(TrialRow.user_id == user_id, TrialRow.fingerprint == fingerprint))
        )
        if taken:
            return False
        self.s.add(TrialRow(user_id=user_id, fingerprint=fingerprint, started_at=now))
        try:
            self.s.flush()
        except IntegrityError:  # the same person or card claiming a trial this very moment
            raise Conflict("try again in a moment", code="subscription_pending") from None
        return True


def _method(row: PaymentMethodRow) -> PaymentMethod:
    return PaymentMethod(
        id=row.id,
        brand=row.brand,
        last4=row.last4,
        exp_month=row.exp_month,
        exp_year=row.exp_year,
        fingerprint=row.fingerprint,
        token=row.token,
    )
