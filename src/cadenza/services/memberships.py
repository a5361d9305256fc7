"""Duo and Family: the manager invites, members join (one home for a Family), the manager sets
each member's explicit-content filter, and removing a member puts them back on Free."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.errors import Conflict, Forbidden, InvalidRequest, NotFound
from cadenza.domain.mail import Email, normalise_email
from cadenza.domain.plans import INVITE_TTL, Plan, may_switch_family
from cadenza.domain.subscriptions import Membership, Subscription
from cadenza.ports.clock import Clock
from cadenza.ports.mail import Mailer
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.access_tokens import new_secret_token, token_hash

MAX_OPEN_INVITES = 10
INVALID_INVITE = "this invitation is not valid, was used, or has expired"


@dataclass(frozen=True)
class Invitation:
    link: str
    token: str
    expires_in_days: int


def normalise_address(raw: str) -> str:
    """Compare home addresses the way people write them: case, spaces and punctuation aside."""
    return re.sub(r"[\W_]+", " ", raw.casefold()).strip()


class PlanMembers:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, mailer: Mailer, public_url: str
    ) -> None:
        self.uow, self.clock, self.mailer = uow, clock, mailer
        self.public_url = public_url.rstrip("/")

    def members(self, account_id: int) -> tuple[Subscription, list[Membership]]:
        with self.uow() as uow:
            membership = uow.members.membership(account_id)
            if membership is None:
                raise NotFound("this account is on no shared plan", code="no_subscription")
            sub = uow.subscriptions.get(membership.subscription_id)
            assert sub is not None
            return sub, uow.members.of_subscription(sub.id)

    def set_home(self, manager_id: int, address: str) -> None:
        sub = self._managed_group(manager_id)
        if not sub.plan.features.one_home:
            raise InvalidRequest("only a Family plan has a home address", code="not_a_family")
        if not normalise_address(address):
            raise InvalidRequest("give the home's street address", code="invalid_address")
        with self.uow() as uow:
            uow.subscriptions.update_subscription(sub.id, home_address=address.strip())
            uow.commit()

    def invite(self, manager_id: int, email: str | None = None) -> Invitation:
        sub = self._managed_group(manager_id)
        room = min(
            sub.plan.features.accounts,
            sub.next_plan.features.accounts if sub.next_plan else sub.plan.features.accounts,
        )
        if sub.plan.features.accounts < 2:
            raise InvalidRequest("only Duo and Family plans have members", code="not_a_shared_plan")
        if sub.members >= room:
            raise Conflict(f"the plan has room for {sub.plan.features.accounts}", code="plan_full")
        if sub.plan.features.one_home and not self._home(sub.id):
            raise InvalidRequest(
                "set the family's home address before inviting", code="home_address_required"
            )
        address = normalise_email(email) if email else None
        token = new_secret_token()
        now = self.clock.now()
        with self.uow() as uow:
            if uow.members.open_invites(sub.id, now) >= MAX_OPEN_INVITES:
                raise Conflict(
                    f"{MAX_OPEN_INVITES} invitations are open already; wait for them to be used "
                    "or to expire",
                    code="too_many_invites",
                )
            uow.members.add_invite(sub.id, token_hash(token), address, now, now + INVITE_TTL)
            manager = uow.accounts.get(manager_id)
            uow.commit()
        link = f"{self.public_url}/join?token={token}"
        if address and manager is not None:
            self.mailer.send(
                Email(
                    to=address,
                    subject=f"{manager.display_name} invites you to their Premium plan",
                    text=f"{manager.display_name} invites you to join their "
                    f"{sub.plan.value.replace('_', ' ')} plan on Cadenza. Sign in or sign up, "
                    f"then open this link within {INVITE_TTL.days} days:\n{link}\n",
                ),
            )
        return Invitation(link, token, INVITE_TTL.days)

    def accept(self, account_id: int, token: str, home_address: str | None = None) -> Subscription:
        now = self.clock.now()
        with self.uow() as uow:
            invite = uow.members.invite(token_hash(token))
            if invite is None or invite.accepted_by is not None or invite.expires_at <= now:
                raise NotFound(INVALID_INVITE, code="invite_invalid")
            sub = uow.subscriptions.lock_subscription(invite.subscription_id)
            if sub is None or not sub.status.grants_plan:
                raise NotFound(INVALID_INVITE, code="invite_invalid")
            joiner = uow.accounts.get(account_id)
            if invite.email and (joiner is None or joiner.email.lower() != invite.email.lower()):
                raise Forbidden(
                    "this invitation was sent to another address", code="invite_for_someone_else"
                )
            if uow.members.membership(account_id) is not None:
                raise Conflict(
                    "you are already on a plan: cancel or leave it first", code="already_subscribed"
                )
            if sub.plan.features.one_home:
                home = uow.subscriptions.home_address(sub.id) or ""
                if not home_address or normalise_address(home_address) != normalise_address(home):
                    raise Forbidden(
                        "a Family plan is for one home: confirm the manager's home address",
                        code="address_mismatch",
                    )
                joins = uow.members.joins(account_id, Plan.PREMIUM_FAMILY)
                if not may_switch_family(joins, sub.id, now):
                    raise Forbidden(
                        "you may switch to another Family plan once every 12 months",
                        code="family_switch_limit",
                    )
            if not uow.members.accept_invite(invite.id, account_id):
                raise NotFound(INVALID_INVITE, code="invite_invalid")
            if not uow.members.join(sub.id, account_id, sub.plan.features.accounts, sub.plan, now):
                raise Conflict(
                    f"the plan is full ({sub.plan.features.accounts} accounts)", code="plan_full"
                )
            uow.members.set_plans(sub.id, sub.plan, now)
            uow.audit.add(
                account_id, AuditEvent("joined_plan", now, None, None, {"plan": sub.plan.value})
            )
            uow.commit()
        return self._subscription(sub.id)

    def remove(self, manager_id: int, member_id: int) -> None:
        """The manager takes a member off: they are on Free at once."""
        sub = self._managed_group(manager_id)
        self._leave(sub.id, member_id)
        with self.uow() as uow:
            member = uow.accounts.get(member_id)
        if member is not None:
            self.mailer.send(
                Email(
                    to=member.email,
                    subject="You have left a shared Premium plan",
                    text="The plan's manager removed you from their plan. Your account is on "
                    "Free again; your playlists and library stay yours.\n",
                )
            )

    def leave(self, account_id: int) -> None:
        with self.uow() as uow:
            membership = uow.members.membership(account_id)
        if membership is None or membership.manager:
            raise Conflict(
                "only members leave a shared plan; the manager cancels it", code="not_a_member"
            )
        self._leave(membership.subscription_id, account_id)

    def set_explicit(self, manager_id: int, member_id: int, allow: bool) -> None:
        sub = self._managed_group(manager_id)
        with self.uow() as uow:
            if not uow.members.set_explicit(sub.id, member_id, allow):
                raise NotFound("no such member of your plan", code="member_not_found")
            uow.commit()

    def _leave(self, subscription_id: int, member_id: int) -> None:
        now = self.clock.now()
        with self.uow() as uow:
            if not uow.members.leave(subscription_id, member_id, now):
                raise NotFound("no such member of your plan", code="member_not_found")
            uow.audit.add(member_id, AuditEvent("left_plan", now, None, None))
            uow.commit()

    def _managed_group(self, manager_id: int) -> Subscription:
        with self.uow() as uow:
            membership = uow.members.membership(manager_id)
            sub = uow.subscriptions.get(membership.subscription_id) if membership else None
        if membership is None or sub is None:
            raise NotFound("this account is on no plan", code="no_subscription")
        if not membership.manager:
            raise Forbidden("only the plan's manager does that", code="not_the_manager")
        if not sub.status.grants_plan:
            raise Conflict("the plan is not active", code="plan_not_active")
        return sub

    def _home(self, subscription_id: int) -> str | None:
        with self.uow() as uow:
            return uow.subscriptions.home_address(subscription_id)

    def _subscription(self, subscription_id: int) -> Subscription:
        with self.uow() as uow:
            sub = uow.subscriptions.get(subscription_id)
        assert sub is not None
        return sub
