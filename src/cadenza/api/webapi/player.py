"""The player under /v1: its state, what plays, the devices, and the commands, each through
the player's entitlements (a Free listener's shuffle-only and hourly skips hold: refused with
403 and reason `PREMIUM_REQUIRED`) and remote control (the device that plays hears every
change). Commands answer 204; with no active device, 404 `NO_ACTIVE_DEVICE`, as Spotify."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from cadenza.api.app_caller import AppCaller, needs
from cadenza.api.deps import (
    ClockDep,
    DevicesDep,
    PlayerDep,
    PlaylistsDep,
    RemoteDep,
    SubscriptionsDep,
)
from cadenza.api.request_body import RequestBody
from cadenza.api.webapi import shapes
from cadenza.api.webapi.common import TAG, Market, ShaperDep
from cadenza.api.webapi.ids import parse_id, parse_uri, uri
from cadenza.domain import player as rules
from cadenza.domain.devices import Command, DeviceType, group_of
from cadenza.domain.entitlements import Context
from cadenza.domain.errors import InvalidRequest, NotFound
from cadenza.domain.player import PlayerState, Repeat
from cadenza.services.devices import DeviceRegistry
from cadenza.services.player import Player
from cadenza.services.subscriptions import SubscriptionService

router = APIRouter(prefix="/v1/me/player", tags=[TAG])
ReadState = Annotated[AppCaller, Depends(needs("user-read-playback-state"))]
ReadCurrent = Annotated[AppCaller, Depends(needs("user-read-currently-playing"))]
Modify = Annotated[AppCaller, Depends(needs("user-modify-playback-state"))]
DeviceQuery = Annotated[
    str | None, Query(min_length=1, max_length=32, description="The device to act on")
]
DEVICE_TYPES = {
    DeviceType.WEB: "Computer",
    DeviceType.DESKTOP: "Computer",
    DeviceType.PHONE: "Smartphone",
    DeviceType.SPEAKER: "Speaker",
    DeviceType.TV: "TV",
    DeviceType.CAR: "Automobile",
}
CONTEXT_TYPES = {Context.RELEASE: "album", Context.ARTIST: "artist", Context.PLAYLIST: "playlist"}
NO_CONTENT = 204


class DeviceOut(BaseModel):
    id: str
    is_active: bool
    is_private_session: bool = False
    is_restricted: bool = False
    name: str
    type: str = Field(description="Computer, Smartphone, Speaker, TV, Automobile")
    volume_percent: int | None
    supports_volume: bool


class DevicesOut(BaseModel):
    devices: list[DeviceOut]


class ContextOut(BaseModel):
    type: str
    href: str
    external_urls: dict[str, str]
    uri: str


class DisallowsOut(BaseModel):
    interrupting_playback: bool = False
    pausing: bool = False
    resuming: bool = False
    seeking: bool = False
    skipping_next: bool = False
    skipping_prev: bool = False
    toggling_repeat_context: bool = False
    toggling_shuffle: bool = False
    toggling_repeat_track: bool = False
    transferring_playback: bool = False


class ActionsOut(BaseModel):
    disallows: DisallowsOut


class CurrentlyPlayingOut(BaseModel):
    actions: ActionsOut
    currently_playing_type: Literal["track"] = "track"
    is_playing: bool
    timestamp: int = Field(description="When the state last changed, Unix ms")
    context: ContextOut | None
    progress_ms: int | None
    item: shapes.TrackOut | None


class PlaybackStateOut(CurrentlyPlayingOut):
    device: DeviceOut
    repeat_state: Repeat
    shuffle_state: bool
    smart_shuffle: bool = False


class QueueOut(BaseModel):
    currently_playing: shapes.TrackOut | None
    queue: list[shapes.TrackOut]


def _devices(devices: DeviceRegistry, account_id: int) -> list[DeviceOut]:
    return [
        DeviceOut(
            id=s.device.id,
            is_active=s.is_active,
            name=s.device.name,
            type=DEVICE_TYPES.get(s.device.type, "Computer"),
            volume_percent=s.device.volume,
            supports_volume=s.device.supports_volume,
        )
        for s in devices.statuses(account_id)
    ]


def _device_of(state: PlayerState, known: list[DeviceOut]) -> DeviceOut:
    key = state.device or ""
    found = next((d for d in known if d.id == key), None)
    if found is not None:
        return found
    kind = "Speaker" if group_of(key) is not None else "Computer"
    return DeviceOut(
        id=key,
        is_active=True,
        name=key,
        type=kind,
        volume_percent=state.volume,
        supports_volume=False,
    )


def _context(shaper: ShaperDep, state: PlayerState, account_id: int) -> ContextOut | None:
    if state.context is Context.LIKED:
        liked = uri("user", account_id) + ":collection"
        href = shaper.links.base + "/v1/me/tracks"
        return ContextOut(
            type="collection", href=href, external_urls={"cadenza": shaper.links.base}, uri=liked
        )
    kind = CONTEXT_TYPES.get(state.context) if state.context else None
    if kind is None or state.context_id is None:
        return None
    return ContextOut(
        type=kind,
        href=shaper.links.href(kind, state.context_id),
        external_urls=shaper.links.page(kind, state.context_id),
        uri=uri(kind, state.context_id),
    )


def _track(shaper: ShaperDep, track_id: int | None) -> shapes.TrackOut | None:
    if track_id is None:
        return None
    try:
        return shaper.track(*shaper.catalog.track(track_id, shaper.viewer))
    except NotFound:
        return None


def _playing(
    shaper: ShaperDep,
    player: Player,
    subscriptions: SubscriptionService,
    account_id: int,
    now: datetime,
) -> tuple[PlayerState, CurrentlyPlayingOut] | None:
    """The player's state as Web API objects (read without issuing a stream grant: an app
    that looks at the player does not listen)."""
    state = player.state(account_id)
    if state.current is None:
        return None
    on_demand = subscriptions.listener(account_id).plan.features.on_demand
    at = state.updated_at
    now_ms = int(now.timestamp() * 1000)
    current = CurrentlyPlayingOut(
        actions=ActionsOut(
            disallows=DisallowsOut(
                pausing=not state.playing,
                resuming=state.playing,
                skipping_prev=not on_demand,
                toggling_shuffle=not on_demand,
            )
        ),
        is_playing=state.playing,
        timestamp=int(at.astimezone(UTC).timestamp() * 1000) if at else now_ms,
        context=_context(shaper, state, account_id),
        progress_ms=state.progress_at(now),
        item=_track(shaper, state.current),
    )
    return state, current


@router.get("", response_model=PlaybackStateOut, responses={204: {"description": "Nothing plays"}})
def playback_state(
    caller: ReadState,
    shaper: ShaperDep,
    player: PlayerDep,
    devices: DevicesDep,
    subscriptions: SubscriptionsDep,
    clock: ClockDep,
    market: Market = None,
) -> PlaybackStateOut | Response:
    """What plays, where, from what, with shuffle and repeat; 204 when nothing does."""
    found = _playing(shaper, player, subscriptions, caller.account_id, clock.now())
    if found is None:
        return Response(status_code=NO_CONTENT)
    state, current = found
    device = _device_of(state, _devices(devices, caller.account_id))
    return PlaybackStateOut(
        **current.model_dump(),
        device=device,
        repeat_state=state.repeat,
        shuffle_state=state.shuffle,
    )


@router.get(
    "/currently-playing",
    response_model=CurrentlyPlayingOut,
    responses={204: {"description": "Nothing plays"}},
)
def currently_playing(
    caller: ReadCurrent,
    shaper: ShaperDep,
    player: PlayerDep,
    subscriptions: SubscriptionsDep,
    clock: ClockDep,
    market: Market = None,
) -> CurrentlyPlayingOut | Response:
    found = _playing(shaper, player, subscriptions, caller.account_id, clock.now())
    return found[1] if found is not None else Response(status_code=NO_CONTENT)


@router.get("/devices", response_model=DevicesOut)
def available_devices(caller: ReadState, devices: DevicesDep) -> DevicesOut:
    """The listener's devices that can play now (closed pages are not listed)."""
    return DevicesOut(devices=_devices(devices, caller.account_id))


