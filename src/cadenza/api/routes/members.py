"""Duo and Family plans: members, invitations, the home address and explicit-content filters."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from cadenza.api.deps import CurrentSession, Id, PlanMembersDep
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.plans import SubscriptionOut

router = APIRouter(prefix="/api/v1", tags=["plans"])


class MemberOut(BaseModel):
    id: int
    display_name: str
    email: str | None = Field(None, description="Shown to the plan's manager only")
    manager: bool
    allow_explicit: bool
    joined_at: datetime


class MembersOut(BaseModel):
    plan: str
    room_for: int
    members: list[MemberOut]


class HomeIn(RequestBody):
    address: str = Field(min_length=1, max_length=300)


class InviteIn(RequestBody):
    email: str | None = Field(None, max_length=254)


class InviteOut(BaseModel):
    link: str
    token: str
    expires_in_days: int


class AcceptIn(RequestBody):
    token: str = Field(min_length=1, max_length=200)
    home_address: str | None = Field(None, max_length=300)


class ExplicitIn(RequestBody):
    allow: bool


@router.get("/me/plan/members", response_model=MembersOut)
def members(session: CurrentSession, plan_members: PlanMembersDep) -> MembersOut:
    sub, people = plan_members.members(session.account_id)
    manager = any(m.manager and m.user_id == session.account_id for m in people)
    return MembersOut(
        plan=sub.plan.value,
        room_for=sub.plan.features.accounts,
        members=[
            MemberOut(
                id=m.user_id,
                display_name=m.display_name,
                email=m.email if manager or m.user_id == session.account_id else None,
                manager=m.manager,
                allow_explicit=m.allow_explicit,
                joined_at=m.joined_at,
            )
            for m in people
        ],
    )


@router.put("/me/plan/home", status_code=status.HTTP_204_NO_CONTENT)
def set_home(body: HomeIn, session: CurrentSession, plan_members: PlanMembersDep) -> None:
    """Family: the home the members confirm when they join."""
    plan_members.set_home(session.account_id, body.address)


@router.post("/me/plan/invites", response_model=InviteOut, status_code=201)
def invite(body: InviteIn, session: CurrentSession, plan_members: PlanMembersDep) -> InviteOut:
    """An invitation link (mailed too, when an address is given), valid for a week, used once."""
    made = plan_members.invite(session.account_id, body.email)
    return InviteOut(link=made.link, token=made.token, expires_in_days=made.expires_in_days)


@router.post("/plan-invites/accept", response_model=SubscriptionOut)
def accept(
    body: AcceptIn, session: CurrentSession, plan_members: PlanMembersDep
) -> SubscriptionOut:
    sub = plan_members.accept(session.account_id, body.token, body.home_address)
    return SubscriptionOut.of(sub, False)


@router.delete("/me/plan/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove(member_id: Id, session: CurrentSession, plan_members: PlanMembersDep) -> None:
    """The manager removes a member, who is on Free at once."""
    plan_members.remove(session.account_id, member_id)


@router.post("/me/plan/leave", status_code=status.HTTP_204_NO_CONTENT)
def leave(session: CurrentSession, plan_members: PlanMembersDep) -> None:
    plan_members.leave(session.account_id)


@router.put("/me/plan/members/{member_id}/explicit", status_code=status.HTTP_204_NO_CONTENT)
def set_explicit(
    member_id: Id, body: ExplicitIn, session: CurrentSession, plan_members: PlanMembersDep
) -> None:
    """The manager allows or filters explicit content for a member."""
    plan_members.set_explicit(session.account_id, member_id, body.allow)
