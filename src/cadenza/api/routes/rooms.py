"""Live audio rooms over HTTP: open or schedule one, the Live shelf, a room's page, a ticket
for its socket, hands, reactions and mutes, the host's and moderators' gestures, reports for
the admins, the end of a room and its recording. The socket carries the stage's audio both
ways (speakers send 20 ms PCM frames; everyone gets the mixed stage every 40 ms) and the room's
state as JSON messages."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, WebSocket, status
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from cadenza.api.deps import (
    BlobsDep,
    CurrentSession,
    Id,
    LiveRoomsDep,
    RoomEpisodesDep,
    RoomsDep,
)
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.podcasts import EpisodeOut
from cadenza.api.stored_blob import stored_blob_response
from cadenza.domain import rooms as rules
from cadenza.domain.errors import CadenzaError
from cadenza.domain.podcasts import Episode
from cadenza.domain.rooms import Room, RoomNotice, RoomReport
from cadenza.ports.room_episode_jobs import RoomEpisodeJob
from cadenza.services.rooms_live import LiveRooms, Participant

router = APIRouter(prefix="/api/v1/rooms", tags=["rooms"])

TicketQuery = Annotated[str, Query(min_length=10, max_length=400)]
JobId = Annotated[str, Path(min_length=36, max_length=36, pattern="^[0-9a-f-]{36}$")]
CodecQuery = Annotated[
    Literal["pcm", "opus"],
    Query(description="How the stage comes: 40 ms of PCM, or the same as one Opus packet"),
]
SendQuery = Annotated[
    Literal["pcm", "opus"],
    Query(description="How a speaker's voice comes: 20 ms of PCM, or one Opus packet a message"),
]
# Why a socket closed, in WebSocket close codes (4000 + the HTTP status it would have been).
CLOSE_CODES = {"removed": 4403, "joined_elsewhere": 4409, "ended": 4410, "too_slow": 4429}


class RoomIn(RequestBody):
    title: str = Field(max_length=rules.TITLE_MAX * 2)
    topics: list[Annotated[str, Field(max_length=rules.TOPIC_MAX * 2)]] = Field(
        default_factory=list, max_length=rules.TOPICS_MAX * 2
    )
    starts_at: datetime | None = Field(None, description="Later: a scheduled room; else now")
    record: bool = True


class PersonOut(BaseModel):
    id: int
    name: str
    role: str
    on_stage: bool
    muted: bool
    hand: bool


class RoomOut(BaseModel):
    id: int
    title: str
    topics: list[str]
    state: str
    host: dict[str, object]
    starts_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    recorded: bool
    recording_url: str | None
    recording_seconds: float
    url: str
    page: str
    stage: list[PersonOut] = []
    listener_count: int = 0

    @classmethod
    def of(cls, room: Room, live: LiveRooms | None = None) -> RoomOut:
        stage, count = live.summary(room.id) if live is not None else ([], 0)
        return cls(
            id=room.id,
            title=room.title,
            topics=list(room.topics),
            state=room.state.value,
            host={"id": room.host_id, "name": room.host_name},
            starts_at=room.starts_at,
            started_at=room.started_at,
            ended_at=room.ended_at,
            recorded=room.recorded,
            recording_url=f"/api/v1/rooms/{room.id}/recording" if room.recording else None,
            recording_seconds=room.recording_seconds,
            url=f"/api/v1/rooms/{room.id}",
            page=f"/room/{room.id}",
            stage=[PersonOut.model_validate(card) for card in stage],
            listener_count=count,
        )


class ShelfOut(BaseModel):
    live: list[RoomOut]
    upcoming: list[RoomOut]


class NoticeOut(BaseModel):
    room_id: int
    title: str
    host_name: str
    state: str
    starts_at: datetime
    created_at: datetime
    page: str

    @classmethod
    def of(cls, n: RoomNotice) -> NoticeOut:
        return cls(
            room_id=n.room_id,
            title=n.title,
            host_name=n.host_name,
            state=n.state.value,
            starts_at=n.starts_at,
            created_at=n.created_at,
            page=f"/room/{n.room_id}",
        )


class TicketOut(BaseModel):
    ticket: str
    socket_url: str = Field(description="Open this WebSocket within a minute")


class HandIn(RequestBody):
    up: bool = True


class ReactionIn(RequestBody):
    kind: str = Field(max_length=20, description=", ".join(rules.REACTIONS))


class MuteIn(RequestBody):
    muted: bool = True


class RemoveIn(RequestBody):
    block: bool = False


class ModeratorIn(RequestBody):
    moderator: bool = True


class ReportIn(RequestBody):
    user_id: int | None = Field(None, ge=1, le=2_147_483_647, description="None: the room")
    reason: str = Field(max_length=rules.REPORT_REASON_MAX * 2)


class ReportOut(BaseModel):
    id: int
    room_id: int
    room_title: str
    reporter: dict[str, object]
    subject: dict[str, object] | None
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, r: RoomReport) -> ReportOut:
        subject: dict[str, object] | None = None
        if r.subject_id is not None:
            subject = {"id": r.subject_id, "name": r.subject_name}
        return cls(
            id=r.id,
            room_id=r.room_id,
            room_title=r.room_title,
            reporter={"id": r.reporter_id, "name": r.reporter_name},
            subject=subject,
            reason=r.reason,
            created_at=r.created_at,
        )


class ReportMade(BaseModel):
    id: int


class PublishIn(RequestBody):
    show_id: int = Field(ge=1, le=2_147_483_647, description="One of the host's hosted shows")
    title: str | None = Field(None, max_length=300, description="The room's title without")
    notes: str = Field("", max_length=20_000)


class PublishingOut(BaseModel):
    id: str
    status: str = Field(description="queued | processing | published | failed")
    stage: str | None = Field(description="copy | encode (loudness, the Opus ladder) | list")
    progress: float = Field(description="0 to 1")
    status_url: str = Field(description="Poll this until `status` is published or failed")
    show_id: int
    episode: EpisodeOut | None = Field(description="Once published")
    error: dict[str, str | None] | None = Field(description="Once failed: a stable `code`")

    @classmethod
    def of(cls, job: RoomEpisodeJob, episode: Episode | None) -> PublishingOut:
        error = None
        if job.error_code:
            error = {"code": job.error_code, "message": job.error_message}
        return cls(
            id=job.id,
            status=job.status,
            stage=job.stage,
            progress=job.progress,
            status_url=f"/api/v1/rooms/{job.room_id}/episode/{job.id}",
            show_id=job.show_id,
            episode=EpisodeOut.of(episode, None) if episode is not None else None,
            error=error,
        )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RoomOut)
def open_room(body: RoomIn, session: CurrentSession, rooms: RoomsDep) -> RoomOut:
    """Open a room now, or schedule it (`starts_at`, up to 30 days ahead); the host's followers
    get a notice (`GET /api/v1/rooms/notices`)."""
    room = rooms.open(session.account_id, body.title, body.topics, body.starts_at, body.record)
    return RoomOut.of(room)


@router.get("", response_model=ShelfOut)
def shelf(session: CurrentSession, rooms: RoomsDep, live: LiveRoomsDep) -> ShelfOut:
    """The Live shelf: rooms live now, then those scheduled."""
    found = [RoomOut.of(r, live) for r in rooms.shelf()]
    return ShelfOut(
        live=[r for r in found if r.state == "live"],
        upcoming=[r for r in found if r.state == "scheduled"],
    )


@router.get("/notices", response_model=list[NoticeOut])
def notices(session: CurrentSession, rooms: RoomsDep) -> list[NoticeOut]:
    """Rooms opened or scheduled by listeners one follows, the latest first."""
    return [NoticeOut.of(n) for n in rooms.notices(session.account_id)]


@router.get("/reports", response_model=list[ReportOut])
def reports(session: CurrentSession, rooms: RoomsDep) -> list[ReportOut]:
    """Reports of rooms and of people in them, the latest first (admins only)."""
    return [ReportOut.of(r) for r in rooms.reports(session.account_id)]


@router.get("/{room_id}", response_model=RoomOut)
def room(room_id: Id, session: CurrentSession, rooms: RoomsDep, live: LiveRoomsDep) -> RoomOut:
    return RoomOut.of(rooms.get(room_id), live)


@router.post("/{room_id}/start", response_model=RoomOut)
def start(room_id: Id, session: CurrentSession, rooms: RoomsDep) -> RoomOut:
    """The host opens a scheduled room."""
    return RoomOut.of(rooms.start(session.account_id, room_id))


@router.post("/{room_id}/end", response_model=RoomOut)
async def end(room_id: Id, session: CurrentSession, rooms: RoomsDep, live: LiveRoomsDep) -> RoomOut:
    """The host or an admin ends the room: everyone in it is let go, the recording is kept."""
    await run_in_threadpool(rooms.check_may_end, session.account_id, room_id)
    await live.end(room_id)
    return RoomOut.of(await run_in_threadpool(rooms.get, room_id))


@router.post("/{room_id}/ticket", response_model=TicketOut)
def ticket(room_id: Id, session: CurrentSession, rooms: RoomsDep) -> TicketOut:
    """A one-minute ticket for the room's socket (refused to a blocked listener, and before
    the room opens or after it ended)."""
    made = rooms.ticket(session.account_id, room_id)
    return TicketOut(ticket=made, socket_url=f"/api/v1/rooms/{room_id}/socket?ticket={made}")


@router.websocket("/{room_id}/socket")
async def socket(
    websocket: WebSocket,
    room_id: Id,
    ticket: TicketQuery,
    rooms: RoomsDep,
    live: LiveRoomsDep,
    codec: CodecQuery = "pcm",
    send: SendQuery = "pcm",
) -> None:
    """The room: binary messages in are a speaker's 20 ms frames (16-bit PCM, 24 kHz, mono;
    with `send=opus`, one raw Opus packet each instead: 48 kHz mono, 20 or 40 ms, as WebCodecs'
    AudioEncoder makes them, decoded by the server; ignored from anyone not on stage); binary messages out are the stage, mixed (1 byte kind,
    4 bytes sequence number, then kind 1: 40 ms of 16-bit PCM; kind 2 with `codec=opus`: raw
    Opus packets of 40 ms each (mono, 24 kHz, about 150 bytes), each after its length in 2
    bytes, two a message, the first numbered by the sequence); text messages out are JSON
    events: `you` (with the codecs granted, `codec` and `send`), `state`, `notice`, `removed`, `ended`."""
    try:
        guest = await run_in_threadpool(rooms.admit, ticket, room_id)
    except CadenzaError as refused:
        await websocket.close(code=4000 + refused.status, reason=refused.code)
        return
    await websocket.accept()
    me = await live.join(guest.room, guest.account_id, guest.name, codec, send)
    sender = asyncio.get_running_loop().create_task(_send(websocket, me))
    try:
        while not me.outbox.closed:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            frame = message.get("bytes")
            if frame is not None:
                live.speak(room_id, me, frame)
    except WebSocketDisconnect:
        pass
    finally:
        live.leave(room_id, me)
        with contextlib.suppress(Exception):
            await sender


async def _send(websocket: WebSocket, me: Participant) -> None:
    try:
        while True:
            item = await me.outbox.next()
            if item is None:
                break
            if isinstance(item, bytes):
                await websocket.send_bytes(item)
            else:
                await websocket.send_text(item)
        reason = me.outbox.closed or "left"
        await websocket.close(code=CLOSE_CODES.get(reason, 1000), reason=reason)
    except (WebSocketDisconnect, RuntimeError, OSError):
        me.outbox.close("gone")


@router.post("/{room_id}/hand", status_code=status.HTTP_204_NO_CONTENT)
async def hand(room_id: Id, body: HandIn, session: CurrentSession, live: LiveRoomsDep) -> None:
    """Raise (or lower) one's hand to ask to speak."""
    live.hand(room_id, session.account_id, body.up)


