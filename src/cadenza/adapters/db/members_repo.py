"""Who shares a Duo or Family subscription, and the invites to join one. In SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_billing import (
    InviteRow,
    MembershipHistoryRow,
    MembershipRow,
    SubscriptionRow,
)
from cadenza.adapters.db.models_creators import MembershipSpanRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.plans import Plan
from cadenza.domain.subscriptions import (
    Invite,
    Membership,
)


class SqlMembers:
    def __init__(self, session: Session) -> None:
        self.s = session

    def membership(self, user_id: int) -> Membership | None:
        row = self.s.scalar(select(MembershipRow).where(MembershipRow.user_id == user_id))
        return _membership(row) if row else None

    def of_subscription(self, subscription_id: int) -> list[Membership]:
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
        open_span(self.s, subscription_id, user_id, plan.value, now)
        return True

    def leave(self, subscription_id: int, user_id: int, now: datetime) -> bool:
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
        self._end_spans(subscription_id, now, MembershipSpanRow.user_id == user_id)
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

    def set_plans(self, subscription_id: int, plan: Plan, now: datetime) -> None:
        """Every member of the subscription now listens on this plan (from `now` in their
        membership spans, when it is another plan than before)."""
        members = select(MembershipRow.user_id).where(
            MembershipRow.subscription_id == subscription_id
        )
        self.s.execute(update(UserRow).where(UserRow.id.in_(members)).values(plan=plan.value))
        self._end_spans(subscription_id, now, MembershipSpanRow.plan != plan.value)
        spanned = set(
            self.s.scalars(
                select(MembershipSpanRow.user_id).where(
                    MembershipSpanRow.subscription_id == subscription_id,
                    MembershipSpanRow.ended_at.is_(None),
                )
            )
        )
        for user_id in self.s.scalars(members):
            if user_id not in spanned:
                open_span(self.s, subscription_id, user_id, plan.value, now)

    def _end_spans(self, subscription_id: int, now: datetime, *which: Any) -> None:
        self.s.execute(
            update(MembershipSpanRow)
            .where(
                MembershipSpanRow.subscription_id == subscription_id,
                MembershipSpanRow.ended_at.is_(None),
                *which,
            )
            .values(ended_at=as_utc(now))
            .execution_options(synchronize_session=False)
        )

    def end_memberships(self, subscription_id: int, now: datetime) -> list[int]:
        """The subscription is over: everyone on it goes back to Free. Returns who."""
        self._end_spans(subscription_id, now)
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


def open_span(s: Session, subscription_id: int, user_id: int, plan: str, now: datetime) -> None:
    s.add(
        MembershipSpanRow(
            subscription_id=subscription_id, user_id=user_id, plan=plan, started_at=as_utc(now)
        )
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
