"""Subscriptions: the lifecycle from trial to renewal, past due, cancellation and expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.plans import (
    GRACE_PERIOD,
    RETRY_AFTER,
    STUDENT_MAX_YEARS,
    STUDENT_VERIFICATION_VALID,
    Period,
    Plan,
)


class Status(StrEnum):
    INCOMPLETE = "incomplete"  # the first payment waits for the listener's confirmation
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"  # a renewal was declined; retries run through the grace period
    CANCELED = "canceled"  # ended at the end of a period the listener canceled
    EXPIRED = "expired"  # ended unpaid after the grace period, or never confirmed

    @property
    def grants_plan(self) -> bool:
        """Members enjoy the plan in these states (past due: while retries run, warned)."""
        return self in (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)

    @property
    def ended(self) -> bool:
        return self in (Status.CANCELED, Status.EXPIRED)


class InvoiceStatus(StrEnum):
    OPEN = "open"  # a charge is on its way or waits for confirmation
    PAID = "paid"
    FAILED = "failed"
    VOID = "void"


class InvoiceKind(StrEnum):
    FIRST = "first"
    RENEWAL = "renewal"
    UPGRADE = "upgrade"


@dataclass(frozen=True)
class Subscription:
    id: int
    payer_id: int
    plan: Plan
    period: Period
    status: Status
    period_start: datetime
    period_end: datetime
    cancel_at_period_end: bool
    next_plan: Plan | None  # a downgrade (or a change of period) waiting for the period's end
    next_period: Period | None
    retries: int  # declined renewal attempts so far
    next_retry_at: datetime | None
    members: int
    complimentary: bool  # granted by the operator: never charged, never ends by itself
    currency: str
    price_cents: int
    created_at: datetime

    @property
    def renews(self) -> bool:
        return self.status.grants_plan and not self.cancel_at_period_end and not self.complimentary

    @property
    def changeable(self) -> bool:
        """The payer may change plan or period now: paid up (or trialing), and not a plan the
        operator granted."""
        return self.status in (Status.TRIALING, Status.ACTIVE) and not self.complimentary


@dataclass(frozen=True)
class Invoice:
    id: int
    number: str
    subscription_id: int
    payer_id: int
    kind: InvoiceKind
    plan: Plan
    period_start: datetime
    period_end: datetime
    cents: int
    currency: str
    status: InvoiceStatus
    description: str
    attempts: int
    charge_id: str | None
    charge_key: str | None  # the idempotency key of the latest attempt, saved before it runs
    charging_until: datetime | None  # an attempt is running (or crashed) until then
    created_at: datetime
    paid_at: datetime | None


@dataclass(frozen=True)
class PaymentMethod:
    id: int
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str  # the provider's identity of the card: one free trial per card
    token: str


@dataclass(frozen=True)
class Membership:
    subscription_id: int
    user_id: int
    manager: bool
    allow_explicit: bool
    joined_at: datetime
    email: str = ""
    display_name: str = ""


@dataclass(frozen=True)
class Invite:
    id: int
    subscription_id: int
    email: str | None
    expires_at: datetime
    accepted_by: int | None


@dataclass(frozen=True)
class StudentStatus:
    id: int
    user_id: int
    school: str
    status: str  # pending, approved, rejected
    requested_at: datetime
    valid_until: datetime | None
    first_approved_at: datetime | None


class Due(StrEnum):
    """What the billing clock has to do with a subscription now."""

    NOTHING = "nothing"
    END_TRIAL = "end_trial"  # charge the first full period
    RENEW = "renew"
    RETRY = "retry"
    CANCEL = "cancel"  # the period of a canceled subscription is over
    EXPIRE = "expire"  # unpaid past the grace period, or never confirmed


def due(sub: Subscription, now: datetime, *, incomplete_ttl: timedelta) -> Due:
    if sub.complimentary or sub.status.ended:
        return Due.NOTHING
    if sub.status is Status.INCOMPLETE:
        return Due.EXPIRE if now >= sub.created_at + incomplete_ttl else Due.NOTHING
    if sub.status is Status.PAST_DUE:
        if sub.cancel_at_period_end:
            return Due.CANCEL  # canceled while unpaid: no more retries
        if now >= sub.period_end + GRACE_PERIOD:
            return Due.EXPIRE
        if sub.next_retry_at is not None and now >= sub.next_retry_at:
            return Due.RETRY
        return Due.NOTHING
    if now < sub.period_end:
        return Due.NOTHING
    if sub.cancel_at_period_end:
        return Due.CANCEL
    return Due.END_TRIAL if sub.status is Status.TRIALING else Due.RENEW


def next_retry(period_end: datetime, retries: int) -> datetime | None:
    """When to try a declined renewal again: 1, 3 and 7 days after the period ended."""
    if retries > len(RETRY_AFTER):
        return None
    return period_end + RETRY_AFTER[min(retries, len(RETRY_AFTER)) - 1]


def invoice_number(invoice_id: int, at: datetime) -> str:
    return f"CDZ-{at.year}-{invoice_id:07d}"


def student_problem(status: StudentStatus | None, now: datetime) -> tuple[str, str] | None:
    """Why this account may not be on Premium Student now (code, message), or None."""
    if (
        status is None
        or status.status != "approved"
        or (status.valid_until is not None and status.valid_until <= now)
    ):
        return (
            "student_verification_required",
            "Premium Student needs a verified student status (renewed every 12 months)",
        )
    if status.first_approved_at and not student_years_left(status.first_approved_at, now):
        return ("student_limit_reached", f"Premium Student lasts at most {STUDENT_MAX_YEARS} years")
    return None


def student_years_left(first_approved_at: datetime | None, now: datetime) -> bool:
    """Whether a student status may be (re)approved: within four years of the first approval."""
    if first_approved_at is None:
        return True
    return now - first_approved_at < STUDENT_VERIFICATION_VALID * STUDENT_MAX_YEARS
