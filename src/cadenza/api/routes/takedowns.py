"""Taking releases down: a distributor its own, an admin any. Gone from listeners and search
at once; the distributor still sees it in its own list. DELETE puts it back. An optional
{"reason"} says why; admins read each release's history of who did what, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from cadenza.api.deps import AdminSession, DistributorId, Id, TakedownsDep
from cadenza.api.request_body import RequestBody
from cadenza.domain.catalog import ReleaseView, TakedownEvent
from cadenza.services.takedowns import TakedownBy

router = APIRouter(prefix="/api/v1", tags=["takedowns"])


class TakedownOut(BaseModel):
    id: int
    title: str
    taken_down: bool
    taken_down_at: datetime | None

    @classmethod
    def of(cls, r: ReleaseView) -> TakedownOut:
        return cls(
            id=r.id,
            title=r.title,
            taken_down=r.taken_down_at is not None,
            taken_down_at=r.taken_down_at,
        )


class TakedownIn(RequestBody):
    reason: str | None = Field(
        default=None, max_length=500, description="why (a rights claim, a court order...)"
    )


Reason = Annotated[TakedownIn | None, Body()]


class TakedownEventOut(BaseModel):
    action: str  # taken_down | restored
    at: datetime
    by: str  # admin:ID | distributor:ID
    reason: str | None

    @classmethod
    def of(cls, e: TakedownEvent) -> TakedownEventOut:
        return cls(action=e.action, at=e.at, by=e.by, reason=e.reason)


def _reason(body: TakedownIn | None) -> str | None:
    return body.reason if body else None


@router.post("/distributor/releases/{release_id}/takedown", response_model=TakedownOut)
def distributor_take_down(
    release_id: Id, takedowns: TakedownsDep, distributor: DistributorId, body: Reason = None
) -> TakedownOut:
    """Withdraw one of this distributor's releases (404 for anyone else's)."""
    by = TakedownBy(distributor=distributor)
    return TakedownOut.of(takedowns.take_down(release_id, by, _reason(body)))


@router.delete("/distributor/releases/{release_id}/takedown", response_model=TakedownOut)
def distributor_restore(
    release_id: Id, takedowns: TakedownsDep, distributor: DistributorId, body: Reason = None
) -> TakedownOut:
    by = TakedownBy(distributor=distributor)
    return TakedownOut.of(takedowns.restore(release_id, by, _reason(body)))


@router.post("/admin/releases/{release_id}/takedown", response_model=TakedownOut)
def admin_take_down(
    release_id: Id, session: AdminSession, takedowns: TakedownsDep, body: Reason = None
) -> TakedownOut:
    """Withdraw any release (a rights claim, a court order); recorded in the admin's own
    security events and the release's takedown history."""
    by = TakedownBy(admin=session.account_id)
    return TakedownOut.of(takedowns.take_down(release_id, by, _reason(body)))


@router.delete("/admin/releases/{release_id}/takedown", response_model=TakedownOut)
def admin_restore(
    release_id: Id, session: AdminSession, takedowns: TakedownsDep, body: Reason = None
) -> TakedownOut:
    by = TakedownBy(admin=session.account_id)
    return TakedownOut.of(takedowns.restore(release_id, by, _reason(body)))


@router.get("/admin/releases/{release_id}/takedowns", response_model=list[TakedownEventOut])
def admin_takedown_history(
    release_id: Id, session: AdminSession, takedowns: TakedownsDep
) -> list[TakedownEventOut]:
    """Who took this release down or put it back, when and why; newest first."""
    return [TakedownEventOut.of(e) for e in takedowns.history(release_id, session.account_id)]