@router.post("/{room_id}/reactions", status_code=status.HTTP_204_NO_CONTENT)
async def react(room_id: Id, body: ReactionIn, session: CurrentSession, live: LiveRoomsDep) -> None:
    live.react(room_id, session.account_id, body.kind)


@router.post("/{room_id}/mute", status_code=status.HTTP_204_NO_CONTENT)
async def mute_self(room_id: Id, body: MuteIn, session: CurrentSession, live: LiveRoomsDep) -> None:
    """A speaker mutes or unmutes their own microphone."""
    live.mute_self(room_id, session.account_id, body.muted)


@router.post("/{room_id}/people/{user_id}/stage", status_code=status.HTTP_204_NO_CONTENT)
async def to_stage(room_id: Id, user_id: Id, session: CurrentSession, live: LiveRoomsDep) -> None:
    """A moderator brings someone on stage (at most ten speakers)."""
    live.to_stage(room_id, session.account_id, user_id)


@router.post("/{room_id}/people/{user_id}/audience", status_code=status.HTTP_204_NO_CONTENT)
async def to_audience(
    room_id: Id, user_id: Id, session: CurrentSession, live: LiveRoomsDep
) -> None:
    """Back to the listeners: a moderator moves a speaker, or a speaker steps down."""
    live.to_audience(room_id, session.account_id, user_id)


