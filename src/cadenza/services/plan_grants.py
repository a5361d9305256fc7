"""Plans given and taken by hand: the operator (`cadenza users plan`) or an admin sets an
account's plan, free of charge, as a home server, a school or a family needs.

A plan the listener pays for is never left half-changed nor charged twice: one still in its
trial, waiting for its first payment or past due (nothing paid for the time left) is ended
properly first (pending charges withdrawn, open invoices void, no renewal); a period already
paid is ended only when asked to (`end_paid`), since nothing is refunded. An account on
someone else's Duo or Family plan is its manager's to remove. The change holds at once: every
grant, stream and download check asks the plan anew (offline downloads go at the device's next
check-in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cadenza.domain.accounts import Account
from cadenza.domain.catalog import ArtistRef
from cadenza.domain.errors import Conflict, NotFound
from cadenza.domain.plans import Plan
from cadenza.domain.subscriptions import Status
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.admin import record
from cadenza.services.charging import Charging
from cadenza.services.subscriptions import SubscriptionService


@dataclass(frozen=True)
class PlanSet:
    """What setting a plan did: the account now (and the artist profiles linked to it), the
    plan it had, whether a paid plan was ended for it, and how many other accounts on the same
    plan went back to Free."""

    account: Account
    was: Plan
    ended_paid: bool
    others_ended: int
    artists: tuple[ArtistRef, ...] = ()


class PlanGrants:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        subscriptions: SubscriptionService,
        charging: Charging,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.subscriptions, self.charging = subscriptions, charging

    def set_plan(
        self, actor: int | None, account_id: int, plan: Plan, *, end_paid: bool = False
    ) -> PlanSet:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
            if account is None:
                raise NotFound(f"no account {account_id}", code="account_not_found")
            membership = uow.members.membership(account_id)
            sub = uow.subscriptions.get(membership.subscription_id) if membership else None
            artists = tuple(uow.artist_links.linked_artists(account_id))
        was = Plan(account.plan)
        if membership is not None and not membership.manager:
            raise Conflict(
                f"{account.email} listens on someone else's {was.value} plan: its manager "
                "removes them from it first; nothing was changed",
                code="plan_shared",
            )
        if (sub is None and plan is Plan.FREE) or (sub and sub.complimentary and sub.plan is plan):
            return PlanSet(account, was, False, 0, artists)  # as it is already
        others = sub.members - 1 if sub is not None else 0
        paid = sub is not None and not sub.complimentary and not sub.status.ended
        if sub is not None and paid:
            if sub.status is Status.ACTIVE and not end_paid:
                raise Conflict(
                    f"{account.email} has paid for {sub.plan.value} until "
                    f"{sub.period_end:%Y-%m-%d}; nothing was changed. The listener may cancel "
                    "it (it ends then), or end it now without a refund (--end-paid, or "
                    '"end_paid": true)',
                    code="plan_paid",
                )
            ended = self.charging.end(
                sub.id, Status.CANCELED, unless_paid=not end_paid, unless_charging=True
            )
            if not ended:
                raise Conflict(
                    f"a payment for {account.email}'s plan is being taken or was confirmed "
                    "just now; nothing was changed. Try again in a few minutes (or with "
                    "--end-paid once it is paid)",
                    code="plan_paid",
                )
        self.subscriptions.grant(account_id, plan)
        with self.uow() as uow:
            detail = {"plan": plan.value, "was": was.value}
            if paid:
                detail["ended_paid"] = "true"
            record(uow, self.clock.now(), actor, account_id, "plan_set", detail)
            now = uow.accounts.get(account_id)
            artists = tuple(uow.artist_links.linked_artists(account_id))
            uow.commit()
        assert now is not None
        return PlanSet(now, was, paid, max(others, 0), artists)
