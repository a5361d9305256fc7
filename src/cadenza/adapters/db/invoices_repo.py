"""Invoices and the charge attempts made for them. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_billing import (
    InvoiceRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.errors import Conflict
from cadenza.domain.plans import Plan
from cadenza.domain.subscriptions import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Subscription,
    invoice_number,
)


class SqlInvoices:
    def __init__(self, session: Session) -> None:
        self.s = session

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
        self,
        invoice_id: int,
        status: InvoiceStatus,
        *,
        only_from: InvoiceStatus,
        not_charging_at: datetime | None = None,
        **values: object,
    ) -> bool:
        """Move an invoice on, only from the state expected: a repeated webhook changes nothing.
        With `not_charging_at`, only if no charge attempt is running then (claimed, unanswered,
        its lease not over): the check and the change are one statement."""
        i = InvoiceRow
        query = update(i).where(i.id == invoice_id, i.status == only_from.value)
        if not_charging_at is not None:
            query = query.where(
                or_(
                    i.charge_id.is_not(None),
                    i.charging_until.is_(None),
                    i.charging_until <= not_charging_at,
                )
            )
        done = self.s.execute(query.values(status=status.value, **values))
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

    def of_account(self, user_id: int) -> list[Invoice]:
        rows = self.s.scalars(
            select(InvoiceRow).where(InvoiceRow.payer_id == user_id).order_by(InvoiceRow.id.desc())
        )
        return [_invoice(r) for r in rows]


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