@router.post("/{room_id}/people/{user_id}/mute", status_code=status.HTTP_204_NO_CONTENT)
async def mute(room_id: Id, user_id: Id, session: CurrentSession, live: LiveRoomsDep) -> None:
    live.mute(room_id, session.account_id, user_id)


@router.post("/{room_id}/people/{user_id}/moderator", status_code=status.HTTP_204_NO_CONTENT)
async def moderator(
    room_id: Id, user_id: Id, body: ModeratorIn, session: CurrentSession, live: LiveRoomsDep
) -> None:
    """The host names (or unnames) a moderator."""
    live.make_moderator(room_id, session.account_id, user_id, body.moderator)


@router.post("/{room_id}/people/{user_id}/remove", status_code=status.HTTP_204_NO_CONTENT)
async def remove(
    room_id: Id, user_id: Id, body: RemoveIn, session: CurrentSession, live: LiveRoomsDep
) -> None:
    """Out of the room now; with `block`, for good (they cannot join again)."""
    await live.remove(room_id, session.account_id, user_id, body.block)


@router.post("/{room_id}/reports", status_code=status.HTTP_201_CREATED, response_model=ReportMade)
def report(room_id: Id, body: ReportIn, session: CurrentSession, rooms: RoomsDep) -> ReportMade:
    """Report the room, or a person in it (`user_id`), to the admins."""
    return ReportMade(id=rooms.report(session.account_id, room_id, body.user_id, body.reason))


