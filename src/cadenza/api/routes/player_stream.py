"""Each device's live feed of the player: server-sent events or a WebSocket, opened with a
short-lived stream ticket (browsers' EventSource sends no headers) or a bearer token; and the
commands one device sends another."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Query, WebSocket
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from cadenza.api.deps import (
    ClockDep,
    CurrentSession,
    DevicesDep,
    PlayerDep,
    PlayerEventsDep,
    RemoteDep,
    SessionsDep,
    SettingsDep,
    StreamAccessDep,
    StreamTicketsDep,
    _bearer,
)
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.devices import DeviceOut
from cadenza.api.routes.player import AnswerDep, PlayerOut
from cadenza.domain.devices import Command, PlayerEvent
from cadenza.domain.errors import CadenzaError, Unauthorized
from cadenza.ports.clock import Clock
from cadenza.ports.devices import EventSubscription, PlayerEvents
from cadenza.services.devices import DeviceRegistry, DeviceStatus
from cadenza.services.player import Player, PlayerView
from cadenza.services.remote import CommandSent, RemoteControl
from cadenza.services.sessions import SessionService
from cadenza.services.stream_access import StreamAccess
from cadenza.services.stream_tickets import StreamTickets

router = APIRouter(prefix="/api/v1/me/player", tags=["devices"])

DeviceIdQuery = Annotated[str, Query(min_length=1, max_length=32)]
TicketQuery = Annotated[str | None, Query(max_length=1000)]
DeviceIdField = Annotated[str, Field(min_length=1, max_length=32)]


class TicketIn(RequestBody):
    device_id: DeviceIdField


class TicketOut(BaseModel):
    ticket: str
    expires_at: datetime
    url: str = Field(description="The event stream's path, ticket included")
    socket_url: str = Field(description="The same feed as a WebSocket")


class CommandIn(RequestBody):
    device_id: DeviceIdField = Field(description="The device the command is for")
    command: Command
    from_device_id: DeviceIdField | None = None
    position_ms: int | None = Field(None, ge=0, le=10**9)
    percent: int | None = Field(None, ge=0, le=100)
    play: bool = True


@dataclass(frozen=True)
class Listener:
    account_id: int
    session_id: int
    device_id: str


@dataclass(frozen=True)
class DeviceFeed:
    """What a device's live feed is made of."""

    tickets: StreamTickets
    sessions: SessionService
    devices: DeviceRegistry
    player: Player
    remote: RemoteControl
    stream_access: StreamAccess
    events: PlayerEvents
    clock: Clock
    keepalive_s: float


