"""Invoices and the charge attempts made for them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.plans import Plan
from cadenza.domain.subscriptions import Invoice, InvoiceKind, InvoiceStatus, Subscription


class InvoiceRepository(Protocol):
    """Invoices and the charge attempts made for them."""

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
        self,
        invoice_id: int,
        status: InvoiceStatus,
        *,
        only_from: InvoiceStatus,
        not_charging_at: datetime | None = None,
        **values: object,
    ) -> bool: ...

    def claim_attempt(
        self, invoice_id: int, attempts: int, key: str, now: datetime, until: datetime
    ) -> bool: ...

    def set_charge(self, invoice_id: int, charge_id: str) -> None: ...

    def of_account(self, user_id: int) -> list[Invoice]: ...
