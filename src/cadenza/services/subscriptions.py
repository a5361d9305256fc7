"""Plans as the listener handles them: offers, cards, subscribing, changing, canceling,
invoices, and the payment provider's webhooks. Charging lives in `charging.py`, the renewals
in `billing_clock.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cadenza.domain.accounts import Account, AuditEvent
from cadenza.domain.entitlements import Listener
from cadenza.domain.errors import Conflict, Forbidden, InvalidRequest, NotFound, PaymentDeclined
from cadenza.domain.events import AccountClosing, PlanChanged
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
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PaymentMethod,
    Status,
    StudentStatus,
    Subscription,
    student_problem,
)
from cadenza.ports.clock import Clock
from cadenza.ports.payments import CardDetails, PaymentProvider
from cadenza.ports.students import StudentVerifier
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.charging import Charging
from cadenza.services.messagebus import Publish, unheard

COMPLIMENTARY_YEARS = 100


@dataclass(frozen=True)
class Checkout:
    """What subscribing gave: the subscription, and where to confirm the payment if needed."""

    subscription: Subscription
    confirm_url: str | None = None


class SubscriptionService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        provider: PaymentProvider,
        prices: PriceList,
        clock: Clock,
        charging: Charging,
        students: StudentVerifier,
        publish: Publish = unheard,
    ) -> None:
        self.uow, self.provider, self.prices, self.clock = uow, provider, prices, clock
        self.charging, self.students = charging, students
        self.publish = publish  # `PlanChanged` when a plan takes effect here

    # -- what a listener sees ------------------------------------------------------------
    def offers(self, account_id: int) -> list[Price]:
        return self.prices.offers(self._account(account_id).country)

    def current(self, account_id: int) -> tuple[Subscription | None, bool]:
        """The subscription the account listens on, and whether it manages (pays) it."""
        with self.uow() as uow:
            membership = uow.members.membership(account_id)
            if membership is None:
                return None, False
            return uow.subscriptions.get(membership.subscription_id), membership.manager

    def listener(self, account_id: int) -> Listener:
        """Who asks, as the entitlements see them: plan, explicit filter, country."""
        with self.uow() as uow:
            found = uow.accounts.as_listener(account_id)
        if found is None:
            raise NotFound("no such account", code="account_not_found")
        return found

    def payment_method(self, account_id: int) -> PaymentMethod | None:
        with self.uow() as uow:
            return uow.payment_methods.payment_method(account_id)

    def invoices(self, account_id: int) -> list[Invoice]:
        with self.uow() as uow:
            return uow.invoices.of_account(account_id)

    def export(self, account_id: int) -> dict[str, object]:
        """The plan, card, invoices and student verification, for "download my data"."""
        subscription, manager = self.current(account_id)
        card = self.payment_method(account_id)
        with self.uow() as uow:
            student = uow.students.student_status(account_id)
        return {
            "plan": None
            if subscription is None
            else {
                "plan": subscription.plan.value,
                "status": subscription.status.value,
                "manager": manager,
                "period_start": subscription.period_start.isoformat(),
                "period_end": subscription.period_end.isoformat(),
                "cancel_at_period_end": subscription.cancel_at_period_end,
            },
            "payment_method": None
            if card is None
            else {
                "brand": card.brand,
                "last4": card.last4,
                "expires": f"{card.exp_month:02d}/{card.exp_year}",
            },
            "invoices": [
                {
                    "number": i.number,
                    "plan": i.plan.value,
                    "amount_cents": i.cents,
                    "currency": i.currency,
                    "status": i.status.value,
                    "issued_at": i.created_at.isoformat(),
                    "paid_at": i.paid_at.isoformat() if i.paid_at else None,
                }
                for i in self.invoices(account_id)
            ],
            "student_verification": None
            if student is None
            else {
                "school": student.school,
                "status": student.status,
                "requested_at": student.requested_at.isoformat(),
            },
        }

    def invoice(self, account_id: int, invoice_id: int) -> Invoice:
        with self.uow() as uow:
            invoice = uow.invoices.invoice(invoice_id)
        if invoice is None or invoice.payer_id != account_id:
            raise NotFound("no such invoice", code="invoice_not_found")
        return invoice

    # -- cards ---------------------------------------------------------------------------
    def add_card(self, account_id: int, card: CardDetails) -> PaymentMethod:
        attached = self.provider.attach(card)
        with self.uow() as uow:
            method = uow.payment_methods.add_payment_method(
                account_id, self.provider.name, attached, self.clock.now()
            )
            uow.audit.add(
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
            uow.payment_methods.remove_payment_method(account_id, self.clock.now())
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
            if uow.members.membership(account_id) is not None:
                raise Conflict(
                    "this account is already on a plan: change it, or leave it first",
                    code="already_subscribed",
                )
            if plan.features.needs_student_status:
                self._check_student(self.students.status(account_id), now)
            method = uow.payment_methods.payment_method(account_id)
            if method is None:
                raise InvalidRequest(
                    "add a card first (POST /api/v1/me/payment-method)",
                    code="payment_method_required",
                )
            trial = plan.is_premium and uow.payment_methods.claim_trial(
                account_id, method.fingerprint, now
            )
            status = Status.TRIALING if trial else Status.INCOMPLETE
            end = add_months(now, 1) if trial else period_end(now, period)
            sub_id = uow.subscriptions.add_subscription(
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
            sub = uow.subscriptions.get(sub_id)
            assert sub is not None
            if trial:
                uow.members.set_plans(sub_id, plan, now)
                uow.audit.add(
                    account_id, AuditEvent("trial_started", now, None, None, detail={"plan": plan})
                )
                uow.commit()
                self.publish(PlanChanged(sub_id, plan))
                return Checkout(sub)
            invoice = uow.invoices.invoice_for(
                sub, InvoiceKind.FIRST, plan, now, end, price.cents, _describe(price), now
            )
            uow.commit()
        charge = self.charging.charge(invoice.id, method.token)
        sub = self._subscription(sub_id)
        if charge is None or sub.status is Status.EXPIRED:
            code = charge.decline_code if charge else None
            raise PaymentDeclined(
                f"the card was declined ({code}); nothing was charged",
                code=code or "payment_declined",
            )
        return Checkout(sub, charge.confirm_url)

    def grant(self, account_id: int, plan: Plan) -> Subscription | None:
        """The operator gives an account a plan, free of charge (the CLI's `--plan`)."""
        now = self.clock.now()
        with self.uow() as uow:
            current = uow.members.membership(account_id)
            if current is not None:
                uow.subscriptions.update_subscription(
                    current.subscription_id, status=Status.CANCELED, ended_at=now
                )
                uow.members.end_memberships(current.subscription_id, now)
            if plan is Plan.FREE:
                uow.commit()
                if current is not None:
                    self.publish(PlanChanged(current.subscription_id, Plan.FREE))
                return None
            sub_id = uow.subscriptions.add_subscription(
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
            uow.members.set_plans(sub_id, plan, now)
            uow.commit()
            granted = uow.subscriptions.get(sub_id)
        self.publish(PlanChanged(sub_id, plan))
        return granted

    def change_plan(self, account_id: int, plan: Plan, period: Period | None = None) -> Checkout:
        """Upgrades take effect at once, the rest of the period charged pro rata; downgrades
        and changes of billing period at the period's end. Going to Free is canceling."""
        sub = self._managed(account_id)
        if plan is Plan.FREE:
            return Checkout(self.cancel(account_id))
        if not sub.changeable:
            raise Conflict(
                "the plan can change once it is paid up"
                if not sub.complimentary
                else "this plan was granted by the operator",
                code="plan_not_changeable",
            )
        period = period or sub.period
        price = self.prices.price(plan, period, self._account(account_id).country)
        if plan.features.accounts < sub.members:
            raise Conflict(
                f"{plan.value} has room for {plan.features.accounts}; remove members first",
                code="too_many_members",
            )
        now = self.clock.now()
        if plan.features.needs_student_status:
            self._check_student(self.students.status(account_id), now)
        self._withdraw_upgrades(sub.id)
        with self.uow() as uow:
            if (plan, period) == (sub.plan, sub.period):  # back to what it is: nothing pending
                uow.subscriptions.update_subscription(sub.id, next_plan=None, next_period=None)
                uow.commit()
                return Checkout(self._subscription(sub.id))
            if sub.status is Status.TRIALING:
                uow.subscriptions.update_subscription(
                    sub.id, plan=plan, period=period, price_cents=price.cents, next_plan=None
                )
                uow.members.set_plans(sub.id, plan, now)
                uow.commit()
                self.publish(PlanChanged(sub.id, plan))
                return Checkout(self._subscription(sub.id))
            upgrade = period == sub.period and price.cents > sub.price_cents
            if not upgrade:
                uow.subscriptions.update_subscription(sub.id, next_plan=plan, next_period=period)
                uow.commit()
                return Checkout(self._subscription(sub.id))
            cents = prorated_cents(
                sub.price_cents, price.cents, sub.period_start, sub.period_end, now
            )
            invoice = uow.invoices.invoice_for(
                sub,
                InvoiceKind.UPGRADE,
                plan,
                now,
                sub.period_end,
                cents,
                f"Upgrade to {plan.value}, rest of the period",
                now,
            )
            token = uow.subscriptions.payment_token(sub.id)
            uow.commit()
        if token is None:
            self.charging.declined(invoice, "no_payment_method")
            raise InvalidRequest("add a card first", code="payment_method_required")
        charge = self.charging.charge(invoice.id, token[0])
        if charge is None:
            raise Conflict("a change of plan is already being paid", code="plan_change_pending")
        if charge.status == "declined":
            raise PaymentDeclined(
                f"the card was declined ({charge.decline_code}); the plan is unchanged",
                code=charge.decline_code or "payment_declined",
            )
        return Checkout(self._subscription(sub.id), charge.confirm_url)

    def cancel(self, account_id: int) -> Subscription:
        """Stop renewing: the plan lasts until the period's end (a trial: until it ends)."""
        sub = self._managed(account_id)
        if sub.complimentary:
            raise Conflict("this plan was granted by the operator", code="plan_not_changeable")
        self._withdraw_upgrades(sub.id)
        if sub.status is Status.INCOMPLETE:
            self.charging.end(sub.id, Status.CANCELED)
        else:
            with self.uow() as uow:
                uow.subscriptions.update_subscription(
                    sub.id, cancel_at_period_end=True, next_plan=None, next_period=None
                )
                uow.audit.add(account_id, AuditEvent("plan_canceled", self.clock.now(), None, None))
                uow.commit()
        return self._subscription(sub.id)

    def resume(self, account_id: int) -> Subscription:
        sub = self._managed(account_id)
        if not sub.status.grants_plan:
            raise Conflict("the plan has ended; subscribe again", code="plan_not_active")
        with self.uow() as uow:
            if (
                uow.subscriptions.payment_token(sub.id) is None
            ):  # the card was removed after canceling
                raise InvalidRequest(
                    "add a card to renew the plan with", code="payment_method_required"
                )
            uow.subscriptions.update_subscription(sub.id, cancel_at_period_end=False)
            uow.commit()
        return self._subscription(sub.id)

    def account_closing(self, event: AccountClosing) -> None:
        """The payer deletes the account: the plan ends now and no pending charge can go on."""
        self.close_account(event.account_id)

    def close_account(self, account_id: int) -> None:
        """The payer deletes the account: the plan ends now and no pending charge can go on."""
        sub, manager = self.current(account_id)
        if sub is not None and manager and not sub.status.ended:
            self.charging.end(sub.id, Status.CANCELED)

    # -- the payer's confirmation ----------------------------------------------------------
    def awaiting_confirmation(self, charge_id: str) -> tuple[int, str, str]:
        """A charge the payer is asked to confirm: its cents, currency and reference."""
        return self.provider.pending(charge_id)

    def answer_confirmation(self, charge_id: str, *, approve: bool) -> str:
        """The payer confirms (or refuses) a charge: applied at once, as its webhook would be."""
        body, signature = self.provider.confirm(charge_id, approve=approve)
        return self.handle_event(body, signature)

    # -- webhooks ------------------------------------------------------------------------
    def handle_event(self, body: bytes, signature: str) -> str:
        """A provider's webhook: verified, applied, then recorded by its id, so a failure on
        the way makes the provider's redelivery try again, and a repeat changes nothing."""
        event = self.provider.verify_event(body, signature)
        now = self.clock.now()
        with self.uow() as uow:
            if uow.payment_events.event_seen(self.provider.name, event.id):
                return "duplicate"
            invoice = uow.invoices.invoice_by_number(event.reference)
        if invoice is None or invoice.charge_id != event.charge_id:
            outcome = "ignored"  # a charge we no longer wait for
        elif event.kind == "charge.succeeded":
            outcome = "paid" if self.charging.paid(invoice) else "already_settled"
        elif event.kind == "charge.failed":
            declined = self.charging.declined(invoice, "authentication_failed")
            outcome = "declined" if declined else "already_settled"
        else:
            outcome = "ignored"
        with self.uow() as uow:
            if not uow.payment_events.record_event(
                self.provider.name, event.id, event.kind, outcome, now
            ):
                return "duplicate"
            uow.commit()
        return outcome

    # -- helpers -------------------------------------------------------------------------
    def _withdraw_upgrades(self, subscription_id: int) -> None:
        """An upgrade still waiting for its confirmation gives way to a newer decision."""
        with self.uow() as uow:
            pending = [
                i
                for i in uow.invoices.open_invoices(subscription_id)
                if i.kind is InvoiceKind.UPGRADE
            ]
        for invoice in pending:
            if not self.charging.withdraw(invoice):
                with self.uow() as uow:
                    uow.invoices.mark_invoice(
                        invoice.id, InvoiceStatus.VOID, only_from=InvoiceStatus.OPEN
                    )
                    uow.commit()

    @staticmethod
    def _check_student(status: StudentStatus | None, now: datetime) -> None:
        problem = student_problem(status, now)
        if problem is not None:
            raise Forbidden(problem[1], code=problem[0])

    def _managed(self, account_id: int) -> Subscription:
        sub, manager = self.current(account_id)
        if sub is None:
            raise NotFound("this account is on Free", code="no_subscription")
        if not manager:
            raise Forbidden("only the plan's manager changes it", code="not_the_manager")
        return sub

    def _subscription(self, subscription_id: int) -> Subscription:
        with self.uow() as uow:
            sub = uow.subscriptions.get(subscription_id)
        assert sub is not None
        return sub

    def _account(self, account_id: int) -> Account:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is None:
            raise NotFound("no such account", code="account_not_found")
        return account


def _describe(price: Price) -> str:
    return f"{price.plan.value}, first {price.period.value}"