async def device_feed(
    tickets: StreamTicketsDep,
    sessions: SessionsDep,
    devices: DevicesDep,
    player: PlayerDep,
    remote: RemoteDep,
    stream_access: StreamAccessDep,
    events: PlayerEventsDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> DeviceFeed:
    return DeviceFeed(
        tickets,
        sessions,
        devices,
        player,
        remote,
        stream_access,
        events,
        clock,
        settings.player_stream_keepalive_s,
    )


FeedDep = Annotated[DeviceFeed, Depends(device_feed)]


@router.post("/stream-ticket", response_model=TicketOut)
def stream_ticket(
    body: TicketIn, session: CurrentSession, devices: DevicesDep, stream_tickets: StreamTicketsDep
) -> TicketOut:
    """Trade the access token (in the header) for a one-minute ticket that opens this device's
    event stream; reconnecting asks for a new one."""
    device = devices.device(session.account_id, body.device_id)
    ticket, expires = stream_tickets.issue(session.account_id, session.session_id, device.id)
    query = urlencode({"device_id": device.id, "ticket": ticket})
    return TicketOut(
        ticket=ticket,
        expires_at=expires,
        url=f"/api/v1/me/player/stream?{query}",
        socket_url=f"/api/v1/me/player/socket?{query}",
    )


@router.post("/commands", response_model=PlayerOut)
def send_command(
    body: CommandIn, session: CurrentSession, remote: RemoteDep, answer: AnswerDep
) -> PlayerOut:
    """Ask a device to play, pause, resume, seek, skip, change volume or take over playback:
    the player changes (the plan's rules apply) and the device gets a `command` event."""
    view = remote.command(
        session.account_id,
        body.device_id,
        body.command,
        from_device=body.from_device_id,
        position_ms=body.position_ms,
        percent=body.percent,
        play=body.play,
    )
    return answer(view, body.from_device_id)


@router.get("/stream", response_class=StreamingResponse)
async def stream(
    feed: FeedDep,
    device_id: DeviceIdQuery,
    ticket: TicketQuery = None,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> StreamingResponse:
    """Server-sent events for one device: `state`, `command`, `devices`, `keepalive`."""
    who = await run_in_threadpool(_listener, feed, device_id, ticket, authorization)
    events = feed.events.subscribe(who.account_id, who.device_id)  # 429 when too many

    async def frames() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        number = 0
        async with aclosing(_feed(feed, who, events)) as heard:
            async for kind, data in heard:
                number += 1
                yield f"id: {number}\nevent: {kind}\ndata: {json.dumps(data)}\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)


@router.websocket("/socket")
async def socket(
    websocket: WebSocket,
    feed: FeedDep,
    device_id: DeviceIdQuery,
    ticket: TicketQuery = None,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> None:
    """The same feed as JSON messages {"event": kind, "data": ...}."""
    try:
        who = await run_in_threadpool(_listener, feed, device_id, ticket, authorization)
    except CadenzaError as refused:
        await websocket.close(code=4000 + refused.status, reason=refused.code)
        return
    try:
        events = feed.events.subscribe(who.account_id, who.device_id)
    except CadenzaError as refused:
        await websocket.close(code=4000 + refused.status, reason=refused.code)
        return
    await websocket.accept()
    try:
        async with aclosing(_feed(feed, who, events)) as heard:
            async for kind, data in heard:
                await websocket.send_json({"event": kind, "data": data})
    except WebSocketDisconnect:
        return


def _listener(
    feed: DeviceFeed, device_id: str, ticket: str | None, authorization: str | None
) -> Listener:
    if ticket is not None:
        found = feed.tickets.read(ticket, device_id)
        account_id, session_id = found.account_id, found.session_id
    else:
        token = _bearer(authorization)
        if token is None:
            raise Unauthorized(
                "open the stream with a ticket (POST /api/v1/me/player/stream-ticket) or a "
                "bearer token",
                code="authentication_required",
            )
        claims = feed.sessions.authenticate(token)
        account_id, session_id = claims.account_id, claims.session_id
    device = feed.devices.device(account_id, device_id)
    return Listener(account_id, session_id, device.id)


async def _feed(
    feed: DeviceFeed, who: Listener, events: EventSubscription
) -> AsyncGenerator[tuple[str, object], None]:
    """What one device hears: the state and device list at once, then every event meant for it,
    a keepalive after each quiet spell; it ends when the session ends or the device is forgotten."""
    try:
        await run_in_threadpool(feed.devices.seen, who.account_id, who.device_id)
        view = await run_in_threadpool(feed.player.view, who.account_id)
        view = await _heard(feed, who, view)
        latest = view.state.updated_at
        yield "state", _render(feed.clock, PlayerEvent("state", view), who)
        await run_in_threadpool(feed.devices.changed, who.account_id)  # this one is online now
        while True:
            try:
                event = await events.next(feed.keepalive_s)
            except EOFError:
                return
            if event is None:
                live = await run_in_threadpool(
                    feed.tickets.session_live, who.account_id, who.session_id
                )
                if not live:
                    return
                yield "keepalive", {"server_time": feed.clock.now().timestamp() * 1000}
                continue
            if isinstance(event.data, PlayerView):
                # States published by other processes may arrive after a newer one: a device
                # never steps back to an older state.
                stamp = event.data.state.updated_at
                if latest is not None and stamp is not None and stamp < latest:
                    continue
                latest = stamp or latest
                event = PlayerEvent(event.kind, await _heard(feed, who, event.data), event.target)
            yield event.kind, _render(feed.clock, event, who)
    finally:
        events.close()
        # Not awaited: a cancelled stream (the client left) may not wait on anything more.
        asyncio.get_running_loop().run_in_executor(None, _went_away, feed, who)


async def _heard(feed: DeviceFeed, who: Listener, view: PlayerView) -> PlayerView:
    """The state as this device hears it: a stream grant only where it is the one that plays."""
    if view.grant is None or view.state.device == who.device_id:
        return view
    return await run_in_threadpool(
        feed.stream_access.for_device, who.account_id, view, who.device_id
    )


def _went_away(feed: DeviceFeed, who: Listener) -> None:
    with contextlib.suppress(CadenzaError):  # forgotten meanwhile
        feed.remote.device_left(who.account_id, who.device_id)


def _render(clock: Clock, event: PlayerEvent, who: Listener) -> object:
    data = event.data
    if isinstance(data, PlayerView):
        return PlayerOut.of(data, clock.now()).model_dump(mode="json")
    if isinstance(data, CommandSent):
        return {
            "command": data.command.value,
            "from_device_id": data.from_device,
            **data.fields,
            "sent_at": clock.now().timestamp() * 1000,
        }
    if isinstance(data, list):
        devices = [DeviceOut.of(d, who.session_id) for d in data if isinstance(d, DeviceStatus)]
        return {"devices": [d.model_dump(mode="json") for d in devices]}
    return data