class TransferIn(RequestBody):
    device_ids: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=1
    )
    play: bool | None = Field(None, description="true: play there; else keep playing or paused")


@router.put("", status_code=NO_CONTENT, response_class=Response)
def transfer(body: TransferIn, caller: Modify, remote: RemoteDep, player: PlayerDep) -> Response:
    """Move playback to another of the listener's devices; the one that played pauses."""
    playing = player.state(caller.account_id).playing
    play = body.play if body.play else playing
    remote.transfer(caller.account_id, body.device_ids[0], None, play=play)
    return Response(status_code=NO_CONTENT)


class OffsetIn(RequestBody):
    position: int | None = Field(None, ge=0, le=10_000)
    uri: str | None = Field(None, max_length=100)


class PlayIn(RequestBody):
    context_uri: str | None = Field(None, max_length=100)
    uris: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=100)
    offset: OffsetIn | None = None
    position_ms: int | None = Field(None, ge=0, le=10**9)


def _active(player: Player, devices: DeviceRegistry, account_id: int, device_id: str | None) -> str:
    """The device a command acts on: the one named (the listener's own), or the active one."""
    if device_id is not None:
        return devices.device(account_id, device_id).id
    device = player.state(account_id).device
    if device is None:
        raise NotFound("Player command failed: No active device found", code="no_active_device")
    return device


