"""Subscriptions: plan, period, status and the renewals that are due. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.members_repo import open_span
from cadenza.adapters.db.models_billing import (
    MembershipRow,
    PaymentMethodRow,
    SubscriptionRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.errors import Conflict
from cadenza.domain.plans import Period, Plan
from cadenza.domain.subscriptions import (
    Status,
    Subscription,
)

LIVE = (
    Status.INCOMPLETE,
    Status.TRIALING,
    Status.ACTIVE,
    Status.PAST_DUE,
)  # subscriptions that still bill or may


class SqlSubscriptions:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_subscription(
        self,
        *,
        payer_id: int,
        plan: Plan,
        period: Period,
        status: Status,
        start: datetime,
        end: datetime,
        currency: str,
        price_cents: int,
        payment_method_id: int | None,
        complimentary: bool = False,
    ) -> int:
        row = SubscriptionRow(
            payer_id=payer_id,
            plan=plan.value,
            period=period.value,
            status=status.value,
            period_start=start,
            period_end=end,
            cancel_at_period_end=False,
            retries=0,
            members=1,
            complimentary=complimentary,
            currency=currency,
            price_cents=price_cents,
            payment_method_id=payment_method_id,
            created_at=start,
        )
        self.s.add(row)
        self.s.flush()
        try:
            with self.s.begin_nested():
                self.s.add(
                    MembershipRow(
                        subscription_id=row.id, user_id=payer_id, manager=True, joined_at=start
                    )
                )
            open_span(self.s, row.id, payer_id, plan.value, start)
        except IntegrityError:  # the same account subscribing twice at the same instant
            raise Conflict(
                "this account is already on a plan: change it, or leave it first",
                code="already_subscribed",
            ) from None
        return row.id

    def get(self, subscription_id: int) -> Subscription | None:
        row = self.s.get(SubscriptionRow, subscription_id, populate_existing=True)
        return _subscription(row) if row else None

    def lock_subscription(self, subscription_id: int) -> Subscription | None:
        """Read a subscription for changing it: on PostgreSQL the row stays locked until commit."""
        row = self.s.scalar(
            select(SubscriptionRow)
            .where(SubscriptionRow.id == subscription_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return _subscription(row) if row else None

    def update_subscription(self, subscription_id: int, **values: object) -> None:
        clean = {
            k: (v.value if isinstance(v, Plan | Status | Period) else v) for k, v in values.items()
        }
        self.s.execute(
            update(SubscriptionRow).where(SubscriptionRow.id == subscription_id).values(**clean)
        )

    def payment_token(self, subscription_id: int) -> tuple[str, str] | None:
        """The card a subscription bills: (provider token, fingerprint)."""
        row = self.s.execute(
            select(PaymentMethodRow.token, PaymentMethodRow.fingerprint)
            .join(SubscriptionRow, SubscriptionRow.payment_method_id == PaymentMethodRow.id)
            .where(SubscriptionRow.id == subscription_id, PaymentMethodRow.removed_at.is_(None))
        ).first()
        return (row[0], row[1]) if row else None

    def due(self, now: datetime, limit: int = 500) -> list[Subscription]:
        """Subscriptions the billing clock may have to act on."""
        rows = self.s.scalars(
            select(SubscriptionRow)
            .where(
                SubscriptionRow.status.in_(LIVE),
                SubscriptionRow.complimentary.is_(False),
                or_(
                    SubscriptionRow.period_end <= now,
                    SubscriptionRow.next_retry_at <= now,
                    SubscriptionRow.status == Status.INCOMPLETE.value,
                ),
            )
            .order_by(SubscriptionRow.id)
            .limit(limit)
        )
        return [_subscription(r) for r in rows]

    def home_address(self, subscription_id: int) -> str | None:
        return self.s.scalar(
            select(SubscriptionRow.home_address).where(SubscriptionRow.id == subscription_id)
        )


def _subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        payer_id=row.payer_id,
        plan=Plan(row.plan),
        period=Period(row.period),
        status=Status(row.status),
        period_start=as_utc(row.period_start),
        period_end=as_utc(row.period_end),
        cancel_at_period_end=row.cancel_at_period_end,
        next_plan=Plan(row.next_plan) if row.next_plan else None,
        next_period=Period(row.next_period) if row.next_period else None,
        retries=row.retries,
        next_retry_at=as_utc(row.next_retry_at) if row.next_retry_at else None,
        members=row.members,
        complimentary=row.complimentary,
        currency=row.currency,
        price_cents=row.price_cents,
        created_at=as_utc(row.created_at),
    )
