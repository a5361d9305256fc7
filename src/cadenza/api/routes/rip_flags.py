"""Rip detection for admins: accounts whose fetched audio outran real time, with the evidence;
suspend one (it is disabled, as any account an admin disables) or dismiss the flag."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cadenza.api.deps import AdminSession, Id, RipWatchDep
from cadenza.domain.ripping import RipFlag

router = APIRouter(prefix="/api/v1/admin/rip-flags", tags=["admin"])


class RipFlagOut(BaseModel):
    id: int
    user_id: int
    status: str
    flagged_at: datetime
    audio_seconds: float
    allowed_seconds: float
    window_seconds: float
    evidence: dict[str, object]
    reviewed_by: int | None
    reviewed_at: datetime | None

    @classmethod
    def of(cls, f: RipFlag) -> RipFlagOut:
        return cls(
            id=f.id,
            user_id=f.account_id,
            status=f.status,
            flagged_at=f.flagged_at,
            audio_seconds=f.audio_seconds,
            allowed_seconds=f.allowed_seconds,
            window_seconds=f.window_seconds,
            evidence=f.evidence,
            reviewed_by=f.reviewed_by,
            reviewed_at=f.reviewed_at,
        )


@router.get("", response_model=list[RipFlagOut])
def rip_flags(
    session: AdminSession,
    rip_watch: RipWatchDep,
    status: Annotated[Literal["open", "suspended", "dismissed"] | None, Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[RipFlagOut]:
    """Newest first; open ones by default."""
    return [RipFlagOut.of(f) for f in rip_watch.flags(session.account_id, status, limit, offset)]


@router.post("/{flag_id}/suspend", response_model=RipFlagOut)
def suspend(flag_id: Id, session: AdminSession, rip_watch: RipWatchDep) -> RipFlagOut:
    """Disable the account: sessions and keys end, and stream grants it holds stop serving."""
    return RipFlagOut.of(rip_watch.suspend(session.account_id, flag_id))


@router.post("/{flag_id}/dismiss", response_model=RipFlagOut)
def dismiss(flag_id: Id, session: AdminSession, rip_watch: RipWatchDep) -> RipFlagOut:
    """A false alarm: the account's streams are no longer paced."""
    return RipFlagOut.of(rip_watch.dismiss(session.account_id, flag_id))