@router.put("/play", status_code=NO_CONTENT, response_class=Response)
def play(
    caller: Modify,
    player: PlayerDep,
    devices: DevicesDep,
    playlists: PlaylistsDep,
    remote: RemoteDep,
    shaper: ShaperDep,
    body: PlayIn | None = None,
    device_id: DeviceQuery = None,
) -> Response:
    """Start an album, artist, playlist or liked songs (`context_uri`, with `offset`), or
    tracks (`uris`); without either, resume. On Free a context plays shuffled and picking a
    track is refused (403, `PREMIUM_REQUIRED`)."""
    me = caller.account_id
    device = _active(player, devices, me, device_id)
    if device != player.state(me).device:  # one stream: the device that played pauses
        remote.transfer(me, device, None, play=False)
    given = body or PlayIn(context_uri=None, uris=None, position_ms=None)
    if given.context_uri is None and not given.uris:
        player.resume(me, device)
    else:
        context, context_id, tracks = _what(given)
        offset = _offset(given, context, context_id, tracks, me, shaper, playlists)
        player.play(
            me,
            context=context,
            context_id=context_id,
            track_ids=tracks,
            offset=offset,
            device=device,
        )
    if given.position_ms is not None:
        player.seek(me, given.position_ms)
    return Response(status_code=NO_CONTENT)


CONTEXTS = {"album": Context.RELEASE, "artist": Context.ARTIST, "playlist": Context.PLAYLIST}


def _what(body: PlayIn) -> tuple[Context, int | None, list[int] | None]:
    if body.uris:
        tracks = []
        for raw in body.uris:
            kind, number = parse_uri(raw)
            if kind != "track":
                raise InvalidRequest("uris name tracks", code="invalid_uri")
            tracks.append(number)
        return Context.TRACK, None, tracks
    assert body.context_uri is not None
    parts = body.context_uri.split(":")
    if len(parts) == 4 and parts[1] == "user" and parts[3] == "collection":
        return Context.LIKED, None, None
    kind, number = parse_uri(body.context_uri)
    if kind not in CONTEXTS:
        raise InvalidRequest("context_uri names an album, artist or playlist", code="invalid_uri")
    return CONTEXTS[kind], number, None


def _offset(
    body: PlayIn,
    context: Context,
    context_id: int | None,
    tracks: list[int] | None,
    account_id: int,
    shaper: ShaperDep,
    playlists: PlaylistsDep,
) -> int | None:
    if body.offset is None:
        return None
    if body.offset.position is not None:
        return body.offset.position
    if body.offset.uri is None:
        return None
    wanted = parse_id(body.offset.uri, "track")
    if tracks is not None:
        listed: list[int | None] = list(tracks)
    elif context is Context.RELEASE and context_id is not None:
        listed = [t.id for t in shaper.catalog.release(context_id, shaper.viewer).tracks]
    elif context is Context.PLAYLIST and context_id is not None:
        listed = playlists.context(account_id, shaper.viewer, context_id)
    else:
        raise InvalidRequest("offset.uri needs an album, a playlist or uris", code="invalid_offset")
    if wanted not in listed:
        raise InvalidRequest("offset.uri is not in that context", code="invalid_offset")
    return listed.index(wanted)


def _needs_device(
    player: Player, devices: DeviceRegistry, caller: AppCaller, device_id: str | None
) -> None:
    _active(player, devices, caller.account_id, device_id)


