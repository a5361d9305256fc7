"""Accounts as an admin sees them: search, look, disable and enable, reset two-factor, set
roles and plans, link artist profiles, read security events. Admins only (403 for anyone else, 401
without a session); every call is written to the security events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cadenza.api.deps import AccountAdminDep, AdminSession, Id, PasswordsDep, PlanGrantsDep
from cadenza.api.request_body import RequestBody
from cadenza.api.schemas import AdminUserOut, ArtistRefOut, Page
from cadenza.domain.accounts import Role
from cadenza.domain.plans import Plan

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class RolesIn(RequestBody):
    roles: list[Role] = Field(max_length=4, description="listener is always kept")


class PlanIn(RequestBody):
    plan: Plan
    end_paid: bool = Field(
        default=False,
        description="end a plan the listener has paid for now, without a refund",
    )


class AdminEventOut(BaseModel):
    kind: str
    at: datetime
    ip: str | None
    device: str | None
    detail: dict[str, str]


@router.get("/users", response_model=Page[AdminUserOut])
def list_users(
    session: AdminSession,
    admin: AccountAdminDep,
    q: Annotated[
        str | None, Query(max_length=100, description="part of an e-mail or display name")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[AdminUserOut]:
    found = admin.search(session.account_id, q, limit, offset)
    following = None
    if len(found) == limit:
        query = {"limit": limit, "offset": offset + limit} | ({"q": q} if q else {})
        following = f"/api/v1/admin/users?{urlencode(query)}"
    return Page[AdminUserOut](
        items=[AdminUserOut.of(a) for a in found], limit=limit, offset=offset, next=following
    )


@router.get("/users/{user_id}", response_model=AdminUserOut)
def show_user(user_id: Id, session: AdminSession, admin: AccountAdminDep) -> AdminUserOut:
    return AdminUserOut.of(*admin.user(session.account_id, user_id))


@router.post("/users/{user_id}/disable", response_model=AdminUserOut)
def disable_user(user_id: Id, session: AdminSession, admin: AccountAdminDep) -> AdminUserOut:
    """Ends every session and API key; the account cannot sign in until enabled."""
    return AdminUserOut.of(*admin.disable(session.account_id, user_id))


@router.post("/users/{user_id}/enable", response_model=AdminUserOut)
def enable_user(user_id: Id, session: AdminSession, admin: AccountAdminDep) -> AdminUserOut:
    return AdminUserOut.of(*admin.enable(session.account_id, user_id))


@router.post("/users/{user_id}/reset-two-factor", response_model=AdminUserOut)
def reset_two_factor(user_id: Id, session: AdminSession, admin: AccountAdminDep) -> AdminUserOut:
    """For an owner who lost both the authenticator and the recovery codes."""
    return AdminUserOut.of(*admin.reset_two_factor(session.account_id, user_id))


@router.put("/users/{user_id}/roles", response_model=AdminUserOut)
def set_roles(
    user_id: Id, body: RolesIn, session: AdminSession, admin: AccountAdminDep
) -> AdminUserOut:
    """An account that loses the artist role loses its artist profiles too."""
    return AdminUserOut.of(*admin.set_roles(session.account_id, user_id, body.roles))


@router.put("/users/{user_id}/plan", response_model=AdminUserOut)
def set_plan(
    user_id: Id, body: PlanIn, session: AdminSession, plans: PlanGrantsDep
) -> AdminUserOut:
    """Give or take a plan, free of charge; it holds at once. 409 `plan_paid` while a period
    the listener paid for runs (unless `end_paid`), 409 `plan_shared` for an account on
    someone else's Duo or Family plan."""
    done = plans.set_plan(session.account_id, user_id, body.plan, end_paid=body.end_paid)
    return AdminUserOut.of(done.account, done.artists)


@router.put("/users/{user_id}/artists/{artist_id}", response_model=list[ArtistRefOut])
def link_artist(
    user_id: Id, artist_id: Id, session: AdminSession, admin: AccountAdminDep
) -> list[ArtistRefOut]:
    """Link an artist account to a catalog artist (422 `not_an_artist` without the role)."""
    return [ArtistRefOut.of(a) for a in admin.link_artist(session.account_id, user_id, artist_id)]


@router.delete("/users/{user_id}/artists/{artist_id}", response_model=list[ArtistRefOut])
def unlink_artist(
    user_id: Id, artist_id: Id, session: AdminSession, admin: AccountAdminDep
) -> list[ArtistRefOut]:
    linked = admin.unlink_artist(session.account_id, user_id, artist_id)
    return [ArtistRefOut.of(a) for a in linked]


@router.get("/users/{user_id}/security-events", response_model=list[AdminEventOut])
def user_security_events(
    user_id: Id,
    session: AdminSession,
    admin: AccountAdminDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AdminEventOut]:
    return [
        AdminEventOut(kind=e.kind, at=e.at, ip=e.ip, device=e.device, detail=e.detail)
        for e in admin.security_events(session.account_id, user_id, limit)
    ]


class ForceResetIn(RequestBody):
    emails: list[Annotated[str, Field(max_length=320)]] = Field(min_length=1, max_length=10_000)


class ForceResetOut(BaseModel):
    requested: int = Field(description="Distinct addresses in the request")
    found: int = Field(description="Accounts found: their passwords must now be reset")


@router.post("/force-password-reset", response_model=ForceResetOut)
def force_password_reset(
    body: ForceResetIn, session: AdminSession, passwords: PasswordsDep
) -> ForceResetOut:
    """After a leak elsewhere: each listed account's sessions, refresh tokens and API keys end,
    its old password stops working, and its owner is mailed a reset link."""
    emails = list(dict.fromkeys(e.strip().casefold() for e in body.emails if e.strip()))
    found = sum(passwords.force_reset(session.account_id, e) for e in emails)
    return ForceResetOut(requested=len(emails), found=found)
