"""Artificial streams: admins list the fraud job's flags (by account, with the reasons) and
review them (clear: the streams count again; confirm: they stay flagged); a distributor sees
flagged streams per track of its own releases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cadenza.api.deps import AdminSession, FraudDep, Id, ReadingDistributorId
from cadenza.api.request_body import RequestBody
from cadenza.domain.fraud import FraudFlag, TrackFlags

router = APIRouter(prefix="/api/v1", tags=["fraud"])


class ReasonOut(BaseModel):
    signal: str  # crowd, cohort, short, clock, no_skips, hours, long_tail, new, trial
    strength: float  # 0..1
    text: str


class FraudFlagOut(BaseModel):
    id: int
    user_id: int
    status: str  # open | confirmed | cleared
    score: float
    reasons: list[ReasonOut]
    streams: int
    window_start: datetime
    window_end: datetime
    flagged_at: datetime
    reviewed_by: int | None
    reviewed_at: datetime | None

    @classmethod
    def of(cls, f: FraudFlag) -> FraudFlagOut:
        return cls(
            id=f.id,
            user_id=f.account_id,
            status=f.status,
            score=f.score,
            reasons=[ReasonOut.model_validate(r) for r in f.reasons],
            streams=f.streams,
            window_start=f.window_start,
            window_end=f.window_end,
            flagged_at=f.flagged_at,
            reviewed_by=f.reviewed_by,
            reviewed_at=f.reviewed_at,
        )


class ReviewIn(RequestBody):
    clear: bool = Field(description="true: a false alarm, the streams count again")


class TrackFlagsOut(BaseModel):
    track_id: int
    title: str
    release_id: int
    release_title: str
    streams: int  # counted
    flagged: int  # of those, flagged as artificial

    @classmethod
    def of(cls, t: TrackFlags) -> TrackFlagsOut:
        return cls(
            track_id=t.track_id,
            title=t.title,
            release_id=t.release_id,
            release_title=t.release_title,
            streams=t.streams,
            flagged=t.flagged,
        )


@router.get("/admin/fraud/flags", response_model=list[FraudFlagOut])
def fraud_flags(
    session: AdminSession,
    fraud: FraudDep,
    status: Annotated[Literal["open", "confirmed", "cleared"] | None, Query()] = "open",
    user_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[FraudFlagOut]:
    """Flagged accounts, highest score first; open ones by default."""
    found = fraud.flags(session.account_id, status, user_id, limit, offset)
    return [FraudFlagOut.of(f) for f in found]


@router.post("/admin/fraud/flags/{flag_id}/review", response_model=FraudFlagOut)
def review(flag_id: Id, body: ReviewIn, session: AdminSession, fraud: FraudDep) -> FraudFlagOut:
    """Clear (the account's streams in the flag's window count again) or confirm; once."""
    return FraudFlagOut.of(fraud.review(session.account_id, flag_id, body.clear))


@router.get("/distributor/fraud/tracks", response_model=list[TrackFlagsOut])
def flagged_tracks(distributor: ReadingDistributorId, fraud: FraudDep) -> list[TrackFlagsOut]:
    """This distributor's tracks with streams flagged as artificial (they earn nothing)."""
    return [TrackFlagsOut.of(t) for t in fraud.flagged_tracks(distributor)]
