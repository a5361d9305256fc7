"""The billing clock: renew, retry, cancel and expire whatever subscriptions are due.

Safe to run twice, or in two processes at once (the server's thread and `cadenza billing run`):
invoices are unique per period, charge attempts are claimed before they run, and every state
change is conditional.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cadenza.domain.plans import PriceList, period_end
from cadenza.domain.subscriptions import (
    Due,
    InvoiceKind,
    Status,
    Subscription,
    due,
    student_problem,
)
from cadenza.ports.clock import Clock
from cadenza.ports.students import StudentVerifier
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.charging import PLAN_ENDED, Charging

log = logging.getLogger(__name__)
INCOMPLETE_TTL = timedelta(days=1)  # a first payment not confirmed within a day is dropped

STUDENT_LAPSED = (
    "Your student status was not renewed, so Premium Student has ended and your account is on "
    "Free. Verify your student status again to subscribe."
)
MEMBER_REMOVED = (
    "The plan you were on became one with fewer places, so your account is on Free again; your "
    "playlists and library stay yours."
)


@dataclass
class BillingReport:
    renewed: int = 0
    trials_converted: int = 0
    declined: int = 0
    canceled: int = 0
    expired: int = 0
    settled: int = 0
    errors: list[str] = field(default_factory=list)


class BillingClock:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        charging: Charging,
        prices: PriceList,
        clock: Clock,
        students: StudentVerifier,
    ) -> None:
        self.uow, self.charging, self.prices, self.clock = uow, charging, prices, clock
        self.students = students

    def run(self, now: datetime | None = None) -> BillingReport:
        now = now or self.clock.now()
        report = BillingReport()
        with self.uow() as uow:
            subs = uow.subscriptions.due(now)
        for sub in subs:
            try:
                self._bill(sub, now, report)
            except Exception as error:  # one listener's problem stops no one else's billing
                log.exception("billing subscription %s failed", sub.id)
                report.errors.append(f"subscription {sub.id}: {type(error).__name__}")
        return report

    def _bill(self, sub: Subscription, now: datetime, report: BillingReport) -> None:
        with self.uow() as uow:
            open_invoices = uow.invoices.open_invoices(sub.id)
        for invoice in open_invoices:
            if self.charging.settle(invoice):
                report.settled += 1
        with self.uow() as uow:
            fresh = uow.subscriptions.get(sub.id)
        assert fresh is not None
        step = due(fresh, now, incomplete_ttl=INCOMPLETE_TTL)
        if step is Due.CANCEL:
            if self.charging.end(sub.id, Status.CANCELED):
                report.canceled += 1
        elif step is Due.EXPIRE:
            if self.charging.end(sub.id, Status.EXPIRED):
                report.expired += 1
                self.charging.mail(sub.payer_id, "Your plan has ended", PLAN_ENDED)
        elif step in (Due.END_TRIAL, Due.RENEW):
            outcome = self._renew(fresh, now)
            if outcome is None:
                report.expired += 1
            elif outcome and step is Due.END_TRIAL:
                report.trials_converted += 1
            elif outcome:
                report.renewed += 1
            else:
                report.declined += 1
        elif step is Due.RETRY:
            with self.uow() as uow:
                renewal = [
                    i for i in uow.invoices.open_invoices(sub.id) if i.kind is InvoiceKind.RENEWAL
                ]
                token = uow.subscriptions.payment_token(sub.id)
            if renewal and token is None:
                self.charging.declined(renewal[0], "no_payment_method")
                report.declined += 1
            elif renewal and token is not None:
                charge = self.charging.charge(renewal[0].id, token[0])
                if charge is not None and charge.status == "succeeded":
                    report.renewed += 1
                elif charge is not None:
                    report.declined += 1

    def _renew(self, sub: Subscription, now: datetime) -> bool | None:
        """Charge the next period. True: paid; False: not paid yet (declined, or waiting for
        confirmation, or another run is charging it); None: the plan cannot renew."""
        plan, period = sub.next_plan or sub.plan, sub.next_period or sub.period
        if plan.features.needs_student_status and student_problem(
            self.students.status(sub.payer_id), now
        ):
            if self.charging.end(sub.id, Status.EXPIRED):
                self.charging.mail(sub.payer_id, "Your Student plan has ended", STUDENT_LAPSED)
            return None
        # A pending upgrade of the period that ends is withdrawn, never carried over.
        with self.uow() as uow:
            upgrades = [
                i for i in uow.invoices.open_invoices(sub.id) if i.kind is InvoiceKind.UPGRADE
            ]
        for upgrade in upgrades:
            self.charging.withdraw(upgrade)
        with self.uow() as uow:
            if (plan, period) != (sub.plan, sub.period):
                payer = uow.accounts.get(sub.payer_id)
                cents = self.prices.price(plan, period, payer.country if payer else None).cents
                uow.subscriptions.update_subscription(
                    sub.id,
                    plan=plan,
                    period=period,
                    price_cents=cents,
                    next_plan=None,
                    next_period=None,
                )
                uow.members.set_plans(sub.id, plan, now)
                removed = self._fit_members(uow, sub.id, plan.features.accounts, now)
            else:
                removed = []
            fresh = uow.subscriptions.lock_subscription(sub.id)
            assert fresh is not None
            start, end = fresh.period_end, period_end(fresh.period_end, fresh.period)
            invoice = uow.invoices.invoice_for(
                fresh,
                InvoiceKind.RENEWAL,
                fresh.plan,
                start,
                end,
                fresh.price_cents,
                f"{fresh.plan.value}, {start.date()} to {end.date()}",
                now,
            )
            token = uow.subscriptions.payment_token(sub.id)
            uow.commit()
        for member in removed:
            self.charging.mail(member, "You have left a shared Premium plan", MEMBER_REMOVED)
        if token is None:
            self.charging.declined(invoice, "no_payment_method")
            return False
        charge = self.charging.charge(invoice.id, token[0])
        return charge is not None and charge.status == "succeeded"

    @staticmethod
    def _fit_members(uow: UnitOfWork, subscription_id: int, room: int, now: datetime) -> list[int]:
        """A downgrade to fewer places takes the newest members off (they go to Free)."""
        members = [m for m in uow.members.of_subscription(subscription_id) if not m.manager]
        surplus = sorted(members, key=lambda m: m.joined_at, reverse=True)[
            : max(0, len(members) + 1 - room)
        ]
        for member in surplus:
            uow.members.leave(subscription_id, member.user_id, now)
        return [m.user_id for m in surplus]