@router.put("/pause", status_code=NO_CONTENT, response_class=Response)
def pause(
    caller: Modify, player: PlayerDep, devices: DevicesDep, device_id: DeviceQuery = None
) -> Response:
    _needs_device(player, devices, caller, device_id)
    player.pause(caller.account_id)
    return Response(status_code=NO_CONTENT)


@router.post("/next", status_code=NO_CONTENT, response_class=Response)
def next_track(
    caller: Modify, player: PlayerDep, devices: DevicesDep, device_id: DeviceQuery = None
) -> Response:
    """Skip: on Free, 6 an hour (then 403, `PREMIUM_REQUIRED`)."""
    _needs_device(player, devices, caller, device_id)
    player.next(caller.account_id)
    return Response(status_code=NO_CONTENT)


@router.post("/previous", status_code=NO_CONTENT, response_class=Response)
def previous_track(
    caller: Modify, player: PlayerDep, devices: DevicesDep, device_id: DeviceQuery = None
) -> Response:
    """Back to the previous track: on demand only (403, `PREMIUM_REQUIRED`, on Free)."""
    _needs_device(player, devices, caller, device_id)
    player.previous(caller.account_id)
    return Response(status_code=NO_CONTENT)


@router.put("/seek", status_code=NO_CONTENT, response_class=Response)
def seek(
    caller: Modify,
    player: PlayerDep,
    devices: DevicesDep,
    position_ms: Annotated[int, Query(ge=0, le=10**9)],
    device_id: DeviceQuery = None,
) -> Response:
    _needs_device(player, devices, caller, device_id)
    player.seek(caller.account_id, position_ms)
    return Response(status_code=NO_CONTENT)


@router.put("/volume", status_code=NO_CONTENT, response_class=Response)
def volume(
    caller: Modify,
    player: PlayerDep,
    devices: DevicesDep,
    remote: RemoteDep,
    volume_percent: Annotated[int, Query(ge=0, le=100)],
    device_id: DeviceQuery = None,
) -> Response:
    """The playing device's volume (or the named device's); the player's own otherwise."""
    target = _active(player, devices, caller.account_id, device_id)
    registered = {d.id: d for d in _devices(devices, caller.account_id)}
    if target in registered and registered[target].supports_volume:
        remote.command(caller.account_id, target, Command.VOLUME, percent=volume_percent)
    else:
        player.volume(caller.account_id, volume_percent)
    return Response(status_code=NO_CONTENT)


@router.put("/shuffle", status_code=NO_CONTENT, response_class=Response)
def shuffle(
    caller: Modify,
    player: PlayerDep,
    devices: DevicesDep,
    state: Annotated[bool, Query()],
    device_id: DeviceQuery = None,
) -> Response:
    """Shuffle on or off (off is on demand only: 403, `PREMIUM_REQUIRED`, on Free)."""
    _needs_device(player, devices, caller, device_id)
    player.shuffle(caller.account_id, state)
    return Response(status_code=NO_CONTENT)


@router.put("/repeat", status_code=NO_CONTENT, response_class=Response)
def repeat(
    caller: Modify,
    player: PlayerDep,
    devices: DevicesDep,
    state: Annotated[Repeat, Query()],
    device_id: DeviceQuery = None,
) -> Response:
    _needs_device(player, devices, caller, device_id)
    player.repeat(caller.account_id, state)
    return Response(status_code=NO_CONTENT)


@router.get("/queue", response_model=QueueOut)
def queue(caller: ReadState, shaper: ShaperDep, player: PlayerDep) -> QueueOut:
    """What plays now, then what the listener queued and the context's own next tracks."""
    state = player.state(caller.account_id)
    upcoming = [t for t in (_track(shaper, i) for i in rules.up_next(state, 20)) if t is not None]
    return QueueOut(currently_playing=_track(shaper, state.current), queue=upcoming)


@router.post("/queue", status_code=NO_CONTENT, response_class=Response)
def add_to_queue(
    caller: Modify,
    player: PlayerDep,
    devices: DevicesDep,
    uri: Annotated[str, Query(max_length=100)],
    device_id: DeviceQuery = None,
) -> Response:
    """Queue a track to play next (choosing a track: 403, `PREMIUM_REQUIRED`, on Free)."""
    _needs_device(player, devices, caller, device_id)
    player.enqueue(caller.account_id, parse_id(uri, "track"))
    return Response(status_code=NO_CONTENT)