@router.get("/{room_id}/recording", response_class=FileResponse)
def recording(room_id: Id, session: CurrentSession, rooms: RoomsDep, blobs: BlobsDep) -> Response:
    """The room's recording (WAV), for anyone who could have joined it."""
    found, blob = rooms.recording(session.account_id, room_id)
    return stored_blob_response(
        blobs, blob, "audio/wav", {"cache-control": "private"}, filename=f"room-{found.id}.wav"
    )


@router.post(
    "/{room_id}/episode", status_code=status.HTTP_202_ACCEPTED, response_model=PublishingOut
)
def publish(
    room_id: Id,
    body: PublishIn,
    session: CurrentSession,
    publishing: RoomEpisodesDep,
    response: Response,
) -> PublishingOut:
    """The host publishes the room's recording as an episode of one of their hosted shows:
    through the same ingest as an uploaded episode (loudness, the Opus ladder), in the
    background; poll `status_url` until it is published (the episode is listed then, never
    before) or failed (`error.code`). 202 with the job; publishing again to the same show gives
    the same job (200 once it is published, with its episode; a failed one is tried again)."""
    job, _ = publishing.publish(session.account_id, room_id, body.show_id, body.title, body.notes)
    if job.status == "published":
        response.status_code = status.HTTP_200_OK
    return PublishingOut.of(job, publishing.episode(job))


@router.get("/{room_id}/episode/{job_id}", response_model=PublishingOut)
def publishing_status(
    room_id: Id, job_id: JobId, session: CurrentSession, publishing: RoomEpisodesDep
) -> PublishingOut:
    """How far the publishing of the recording is (the host only)."""
    job = publishing.job(session.account_id, room_id, job_id)
    return PublishingOut.of(job, publishing.episode(job))
