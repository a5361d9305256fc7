"""Subscriptions, memberships, invites, payment methods, invoices and student status in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_billing import (
    InviteRow,
    InvoiceRow,
    MembershipHistoryRow,
    MembershipRow,
    PaymentEventRow,
    PaymentMethodRow,
    StudentVerificationRow,
    SubscriptionRow,
    TrialRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.errors import Conflict
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
    invoice_number,
)
from cadenza.ports import AttachedCard

LIVE = (Status.INCOMPLETE, Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)


class SqlBilling:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- payment methods -----------------------------------------------------------------
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

    # -- subscriptions -------------------------------------------------------------------
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
        except IntegrityError:  # the same account subscribing twice at the same instant
            raise Conflict(
                "this account is already on a plan: change it, or leave it first",
                code="already_subscribed",
            ) from None
        return row.id

    def subscription(self, subscription_id: int) -> Subscription | None:
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

    # -- members -------------------------------------------------------------------------
    def membership(self, user_id: int) -> Membership | None:
        row = self.s.scalar(select(MembershipRow).where(MembershipRow.user_id == user_id))
        return _membership(row) if row else None

    def members(self, subscription_id: int) -> list[Membership]:
        rows = self.s.execute(
            select(MembershipRow, UserRow.email, UserRow.display_name)
            .join(UserRow, UserRow.id == MembershipRow.user_id)
            .where(MembershipRow.subscription_id == subscription_id)
            .order_by(MembershipRow.manager.desc(), MembershipRow.id)
        ).all()
        return [_membership(m, email, name) for m, email, name in rows]

    def join(
        self, subscription_id: int, user_id: int, limit: int, plan: Plan, now: datetime
    ) -> bool:
        """Add a member if the plan has room: one conditional UPDATE, so concurrent accepts
        never pass the limit. False when full (or the account already belongs to a plan)."""
        done = self.s.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.id == subscription_id, SubscriptionRow.members < limit)
            .values(members=SubscriptionRow.members + 1)
        )
        if getattr(done, "rowcount", 0) != 1:
            return False
        try:
            with self.s.begin_nested():
                self.s.add(
                    MembershipRow(
                        subscription_id=subscription_id,
                        user_id=user_id,
                        manager=False,
                        joined_at=now,
                    )
                )
        except IntegrityError:
            self.s.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.id == subscription_id)
                .values(members=SubscriptionRow.members - 1)
            )
            return False
        self.s.add(
            MembershipHistoryRow(
                user_id=user_id, subscription_id=subscription_id, plan=plan.value, joined_at=now
            )
        )
        return True

    def leave(self, subscription_id: int, user_id: int) -> bool:
        done = self.s.execute(
            delete(MembershipRow).where(
                MembershipRow.subscription_id == subscription_id,
                MembershipRow.user_id == user_id,
                MembershipRow.manager.is_(False),
            )
        )
        if getattr(done, "rowcount", 0) != 1:
            return False
        self.s.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.id == subscription_id)
            .values(members=SubscriptionRow.members - 1)
        )
        self.s.execute(update(UserRow).where(UserRow.id == user_id).values(plan=Plan.FREE.value))
        return True

    def joins(self, user_id: int, plan: Plan) -> list[tuple[int, datetime]]:
        """Every time the account joined someone's plan of this kind: (subscription, when)."""
        rows = self.s.execute(
            select(MembershipHistoryRow.subscription_id, MembershipHistoryRow.joined_at)
            .where(MembershipHistoryRow.user_id == user_id, MembershipHistoryRow.plan == plan.value)
            .order_by(MembershipHistoryRow.joined_at, MembershipHistoryRow.id)
        ).all()
        return [(sub_id, as_utc(at)) for sub_id, at in rows]

    def set_explicit(self, subscription_id: int, user_id: int, allow: bool) -> bool:
        done = self.s.execute(
            update(MembershipRow)
            .where(
                MembershipRow.subscription_id == subscription_id, MembershipRow.user_id == user_id
            )
            .values(allow_explicit=allow)
        )
        return getattr(done, "rowcount", 0) == 1

    def set_plans(self, subscription_id: int, plan: Plan) -> None:
        """Every member of the subscription now listens on this plan."""
        members = select(MembershipRow.user_id).where(
            MembershipRow.subscription_id == subscription_id
        )
        self.s.execute(update(UserRow).where(UserRow.id.in_(members)).values(plan=plan.value))

    def end_memberships(self, subscription_id: int) -> list[int]:
        """The subscription is over: everyone on it goes back to Free. Returns who."""
        users = list(
            self.s.scalars(
                select(MembershipRow.user_id).where(
                    MembershipRow.subscription_id == subscription_id
                )
            )
        )
        if users:
            self.s.execute(
                update(UserRow).where(UserRow.id.in_(users)).values(plan=Plan.FREE.value)
            )
        self.s.execute(
            delete(MembershipRow).where(MembershipRow.subscription_id == subscription_id)
        )
        self.s.execute(
            update(InviteRow)
            .where(InviteRow.subscription_id == subscription_id, InviteRow.accepted_by.is_(None))
            .values(expires_at=InviteRow.created_at)
        )
        return users

    def home_address(self, subscription_id: int) -> str | None:
        return self.s.scalar(
            select(SubscriptionRow.home_address).where(SubscriptionRow.id == subscription_id)
        )

    # -- invites -------------------------------------------------------------------------
    def add_invite(
        self,
        subscription_id: int,
        token_hash: str,
        email: str | None,
        now: datetime,
        expires: datetime,
    ) -> int:
        row = InviteRow(
            subscription_id=subscription_id,
            token_hash=token_hash,
            email=email,
            created_at=now,
            expires_at=expires,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def invite(self, token_hash: str) -> Invite | None:
        row = self.s.scalar(select(InviteRow).where(InviteRow.token_hash == token_hash))
        if row is None:
            return None
        return Invite(
            row.id, row.subscription_id, row.email, as_utc(row.expires_at), row.accepted_by
        )

    def open_invites(self, subscription_id: int, now: datetime) -> int:
        return int(
            self.s.scalar(
                select(func.count())
                .select_from(InviteRow)
                .where(
                    InviteRow.subscription_id == subscription_id,
                    InviteRow.accepted_by.is_(None),
                    InviteRow.expires_at > now,
                )
            )
            or 0
        )

    def accept_invite(self, invite_id: int, user_id: int) -> bool:
        done = self.s.execute(
            update(InviteRow)
            .where(InviteRow.id == invite_id, InviteRow.accepted_by.is_(None))
            .values(accepted_by=user_id)
        )
        return getattr(done, "rowcount", 0) == 1

    # -- invoices ------------------------------------------------------------------------
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
    ) -> Invoice:
        """The invoice of this subscription, kind and period: made once, found afterwards."""
        existing = self._invoice_row(sub.id, kind, start)
        if existing is not None:
            return _invoice(existing)
        row = InvoiceRow(
            subscription_id=sub.id,
            payer_id=sub.payer_id,
            kind=kind.value,
            plan=plan.value,
            period_start=start,
            period_end=end,
            cents=cents,
            currency=sub.currency,
            status=InvoiceStatus.OPEN.value,
            description=description,
            attempts=0,
            created_at=now,
        )
        try:
            with self.s.begin_nested():
                self.s.add(row)
                self.s.flush()
                row.number = invoice_number(row.id, now)
        except IntegrityError:  # a billing run racing this one made it first
            found = self._invoice_row(sub.id, kind, start)
            if found is None:  # another upgrade of this plan is being paid right now
                raise Conflict(
                    "a change of plan is already being paid", code="plan_change_pending"
                ) from None
            return _invoice(found)
        return _invoice(row)

    def _invoice_row(
        self, subscription_id: int, kind: InvoiceKind, start: datetime
    ) -> InvoiceRow | None:
        return self.s.scalar(
            select(InvoiceRow).where(
                InvoiceRow.subscription_id == subscription_id,
                InvoiceRow.kind == kind.value,
                InvoiceRow.period_start == start,
            )
        )

    def invoice(self, invoice_id: int) -> Invoice | None:
        row = self.s.get(InvoiceRow, invoice_id, populate_existing=True)
        return _invoice(row) if row else None

    def invoice_by_number(self, number: str) -> Invoice | None:
        row = self.s.scalar(
            select(InvoiceRow)
            .where(InvoiceRow.number == number)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return _invoice(row) if row else None

    def open_invoices(self, subscription_id: int) -> list[Invoice]:
        rows = self.s.scalars(
            select(InvoiceRow).where(
                InvoiceRow.subscription_id == subscription_id,
                InvoiceRow.status == InvoiceStatus.OPEN.value,
            )
        )
        return [_invoice(r) for r in rows]

    def mark_invoice(
        self, invoice_id: int, status: InvoiceStatus, *, only_from: InvoiceStatus, **values: object
    ) -> bool:
        """Move an invoice on, only from the state expected: a repeated webhook changes nothing."""
        done = self.s.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == invoice_id, InvoiceRow.status == only_from.value)
            .values(status=status.value, **values)
        )
        return getattr(done, "rowcount", 0) == 1

    def claim_attempt(
        self, invoice_id: int, attempts: int, key: str, now: datetime, until: datetime
    ) -> bool:
        """Take the next charge attempt of an open invoice, saving its idempotency key first.
        False when another process took it, or has an attempt running: only one charges."""
        done = self.s.execute(
            update(InvoiceRow)
            .where(
                InvoiceRow.id == invoice_id,
                InvoiceRow.attempts == attempts,
                InvoiceRow.status == InvoiceStatus.OPEN.value,
                or_(InvoiceRow.charging_until.is_(None), InvoiceRow.charging_until < now),
            )
            .values(attempts=attempts + 1, charge_key=key, charge_id=None, charging_until=until)
        )
        return getattr(done, "rowcount", 0) == 1

    def set_charge(self, invoice_id: int, charge_id: str) -> None:
        """The provider answered: the attempt is over, its charge recorded."""
        self.s.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == invoice_id)
            .values(charge_id=charge_id, charging_until=None)
        )

    def invoices(self, user_id: int) -> list[Invoice]:
        rows = self.s.scalars(
            select(InvoiceRow).where(InvoiceRow.payer_id == user_id).order_by(InvoiceRow.id.desc())
        )
        return [_invoice(r) for r in rows]

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

    # -- students ------------------------------------------------------------------------
    def add_student_request(self, user_id: int, school: str, now: datetime) -> int:
        row = StudentVerificationRow(
            user_id=user_id, school=school, status="pending", requested_at=now
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def student_requests(self, status: str | None = None) -> list[StudentStatus]:
        query = select(StudentVerificationRow).order_by(StudentVerificationRow.id)
        if status:
            query = query.where(StudentVerificationRow.status == status)
        return [self._student(r) for r in self.s.scalars(query)]

    def student_status(self, user_id: int) -> StudentStatus | None:
        row = self.s.scalar(
            select(StudentVerificationRow)
            .where(StudentVerificationRow.user_id == user_id)
            .order_by(StudentVerificationRow.id.desc())
        )
        return self._student(row) if row else None

    def student_approval(self, user_id: int) -> StudentStatus | None:
        """The latest approved request (a newer pending one does not undo it)."""
        row = self.s.scalar(
            select(StudentVerificationRow)
            .where(
                StudentVerificationRow.user_id == user_id,
                StudentVerificationRow.status == "approved",
            )
            .order_by(StudentVerificationRow.id.desc())
        )
        return self._student(row) if row else None

    def student_request(self, request_id: int) -> StudentStatus | None:
        row = self.s.get(StudentVerificationRow, request_id)
        return self._student(row) if row else None

    def decide_student(
        self, request_id: int, status: str, now: datetime, valid_until: datetime | None
    ) -> None:
        self.s.execute(
            update(StudentVerificationRow)
            .where(StudentVerificationRow.id == request_id)
            .values(status=status, decided_at=now, valid_until=valid_until)
        )

    def _student(self, row: StudentVerificationRow) -> StudentStatus:
        first = self.s.scalar(
            select(func.min(StudentVerificationRow.decided_at)).where(
                StudentVerificationRow.user_id == row.user_id,
                StudentVerificationRow.status == "approved",
            )
        )
        return StudentStatus(
            id=row.id,
            user_id=row.user_id,
            school=row.school,
            status=row.status,
            requested_at=as_utc(row.requested_at),
            valid_until=as_utc(row.valid_until) if row.valid_until else None,
            first_approved_at=as_utc(first) if first else None,
        )


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


def _membership(row: MembershipRow, email: str = "", name: str = "") -> Membership:
    return Membership(
        subscription_id=row.subscription_id,
        user_id=row.user_id,
        manager=row.manager,
        allow_explicit=row.allow_explicit,
        joined_at=as_utc(row.joined_at),
        email=email,
        display_name=name,
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


def _invoice(row: InvoiceRow) -> Invoice:
    return Invoice(
        id=row.id,
        number=row.number or "",
        subscription_id=row.subscription_id,
        payer_id=row.payer_id,
        kind=InvoiceKind(row.kind),
        plan=Plan(row.plan),
        period_start=as_utc(row.period_start),
        period_end=as_utc(row.period_end),
        cents=row.cents,
        currency=row.currency,
        status=InvoiceStatus(row.status),
        description=row.description,
        attempts=row.attempts,
        charge_id=row.charge_id,
        charge_key=row.charge_key,
        charging_until=as_utc(row.charging_until) if row.charging_until else None,
        created_at=as_utc(row.created_at),
        paid_at=as_utc(row.paid_at) if row.paid_at else None,
    )
