"""Subscribing, paying, renewing, changing and ending plans, on a billing clock.

Money moves only through the `PaymentProvider`, each charge under an idempotency key made from
the invoice and the attempt, and an invoice moves from open to paid (or failed) exactly once:
so a repeated billing run, a retried request or a replayed webhook never charges twice or
extends a period twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cadenza.domain.accounts import Account, AuditEvent
from cadenza.domain.entitlements import Listener
from cadenza.domain.errors import Conflict, Forbidden, InvalidRequest, NotFound, PaymentDeclined
from cadenza.domain.mail import Email
from cadenza.domain.plans import (
    Period,
    Plan,
    Price,
    PriceList,
    add_months,
    period_end,
    prorated_cents,
)
from cadenza.domain.subscriptions import (
    Due,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentMethod,
    Status,
    StudentStatus,
    Subscription,
    due,
    next_retry,
    student_problem,
)
from cadenza.ports import (
    CardDetails,
    Charge,
    Clock,
    Mailer,
    PaymentProvider,
    StudentVerifier,
    UnitOfWork,
)

log = logging.getLogger(__name__)
INCOMPLETE_TTL = timedelta(days=1)  # a first payment not confirmed within a day is dropped
COMPLIMENTARY_YEARS = 100


@dataclass(frozen=True)
class Checkout:
    """What subscribing gave: the subscription, and where to confirm the payment if needed."""

    subscription: Subscription
    confirm_url: str | None = None


@dataclass
class BillingReport:
    renewed: int = 0
    trials_converted: int = 0
    declined: int = 0
    canceled: int = 0
    expired: int = 0
    settled: int = 0
    errors: list[str] = field(default_factory=list)


class SubscriptionService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        provider: PaymentProvider,
        prices: PriceList,
        clock: Clock,
        mailer: Mailer,
        public_url: str,
        students: StudentVerifier,
    ) -> None:
        self.uow, self.provider, self.prices, self.clock = uow, provider, prices, clock
        self.mailer, self.public_url = mailer, public_url.rstrip("/")
        self.students = students

    # -- what a listener sees ------------------------------------------------------------
    def offers(self, account_id: int) -> list[Price]:
        return self.prices.offers(self._account(account_id).country)

    def current(self, account_id: int) -> tuple[Subscription | None, bool]:
        """The subscription the account listens on, and whether it manages (pays) it."""
        with self.uow() as uow:
            membership = uow.billing.membership(account_id)
            if membership is None:
                return None, False
            return uow.billing.subscription(membership.subscription_id), membership.manager

    def listener(self, account_id: int) -> Listener:
        """Who asks, as the entitlements see them: plan, explicit filter, country."""
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
            membership = uow.billing.membership(account_id)
        if account is None:
            raise NotFound("no such account", code="account_not_found")
        return Listener(
            plan=Plan(account.plan),
            allow_explicit=membership.allow_explicit if membership else True,
            country=account.country,
        )

    def payment_method(self, account_id: int) -> PaymentMethod | None:
        with self.uow() as uow:
            return uow.billing.payment_method(account_id)

    def invoices(self, account_id: int) -> list[Invoice]:
        with self.uow() as uow:
            return uow.billing.invoices(account_id)

    def invoice(self, account_id: int, invoice_id: int) -> Invoice:
        with self.uow() as uow:
            invoice = uow.billing.invoice(invoice_id)
        if invoice is None or invoice.payer_id != account_id:
            raise NotFound("no such invoice", code="invoice_not_found")
        return invoice

    # -- cards ---------------------------------------------------------------------------
    def add_card(self, account_id: int, card: CardDetails) -> PaymentMethod:
        attached = self.provider.attach(card)
        with self.uow() as uow:
            method = uow.billing.add_payment_method(
                account_id, self.provider.name, attached, self.clock.now()
            )
            uow.accounts.audit(
                account_id, AuditEvent("payment_method_added", self.clock.now(), None, None)
            )
            uow.commit()
            return method

    def remove_card(self, account_id: int) -> None:
        sub, manager = self.current(account_id)
        if sub is not None and manager and sub.renews:
            raise Conflict(
                "the plan renews with this card: add another card, or cancel the plan first",
                code="payment_method_in_use",
            )
        with self.uow() as uow:
            uow.billing.remove_payment_method(account_id, self.clock.now())
            uow.commit()

    # -- subscribing ---------------------------------------------------------------------
    def subscribe(self, account_id: int, plan: Plan, period: Period) -> Checkout:
        """Start a plan: a free trial month if this person and card never had one (Premium),
        otherwise the first period is charged now."""
        if plan is Plan.FREE:
            raise InvalidRequest("Free needs no subscription", code="plan_not_offered")
        account = self._account(account_id)
        price = self.prices.price(plan, period, account.country)
        now = self.clock.now()
        with self.uow() as uow:
            if uow.billing.membership(account_id) is not None:
                raise Conflict(
                    "this account is already on a plan: change it, or leave it first",
                    code="already_subscribed",
                )
            if plan.features.needs_student_status:
                self._check_student(self.students.status(account_id), now)
            method = uow.billing.payment_method(account_id)
            if method is None:
                raise InvalidRequest(
                    "add a card first (POST /api/v1/me/payment-method)",
                    code="payment_method_required",
                )
            trial = plan.is_premium and uow.billing.claim_trial(account_id, method.fingerprint, now)
            status = Status.TRIALING if trial else Status.INCOMPLETE
            end = add_months(now, 1) if trial else period_end(now, period)
            sub_id = uow.billing.add_subscription(
                payer_id=account_id,
                plan=plan,
                period=period,
                status=status,
                start=now,
                end=end,
                currency=price.currency,
                price_cents=price.cents,
                payment_method_id=method.id,
            )
            sub = uow.billing.subscription(sub_id)
            assert sub is not None
            if trial:
                uow.billing.set_plans(sub_id, plan)
                uow.accounts.audit(
                    account_id, AuditEvent("trial_started", now, None, None, detail={"plan": plan})
                )
                uow.commit()
                return Checkout(sub)
            invoice = uow.billing.invoice_for(
                sub, InvoiceKind.FIRST, plan, now, end, price.cents, _describe(price), now
            )
            uow.commit()
        charge = self._charge(invoice, method.token)
        sub = self._subscription(sub_id)
        if sub.status is Status.EXPIRED:
            raise PaymentDeclined(
                f"the card was declined ({charge.decline_code}); nothing was charged",
                code=charge.decline_code or "payment_declined",
            )
        return Checkout(sub, charge.confirm_url)

    def grant(self, account_id: int, plan: Plan) -> Subscription | None:
        """The operator gives an account a plan, free of charge (the CLI's `--plan`)."""
        now = self.clock.now()
        with self.uow() as uow:
            current = uow.billing.membership(account_id)
            if current is not None:
                uow.billing.update_subscription(
                    current.subscription_id, status=Status.CANCELED, ended_at=now
                )
                uow.billing.end_memberships(current.subscription_id)
            if plan is Plan.FREE:
                uow.commit()
                return None
            sub_id = uow.billing.add_subscription(
                payer_id=account_id,
                plan=plan,
                period=Period.YEAR,
                status=Status.ACTIVE,
                start=now,
                end=add_months(now, 12 * COMPLIMENTARY_YEARS),
                currency=self.prices.market(None).currency,
                price_cents=0,
                payment_method_id=None,
                complimentary=True,
            )
            uow.billing.set_plans(sub_id, plan)
            uow.commit()
            return uow.billing.subscription(sub_id)

    def change_plan(self, account_id: int, plan: Plan, period: Period | None = None) -> Checkout:
        """Upgrades take effect at once, the rest of the period charged pro rata; downgrades at
        the period's end. Going to Free is canceling."""
        sub = self._managed(account_id)
        if plan is Plan.FREE:
            return Checkout(self.cancel(account_id))
        period = period or sub.period
        account = self._account(account_id)
        price = self.prices.price(plan, period, account.country)
        if plan.features.accounts < sub.members:
            raise Conflict(
                f"{plan.value} has room for {plan.features.accounts}; remove members first",
                code="too_many_members",
            )
        now = self.clock.now()
        with self.uow() as uow:
            if plan.features.needs_student_status:
                self._check_student(self.students.status(account_id), now)
            if plan == sub.plan and period == sub.period:
                uow.billing.update_subscription(sub.id, next_plan=None)
                uow.commit()
                return Checkout(self._subscription(sub.id))
            if sub.status is Status.TRIALING or sub.complimentary:
                uow.billing.update_subscription(
                    sub.id, plan=plan, period=period, price_cents=price.cents, next_plan=None
                )
                uow.billing.set_plans(sub.id, plan)
                uow.commit()
                return Checkout(self._subscription(sub.id))
            old_monthly = _monthly(sub.price_cents, sub.period)
            if _monthly(price.cents, period) <= old_monthly or period != sub.period:
                uow.billing.update_subscription(sub.id, next_plan=plan)
                uow.commit()
                return Checkout(self._subscription(sub.id))
            cents = prorated_cents(
                sub.price_cents, price.cents, sub.period_start, sub.period_end, now
            )
            invoice = uow.billing.invoice_for(
                sub,
                InvoiceKind.UPGRADE,
                plan,
                now,
                sub.period_end,
                cents,
                f"Upgrade to {plan.value}, rest of the period",
                now,
            )
            token = uow.billing.payment_token(sub.id)
            uow.commit()
        if token is None:
            raise InvalidRequest("add a card first", code="payment_method_required")
        charge = self._charge(invoice, token[0])
        if charge.status == "declined":
            raise PaymentDeclined(
                f"the card was declined ({charge.decline_code}); the plan is unchanged",
                code=charge.decline_code or "payment_declined",
            )
        return Checkout(self._subscription(sub.id), charge.confirm_url)

    def cancel(self, account_id: int) -> Subscription:
        """Stop renewing: the plan lasts until the period's end (a trial: until it ends)."""
        sub = self._managed(account_id)
        if sub.status is Status.INCOMPLETE:
            self._end(sub.id, Status.CANCELED)
        else:
            with self.uow() as uow:
                uow.billing.update_subscription(sub.id, cancel_at_period_end=True, next_plan=None)
                uow.accounts.audit(
                    account_id, AuditEvent("plan_canceled", self.clock.now(), None, None)
                )
                uow.commit()
        return self._subscription(sub.id)

    def resume(self, account_id: int) -> Subscription:
        sub = self._managed(account_id)
        with self.uow() as uow:
            uow.billing.update_subscription(sub.id, cancel_at_period_end=False)
            uow.commit()
        return self._subscription(sub.id)

    # -- webhooks ------------------------------------------------------------------------
    def handle_event(self, body: bytes, signature: str) -> str:
        """A provider's webhook: verified, processed once, in any order. Returns what it did."""
        event = self.provider.verify_event(body, signature)
        now = self.clock.now()
        with self.uow() as uow:
            if not uow.billing.record_event(self.provider.name, event.id, event.kind, now):
                return "duplicate"
            invoice = uow.billing.invoice_by_number(event.reference)
            uow.commit()
        if invoice is None or invoice.charge_id != event.charge_id:
            return "ignored"  # a charge we no longer wait for
        if event.kind == "charge.succeeded":
            return "paid" if self._paid(invoice) else "already_settled"
        if event.kind == "charge.failed":
            return (
                "declined"
                if self._declined(invoice, "authentication_failed")
                else "already_settled"
            )
        return "ignored"

    # -- the billing clock ---------------------------------------------------------------
    def run_billing(self, now: datetime | None = None) -> BillingReport:
        """Renew, retry, cancel and expire whatever is due. Safe to run twice, or in two
        processes at once: invoices and charges are keyed, state changes conditional."""
        now = now or self.clock.now()
        report = BillingReport()
        with self.uow() as uow:
            subs = uow.billing.due(now)
        for sub in subs:
            try:
                self._bill(sub, now, report)
            except Exception as error:  # one listener's problem stops no one else's billing
                log.exception("billing subscription %s failed", sub.id)
                report.errors.append(f"subscription {sub.id}: {type(error).__name__}")
        return report

    def _bill(self, sub: Subscription, now: datetime, report: BillingReport) -> None:
        for invoice in self._open_invoices(sub.id):
            if invoice.charge_id and self._settle(invoice):
                report.settled += 1
        sub = self._subscription(sub.id)
        step = due(sub, now, incomplete_ttl=INCOMPLETE_TTL)
        if step is Due.CANCEL:
            self._end(sub.id, Status.CANCELED)
            report.canceled += 1
        elif step is Due.EXPIRE:
            self._end(sub.id, Status.EXPIRED)
            report.expired += 1
            self._mail(sub.payer_id, "Your plan has ended", _ENDED)
        elif step in (Due.END_TRIAL, Due.RENEW):
            converted = self._renew(sub, now)
            if converted is None:
                report.expired += 1
            elif converted:
                if step is Due.END_TRIAL:
                    report.trials_converted += 1
                else:
                    report.renewed += 1
            else:
                report.declined += 1
        elif step is Due.RETRY:
            renewal = [i for i in self._open_invoices(sub.id) if i.kind is InvoiceKind.RENEWAL]
            if renewal and self._retry(renewal[0], sub):
                report.renewed += 1
            elif renewal:
                report.declined += 1

    def _renew(self, sub: Subscription, now: datetime) -> bool | None:
        """Charge the next period. True: paid; False: declined (past due); None: cannot renew."""
        plan, cents = sub.plan, sub.price_cents
        if sub.next_plan is not None:
            plan = sub.next_plan
            account = self._account(sub.payer_id)
            cents = self.prices.price(plan, sub.period, account.country).cents
        with self.uow() as uow:
            if plan.features.needs_student_status:
                try:
                    self._check_student(self.students.status(sub.payer_id), now)
                except Forbidden:
                    uow.rollback()
                    self._end(sub.id, Status.EXPIRED)
                    self._mail(sub.payer_id, "Your Student plan has ended", _STUDENT_LAPSED)
                    return None
            if plan != sub.plan:
                uow.billing.update_subscription(
                    sub.id, plan=plan, price_cents=cents, next_plan=None
                )
                uow.billing.set_plans(sub.id, plan)
            start, end = sub.period_end, period_end(sub.period_end, sub.period)
            fresh = uow.billing.subscription(sub.id)
            assert fresh is not None
            invoice = uow.billing.invoice_for(
                fresh,
                InvoiceKind.RENEWAL,
                plan,
                start,
                end,
                cents,
                f"{plan.value}, {start.date()} to {end.date()}",
                now,
            )
            token = uow.billing.payment_token(sub.id)
            uow.commit()
        if token is None:
            self._declined(invoice, "no_payment_method")
            return False
        charge = self._charge(invoice, token[0])
        return charge.status == "succeeded"

    def _retry(self, invoice: Invoice, sub: Subscription) -> bool:
        with self.uow() as uow:
            token = uow.billing.payment_token(sub.id)
        if token is None:
            self._declined(invoice, "no_payment_method")
            return False
        return self._charge(invoice, token[0]).status == "succeeded"

    # -- charging and settling -----------------------------------------------------------
    def _charge(self, invoice: Invoice, token: str) -> Charge:
        """One attempt at an invoice. Its key is the invoice and attempt number: asking the
        provider again with it (after a crash, say) returns the same charge, never a new one."""
        # An earlier attempt may still wait for the payer's confirmation: withdraw it, so that
        # confirming it later cannot take money for an invoice paid another way.
        if invoice.charge_id is not None and self.provider.cancel(invoice.charge_id) == "succeeded":
            self._paid(invoice)
            return Charge(id=invoice.charge_id, status="succeeded")
        with self.uow() as uow:
            attempt = uow.billing.start_attempt(invoice.id)
            uow.commit()
        charge = self.provider.charge(
            token,
            invoice.cents,
            invoice.currency,
            idempotency_key=f"invoice-{invoice.id}-attempt-{attempt}",
            reference=invoice.number,
        )
        with self.uow() as uow:
            uow.billing.set_charge(invoice.id, charge.id)
            uow.commit()
        current = self._invoice(invoice.id)
        if charge.status == "succeeded":
            self._paid(current)
        elif charge.status == "declined":
            self._declined(current, charge.decline_code or "card_declined")
        else:
            self._awaiting_confirmation(current, charge)
        return charge

    def _settle(self, invoice: Invoice) -> bool:
        """An open invoice whose charge went out but whose answer we never applied (a crash
        between the two): ask the provider again under the same key and apply its answer."""
        with self.uow() as uow:
            token = uow.billing.payment_token(invoice.subscription_id)
        if token is None or invoice.attempts == 0:
            return False
        charge = self.provider.charge(
            token[0],
            invoice.cents,
            invoice.currency,
            idempotency_key=f"invoice-{invoice.id}-attempt-{invoice.attempts}",
            reference=invoice.number,
        )
        if charge.id != invoice.charge_id:
            return False
        if charge.status == "succeeded":
            return self._paid(invoice)
        return False

    def _paid(self, invoice: Invoice) -> bool:
        """Apply a paid invoice once: the period it pays for, the plan it upgrades to."""
        now = self.clock.now()
        with self.uow() as uow:
            if not uow.billing.mark_invoice(
                invoice.id, InvoiceStatus.PAID, only_from=InvoiceStatus.OPEN, paid_at=now
            ):
                return False
            sub = uow.billing.lock_subscription(invoice.subscription_id)
            assert sub is not None
            if invoice.kind is InvoiceKind.UPGRADE:
                price = self.prices.price(
                    invoice.plan, sub.period, self._country(uow, sub.payer_id)
                )
                uow.billing.update_subscription(
                    sub.id, plan=invoice.plan, price_cents=price.cents, next_plan=None
                )
            elif invoice.kind is InvoiceKind.FIRST or invoice.period_end > sub.period_end:
                # The first period, or the renewal's: applied once, so never extended twice.
                uow.billing.update_subscription(
                    sub.id,
                    status=Status.ACTIVE,
                    period_start=invoice.period_start,
                    period_end=invoice.period_end,
                    retries=0,
                    next_retry_at=None,
                )
            uow.billing.set_plans(sub.id, invoice.plan)
            uow.accounts.audit(
                sub.payer_id,
                AuditEvent(
                    "payment_succeeded", now, None, None, detail={"invoice": invoice.number}
                ),
            )
            uow.commit()
        return True

    def _declined(self, invoice: Invoice, code: str) -> bool:
        now = self.clock.now()
        with self.uow() as uow:
            current = uow.billing.invoice(invoice.id)
            if current is None or current.status is not InvoiceStatus.OPEN:
                return False  # paid already: a late failure for an earlier attempt changes nothing
            sub = uow.billing.lock_subscription(invoice.subscription_id)
            assert sub is not None
            uow.accounts.audit(
                sub.payer_id,
                AuditEvent(
                    "payment_declined",
                    now,
                    None,
                    None,
                    detail={"invoice": invoice.number, "code": code},
                ),
            )
            if invoice.kind is not InvoiceKind.RENEWAL:
                uow.billing.mark_invoice(
                    invoice.id, InvoiceStatus.FAILED, only_from=InvoiceStatus.OPEN
                )
                uow.commit()
                if invoice.kind is InvoiceKind.FIRST:
                    self._end(sub.id, Status.EXPIRED)
                return True
            retries = sub.retries + 1
            retry_at = next_retry(sub.period_end, retries)
            if retry_at is None:
                uow.billing.mark_invoice(
                    invoice.id, InvoiceStatus.FAILED, only_from=InvoiceStatus.OPEN
                )
                uow.commit()
                self._end(sub.id, Status.EXPIRED)
                self._mail(sub.payer_id, "Your plan has ended", _ENDED)
                return True
            uow.billing.update_subscription(
                sub.id, status=Status.PAST_DUE, retries=retries, next_retry_at=retry_at
            )
            uow.commit()
        self._mail(
            sub.payer_id,
            "We could not take your payment",
            f"Your card was declined ({code}). We will try again on {retry_at.date()}; until "
            "then your plan goes on. Update your card in your account to keep it.\n"
            f"{self.public_url}/account/plan",
        )
        return True

    def _awaiting_confirmation(self, invoice: Invoice, charge: Charge) -> None:
        if invoice.kind is not InvoiceKind.RENEWAL:
            return  # the listener is at the screen: the answer carries the link
        with self.uow() as uow:
            sub = uow.billing.lock_subscription(invoice.subscription_id)
            assert sub is not None
            retry_at = next_retry(sub.period_end, sub.retries + 1)
            uow.billing.update_subscription(
                sub.id, status=Status.PAST_DUE, retries=sub.retries + 1, next_retry_at=retry_at
            )
            uow.commit()
        self._mail(
            sub.payer_id,
            "Confirm your payment",
            f"Your bank asks you to confirm this month's payment: {charge.confirm_url}",
        )

    def _end(self, subscription_id: int, status: Status) -> None:
        for invoice in self._open_invoices(subscription_id):
            if invoice.charge_id and self.provider.cancel(invoice.charge_id) == "succeeded":
                self._paid(invoice)  # confirmed at the last moment: the plan goes on
                return
        now = self.clock.now()
        with self.uow() as uow:
            sub = uow.billing.lock_subscription(subscription_id)
            if sub is None or sub.status.ended:
                return
            uow.billing.update_subscription(subscription_id, status=status, ended_at=now)
            for invoice in uow.billing.open_invoices(subscription_id):
                uow.billing.mark_invoice(
                    invoice.id, InvoiceStatus.VOID, only_from=InvoiceStatus.OPEN
                )
            members = uow.billing.end_memberships(subscription_id)
            for member in members:
                uow.accounts.audit(
                    member, AuditEvent("plan_ended", now, None, None, detail={"plan": sub.plan})
                )
            uow.commit()

    # -- students ------------------------------------------------------------------------
    @staticmethod
    def _check_student(status: StudentStatus | None, now: datetime) -> None:
        problem = student_problem(status, now)
        if problem is not None:
            raise Forbidden(problem[1], code=problem[0])

    # -- helpers -------------------------------------------------------------------------
    def _managed(self, account_id: int) -> Subscription:
        sub, manager = self.current(account_id)
        if sub is None:
            raise NotFound("this account is on Free", code="no_subscription")
        if not manager:
            raise Forbidden("only the plan's manager changes it", code="not_the_manager")
        return sub

    def _subscription(self, subscription_id: int) -> Subscription:
        with self.uow() as uow:
            sub = uow.billing.subscription(subscription_id)
        assert sub is not None
        return sub

    def _invoice(self, invoice_id: int) -> Invoice:
        with self.uow() as uow:
            invoice = uow.billing.invoice(invoice_id)
        assert invoice is not None
        return invoice

    def _open_invoices(self, subscription_id: int) -> list[Invoice]:
        with self.uow() as uow:
            return uow.billing.open_invoices(subscription_id)

    def _account(self, account_id: int) -> Account:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is None:
            raise NotFound("no such account", code="account_not_found")
        return account

    @staticmethod
    def _country(uow: UnitOfWork, account_id: int) -> str | None:
        account = uow.accounts.get(account_id)
        return account.country if account else None

    def _mail(self, account_id: int, subject: str, text: str) -> None:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is not None:
            self.mailer.send(Email(to=account.email, subject=subject, text=text + "\n"))


def _monthly(cents: int, period: Period) -> float:
    return cents / 12 if period is Period.YEAR else float(cents)


def _describe(price: Price) -> str:
    return f"{price.plan.value}, first {price.period.value}"


_ENDED = (
    "Your plan has ended and your account is on Free again: music with ads, shuffle play and "
    "no downloads. Subscribe again any time from your account."
)
_STUDENT_LAPSED = (
    "Your student status was not renewed, so Premium Student has ended and your account is on "
    "Free. Verify your student status again to subscribe."
)
