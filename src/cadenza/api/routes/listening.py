"""Listening events from players, and the listener's recently played tracks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from cadenza.api.deps import ClientIp, CurrentSession, FraudDep, ListeningDep, TallyDep
from cadenza.api.request_body import RequestBody
from cadenza.domain.listening import EventKind, ListeningEvent, PlaySource
from cadenza.services.listening import MAX_EVENTS_PER_BATCH

router = APIRouter(prefix="/api/v1/me/player", tags=["playback"])

ClientId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class EventIn(RequestBody):
    id: ClientId = Field(description="The client's id for this event; resending it is harmless")
    play_id: ClientId = Field(description="The client's id for this playback of the track")
    kind: EventKind
    track_id: int = Field(ge=1, le=2_147_483_647)
    device: str = Field(min_length=1, max_length=100)
    position_ms: int = Field(ge=0, le=10**10)
    seek_to_ms: int | None = Field(None, ge=0, le=10**10)
    at: AwareDatetime
    source: PlaySource | None = Field(
        None,
        description="On a start: where the listener started the play (artist, release, "
        "own_playlist, editorial, algorithmic, search, library, other)",
    )

    def event(self) -> ListeningEvent:
        return ListeningEvent(
            client_id=self.id,
            play_id=self.play_id,
            kind=self.kind,
            track_id=self.track_id,
            device=self.device,
            position_ms=self.position_ms,
            at=self.at,
            seek_to_ms=self.seek_to_ms,
            source=self.source,
        )


class EventsIn(RequestBody):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS_PER_BATCH)


class RejectedOut(BaseModel):
    id: str
    code: str


class EventsOut(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[RejectedOut]


class RecentOut(BaseModel):
    track_id: int
    played_at: datetime
    listened_ms: int


class RecentPageOut(BaseModel):
    items: list[RecentOut]
    limit: int
    offset: int


@router.post("/events", response_model=EventsOut)
def events(
    body: EventsIn,
    session: CurrentSession,
    listening: ListeningDep,
    fraud: FraudDep,
    ip: ClientIp,
    tally: TallyDep,
) -> EventsOut:
    """Report start, progress (every 10-30 s), pause, resume, seek, skip and end. Events are
    kept once by their id and stored before the answer, with each play's verdict: it counts
    at 30 s listened on a stream grant issued to this device for the track (or, offline, a
    download licensed to it), within the time since that grant, of a track playable then, not
    overlapping another counted play. Online plays are accepted up to 24 h late
    (`online_event_too_old`), offline ones up to 30 days (`event_too_old`)."""
    report = listening.record(session.account_id, [e.event() for e in body.events])
    fraud.saw_listening(session.account_id, ip)  # the address, for the fraud job
    tally.events(report.accepted, len(report.rejected))  # GET /metrics
    return EventsOut(
        accepted=report.accepted,
        duplicates=report.duplicates,
        rejected=[RejectedOut(id=i, code=c) for i, c in report.rejected],
    )


@router.get("/recently-played", response_model=RecentPageOut)
def recently_played(
    session: CurrentSession,
    listening: ListeningDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> RecentPageOut:
    """Tracks I listened to for at least 30 seconds, newest first, counted as streams or not."""
    plays = listening.recently_played(session.account_id, limit, offset)
    return RecentPageOut(
        items=[
            RecentOut(track_id=p.track_id, played_at=p.played_at, listened_ms=p.listened_ms)
            for p in plays
        ],
        limit=limit,
        offset=offset,
    )
