"""Taking money for invoices, and applying what the payment provider answers, exactly once.

Every charge attempt is claimed first: a conditional UPDATE raises the invoice's attempt count
and saves the attempt's idempotency key before the provider is asked. Two billing runs at once
therefore cannot both charge, and a crash between charging and recording is settled later by
asking the provider for the charge under the saved key. An invoice moves from open to paid,
failed or void once; the period or plan it pays for is applied only with that move.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.events import PlanChanged
from cadenza.domain.mail import Email
from cadenza.domain.plans import Plan, PriceList
from cadenza.domain.subscriptions import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Status,
    next_retry,
)
from cadenza.ports.clock import Clock
from cadenza.ports.mail import Mailer
from cadenza.ports.payments import Charge, PaymentProvider
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.messagebus import Publish, unheard

ATTEMPT_LEASE = timedelta(minutes=5)  # longer than any provider call
PLAN_ENDED = (
    "Your plan has ended and your account is on Free again: music with ads, shuffle play and "
    "no downloads. Subscribe again any time from your account."
)


class Charging:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        provider: PaymentProvider,
        prices: PriceList,
        clock: Clock,
        mailer: Mailer,
        public_url: str,
        publish: Publish = unheard,
    ) -> None:
        self.uow, self.provider, self.prices, self.clock = uow, provider, prices, clock
        self.mailer, self.public_url = mailer, public_url.rstrip("/")
        self.publish = publish  # `PlanChanged` when a payment or an ending changes the plan

    def charge(self, invoice_id: int, token: str) -> Charge | None:
        """One attempt at an open invoice; None when it is not open, or another process is
        charging it this very moment."""
        invoice = self.invoice(invoice_id)
        if invoice.status is not InvoiceStatus.OPEN:
            return None
        # An earlier attempt may still wait for the payer's confirmation: withdraw it, so that
        # confirming it later cannot take money for an invoice paid another way.
        if invoice.charge_id is not None and self.provider.cancel(invoice.charge_id) == "succeeded":
            self.paid(invoice)
            return Charge(id=invoice.charge_id, status="succeeded")
        key = f"invoice-{invoice.id}-attempt-{invoice.attempts + 1}"
        now = self.clock.now()
        with self.uow() as uow:
            claimed = uow.invoices.claim_attempt(
                invoice.id, invoice.attempts, key, now, now + ATTEMPT_LEASE
            )
            uow.commit()
        if not claimed:
            return None
        charge = self.provider.charge(
            token, invoice.cents, invoice.currency, idempotency_key=key, reference=invoice.number
        )
        self._apply(self.invoice(invoice.id), charge)
        return charge

    def settle(self, invoice: Invoice) -> bool:
        """An attempt whose answer was never recorded (a crash after asking the provider): ask
        the provider what became of it and apply that. True when it turned out paid."""
        if invoice.status is not InvoiceStatus.OPEN or not invoice.charge_key:
            return False
        if invoice.charge_id is not None:
            return False  # recorded: a webhook or the next retry settles it
        if invoice.charging_until is not None and invoice.charging_until > self.clock.now():
            return False  # still running somewhere
        charge = self.provider.find(invoice.charge_key)
        if charge is None:
            return False  # the provider never got it: the next attempt is a new one
        self._apply(invoice, charge)
        return charge.status == "succeeded"

    def withdraw(self, invoice: Invoice) -> bool:
        """Withdraw an open invoice's charge waiting for confirmation; True if it was paid
        first (then it is applied)."""
        charge_id = invoice.charge_id
        if charge_id is None and invoice.charge_key:
            found = self.provider.find(invoice.charge_key)  # asked, answer never recorded
            charge_id = found.id if found is not None else None
        if charge_id is None or self.provider.cancel(charge_id) != "succeeded":
            return False
        self.paid(invoice)
        return True

    def _apply(self, invoice: Invoice, charge: Charge) -> None:
        with self.uow() as uow:
            uow.invoices.set_charge(invoice.id, charge.id)
            uow.commit()
        current = self.invoice(invoice.id)
        if charge.status == "succeeded":
            self.paid(current)
        elif charge.status == "declined":
            self.declined(current, charge.decline_code or "card_declined")
        else:
            self._awaiting_confirmation(current, charge)

    def paid(self, invoice: Invoice) -> bool:
        """Apply a paid invoice once: the period it pays for, or the plan it upgrades to."""
        now = self.clock.now()
        with self.uow() as uow:
            if not uow.invoices.mark_invoice(
                invoice.id, InvoiceStatus.PAID, only_from=InvoiceStatus.OPEN, paid_at=now
            ):
                return False
            sub = uow.subscriptions.lock_subscription(invoice.subscription_id)
            assert sub is not None
            plan = sub.plan
            if invoice.kind is InvoiceKind.UPGRADE:
                if sub.status.grants_plan and invoice.period_end == sub.period_end:
                    payer = uow.accounts.get(sub.payer_id)
                    price = self.prices.price(
                        invoice.plan, sub.period, payer.country if payer else None
                    )
                    uow.subscriptions.update_subscription(
                        sub.id, plan=invoice.plan, price_cents=price.cents, next_plan=None
                    )
                    plan = invoice.plan
            elif invoice.kind is InvoiceKind.FIRST or invoice.period_end > sub.period_end:
                # The first period, or the renewal's: applied once, so never extended twice.
                uow.subscriptions.update_subscription(
                    sub.id,
                    status=Status.ACTIVE,
                    period_start=invoice.period_start,
                    period_end=invoice.period_end,
                    retries=0,
                    next_retry_at=None,
                )
            plan_applies = sub.status.grants_plan or invoice.kind is not InvoiceKind.UPGRADE
            if plan_applies:
                uow.members.set_plans(sub.id, plan, now)
            uow.audit.add(
                sub.payer_id,
                AuditEvent("payment_succeeded", now, None, None, {"invoice": invoice.number}),
            )
            uow.commit()
        if plan_applies:
            self.publish(PlanChanged(sub.id, plan))
        return True

    def declined(self, invoice: Invoice, code: str) -> bool:
        now = self.clock.now()
        with self.uow() as uow:
            current = uow.invoices.invoice(invoice.id)
            if current is None or current.status is not InvoiceStatus.OPEN:
                return False  # paid already: a late failure for an earlier attempt changes nothing
            sub = uow.subscriptions.lock_subscription(invoice.subscription_id)
            assert sub is not None
            uow.audit.add(
                sub.payer_id,
                AuditEvent(
                    "payment_declined", now, None, None, {"invoice": invoice.number, "code": code}
                ),
            )
            if invoice.kind is not InvoiceKind.RENEWAL:
                uow.invoices.mark_invoice(
                    invoice.id, InvoiceStatus.FAILED, only_from=InvoiceStatus.OPEN
                )
                uow.commit()
                if invoice.kind is InvoiceKind.FIRST:
                    self.end(sub.id, Status.EXPIRED)
                return True
            retries = sub.retries + 1
            retry_at = next_retry(sub.period_end, retries)
            if retry_at is None:
                uow.invoices.mark_invoice(
                    invoice.id, InvoiceStatus.FAILED, only_from=InvoiceStatus.OPEN
                )
                uow.commit()
                self.end(sub.id, Status.EXPIRED)
                self.mail(sub.payer_id, "Your plan has ended", PLAN_ENDED)
                return True
            uow.subscriptions.update_subscription(
                sub.id, status=Status.PAST_DUE, retries=retries, next_retry_at=retry_at
            )
            uow.commit()
        self.mail(
            sub.payer_id,
            "We could not take your payment",
            f"Your card was declined ({code}). We will try again on {retry_at.date()}; until "
            "then your plan goes on. Update your card in your account to keep it.\n"
            f"{self.public_url}/account/plan",
        )
        return True

    def _awaiting_confirmation(self, invoice: Invoice, charge: Charge) -> None:
        if invoice.kind is not InvoiceKind.RENEWAL:
            return  # the payer is at the screen: the answer carries the link
        with self.uow() as uow:
            sub = uow.subscriptions.lock_subscription(invoice.subscription_id)
            assert sub is not None
            retry_at = next_retry(sub.period_end, sub.retries + 1)
            uow.subscriptions.update_subscription(
                sub.id, status=Status.PAST_DUE, retries=sub.retries + 1, next_retry_at=retry_at
            )
            uow.commit()
        self.mail(
            sub.payer_id,
            "Confirm your payment",
            f"Your bank asks you to confirm this period's payment: {charge.confirm_url}",
        )

    def end(
        self,
        subscription_id: int,
        status: Status,
        *,
        unless_paid: bool = False,
        unless_charging: bool = False,
    ) -> bool:
        """End a subscription: open invoices void, pending charges withdrawn, everyone on it
        back to Free. False when a payment confirmed at the last moment keeps it going.

        For a plan set by hand, False and nothing changed also when, under the lock, the period
        turns out paid (`unless_paid`), or a charge attempt is running this very moment
        (`unless_charging`: voiding its invoice would take the money and give nothing)."""
        with self.uow() as uow:
            open_invoices = uow.invoices.open_invoices(subscription_id)
        if unless_charging and any(self._charging_now(i) for i in open_invoices):
            return False
        for invoice in open_invoices:
            if self.withdraw(invoice) and invoice.kind is not InvoiceKind.UPGRADE:
                return False
        now = self.clock.now()
        with self.uow() as uow:
            sub = uow.subscriptions.lock_subscription(subscription_id)
            if sub is None or sub.status.ended:
                return True
            if unless_paid and sub.status is Status.ACTIVE:
                return False
            for invoice in uow.invoices.open_invoices(subscription_id):
                voided = uow.invoices.mark_invoice(
                    invoice.id,
                    InvoiceStatus.VOID,
                    only_from=InvoiceStatus.OPEN,
                    not_charging_at=now if unless_charging else None,
                )
                if unless_charging and not voided:
                    return False  # a charge was claimed meanwhile: nothing is committed
            uow.subscriptions.update_subscription(subscription_id, status=status, ended_at=now)
            for member in uow.members.end_memberships(subscription_id, now):
                uow.audit.add(
                    member, AuditEvent("plan_ended", now, None, None, {"plan": sub.plan.value})
                )
            uow.commit()
        self.publish(PlanChanged(subscription_id, Plan.FREE))
        return True

    def _charging_now(self, invoice: Invoice) -> bool:
        """An attempt claimed and not yet answered, its lease still running."""
        return (
            invoice.charge_id is None
            and invoice.charging_until is not None
            and invoice.charging_until > self.clock.now()
        )

    def invoice(self, invoice_id: int) -> Invoice:
        with self.uow() as uow:
            invoice = uow.invoices.invoice(invoice_id)
        assert invoice is not None
        return invoice

    def mail(self, account_id: int, subject: str, text: str) -> None:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is not None:
            self.mailer.send(Email(to=account.email, subject=subject, text=text + "\n"))
