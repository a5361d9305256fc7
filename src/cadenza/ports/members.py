"""Who shares a Duo or Family subscription, and the invites to join one."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.plans import Plan
from cadenza.domain.subscriptions import Invite, Membership


class MemberRepository(Protocol):
    """Who shares a Duo or Family subscription, and the invites to join one."""

    def membership(self, user_id: int) -> Membership | None: ...

    def of_subscription(self, subscription_id: int) -> list[Membership]: ...

    def join(
        self, subscription_id: int, user_id: int, limit: int, plan: Plan, now: datetime
    ) -> bool: ...

    def leave(self, subscription_id: int, user_id: int, now: datetime) -> bool: ...

    def joins(self, user_id: int, plan: Plan) -> list[tuple[int, datetime]]: ...

    def set_explicit(self, subscription_id: int, user_id: int, allow: bool) -> bool: ...

    def set_plans(self, subscription_id: int, plan: Plan, now: datetime) -> None: ...

    def end_memberships(self, subscription_id: int, now: datetime) -> list[int]: ...

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
