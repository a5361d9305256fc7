"""Subscriptions, memberships, invoices and student requests."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.plans import Period, Plan
from cadenza.domain.subscriptions import (
    Invite,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Membership,
    PaymentMethod,
    Status,
    StudentStatus,
    Subscription,
)
from cadenza.ports.payments import AttachedCard


class BillingRepository(Protocol):
    def add_payment_method(
        self, user_id: int, provider: str, card: AttachedCard, now: datetime
    ) -> PaymentMethod: ...

    def payment_method(self, user_id: int) -> PaymentMethod | None: ...

    def remove_payment_method(self, user_id: int, now: datetime) -> None: ...

    def claim_trial(self, user_id: int, fingerprint: str, now: datetime) -> bool: ...

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
    ) -> int: ...

    def subscription(self, subscription_id: int) -> Subscription | None: ...

    def lock_subscription(self, subscription_id: int) -> Subscription | None: ...

    def update_subscription(self, subscription_id: int, **values: object) -> None: ...

    def payment_token(self, subscription_id: int) -> tuple[str, str] | None: ...

    def due(self, now: datetime, limit: int = 500) -> list[Subscription]: ...

    def membership(self, user_id: int) -> Membership | None: ...

    def members(self, subscription_id: int) -> list[Membership]: ...

    def join(
        self, subscription_id: int, user_id: int, limit: int, plan: Plan, now: datetime
    ) -> bool: ...

    def leave(self, subscription_id: int, user_id: int) -> bool: ...

    def joins(self, user_id: int, plan: Plan) -> list[tuple[int, datetime]]: ...

    def set_explicit(self, subscription_id: int, user_id: int, allow: bool) -> bool: ...

    def set_plans(self, subscription_id: int, plan: Plan) -> None: ...

    def end_memberships(self, subscription_id: int) -> list[int]: ...

    def home_address(self, subscription_id: int) -> str | None: ...

    def add_invite(
        self,
        subscription_id: int,
        token_hash: str,
        email: str | None,
        now: datetime,
        expires: datetime,
    ) -> int: ...

    def invite(self, token_hash: str) -> Invite | None: ...

    def open_invites(self, subscription_id: int, now: datetime) -> int: ...

    def accept_invite(self, invite_id: int, user_id: int) -> bool: ...

    def invoice_for(
        self,
        sub: Subscription,
        kind: InvoiceKind,
        plan: Plan,
        start: datetime,
        end: datetime,
        cents: int,
        description: str,
        now: datetime,
    ) -> Invoice: ...

    def invoice(self, invoice_id: int) -> Invoice | None: ...

    def invoice_by_number(self, number: str) -> Invoice | None: ...

    def open_invoices(self, subscription_id: int) -> list[Invoice]: ...

    def mark_invoice(
        self, invoice_id: int, status: InvoiceStatus, *, only_from: InvoiceStatus, **values: object
    ) -> bool: ...

    def claim_attempt(
        self, invoice_id: int, attempts: int, key: str, now: datetime, until: datetime
    ) -> bool: ...

    def set_charge(self, invoice_id: int, charge_id: str) -> None: ...

    def invoices(self, user_id: int) -> list[Invoice]: ...

    def event_seen(self, provider: str, event_id: str) -> bool: ...

    def record_event(
        self, provider: str, event_id: str, kind: str, outcome: str, now: datetime
    ) -> bool: ...

    def add_student_request(self, user_id: int, school: str, now: datetime) -> int: ...

    def student_requests(self, status: str | None = None) -> list[StudentStatus]: ...

    def student_status(self, user_id: int) -> StudentStatus | None: ...

    def student_approval(self, user_id: int) -> StudentStatus | None: ...

    def student_request(self, request_id: int) -> StudentStatus | None: ...

    def decide_student(
        self, request_id: int, status: str, now: datetime, valid_until: datetime | None
    ) -> None: ...
