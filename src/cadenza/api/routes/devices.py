"""The listener's playback devices and speaker groups, and the server's clock for syncing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field

from cadenza.api.deps import ClockDep, CurrentSession, DevicesDep, Id, RemoteDep
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.player import AnswerDep, PlayerOut
from cadenza.domain.devices import MAX_DEVICES, DeviceType, SpeakerGroup
from cadenza.services.devices import DeviceRegistry, DeviceStatus

router = APIRouter(prefix="/api/v1", tags=["devices"])

Name = Annotated[str, Field(min_length=1, max_length=100)]
DeviceId = Annotated[str, Path(min_length=1, max_length=32)]
DeviceIdField = Annotated[str, Field(min_length=1, max_length=32)]


class DeviceIn(RequestBody):
    name: Name = Field(
        description="What the device is; another device of the same name gets a number"
    )
    type: DeviceType
    supports_volume: bool = False
    device_id: DeviceIdField | None = Field(
        None,
        description="The id this client had before (a reloaded page): kept when it was this session's",
    )


class DeviceRename(RequestBody):
    name: Name


class DeviceOut(BaseModel):
    id: str
    name: str
    type: DeviceType
    supports_volume: bool
    volume: int | None
    is_active: bool = Field(description="The player plays (or is paused) on this device")
    is_online: bool = Field(description="Its event stream is open, or it was seen lately")
    this_session: bool = Field(description="Registered by the session asking")
    clock_offset_ms: float | None
    last_seen_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, status_: DeviceStatus, session_id: int | None) -> DeviceOut:
        d = status_.device
        return cls(
            id=d.id,
            name=d.name,
            type=d.type,
            supports_volume=d.supports_volume,
            volume=d.volume,
            is_active=status_.is_active,
            is_online=status_.online,
            this_session=d.session_id is not None and d.session_id == session_id,
            clock_offset_ms=d.clock_offset_ms,
            last_seen_at=d.last_seen_at,
            created_at=d.created_at,
        )


class ClockIn(RequestBody):
    t0: float = Field(ge=0, le=1e14, description="The device's clock when it sent this (unix ms)")


class ClockOut(BaseModel):
    t0: float
    t1: float = Field(description="The server's clock when the request arrived (unix ms)")
    t2: float = Field(description="The server's clock when the answer left (unix ms)")


class OffsetIn(RequestBody):
    offset_ms: float = Field(ge=-1e12, le=1e12, description="Server clock minus device clock")
    rtt_ms: float = Field(ge=0, le=60_000)


class GroupIn(RequestBody):
    name: Name
    device_ids: list[DeviceIdField] = Field(min_length=2, max_length=MAX_DEVICES)


class GroupChange(RequestBody):
    name: Name | None = None
    device_ids: list[DeviceIdField] | None = Field(None, min_length=2, max_length=MAX_DEVICES)


class GroupOut(BaseModel):
    id: int
    name: str
    device_ids: list[str]

    @classmethod
    def of(cls, group: SpeakerGroup) -> GroupOut:
        return cls(id=group.id, name=group.name, device_ids=list(group.device_ids))


class GroupPlayIn(RequestBody):
    play: bool = True


def _device_out(devices: DeviceRegistry, session: CurrentSession, device_id: str) -> DeviceOut:
    found = [s for s in devices.statuses(session.account_id) if s.device.id == device_id]
    return DeviceOut.of(found[0], session.session_id)


@router.post(
    "/me/devices",
    response_model=DeviceOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": DeviceOut, "description": "Registered before by this session"}},
)
def register(
    body: DeviceIn, session: CurrentSession, devices: DevicesDep, response: Response
) -> DeviceOut:
    """Register the device this session plays on (201); the id it had (`device_id`), or the
    same name from the same session while no feed of it is open, gives back the same device
    (200). A device whose page closed leaves the list. At most 50 per account
    (`too_many_devices`)."""
    device, new = devices.register(
        session.account_id,
        session.session_id,
        body.name,
        body.type,
        body.supports_volume,
        body.device_id,
    )
    response.status_code = status.HTTP_201_CREATED if new else status.HTTP_200_OK
    return _device_out(devices, session, device.id)


@router.get("/me/devices", response_model=list[DeviceOut])
def my_devices(session: CurrentSession, devices: DevicesDep) -> list[DeviceOut]:
    return [DeviceOut.of(s, session.session_id) for s in devices.statuses(session.account_id)]


@router.patch("/me/devices/{device_id}", response_model=DeviceOut)
def rename(
    device_id: DeviceId, body: DeviceRename, session: CurrentSession, devices: DevicesDep
) -> DeviceOut:
    devices.rename(session.account_id, device_id, body.name)
    return _device_out(devices, session, device_id)


@router.delete("/me/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
def forget(device_id: DeviceId, session: CurrentSession, devices: DevicesDep) -> None:
    """Forget a device: its event stream closes, it leaves its speaker groups."""
    devices.forget(session.account_id, device_id)


@router.post("/clock", response_model=ClockOut)
def clock(body: ClockIn, clock: ClockDep) -> ClockOut:
    """NTP-style: the device notes t3 when the answer comes, then offset = ((t1 - t0) +
    (t2 - t3)) / 2 and round trip = (t3 - t0) - (t2 - t1)."""
    t1 = clock.now().timestamp() * 1000
    return ClockOut(t0=body.t0, t1=t1, t2=clock.now().timestamp() * 1000)


@router.put("/me/devices/{device_id}/clock", response_model=DeviceOut)
def report_offset(
    device_id: DeviceId, body: OffsetIn, session: CurrentSession, devices: DevicesDep
) -> DeviceOut:
    """The device's measured clock offset (best of a few `POST /clock` exchanges)."""
    devices.set_clock(session.account_id, device_id, body.offset_ms, body.rtt_ms)
    return _device_out(devices, session, device_id)


@router.get("/me/speaker-groups", response_model=list[GroupOut])
def groups(session: CurrentSession, devices: DevicesDep) -> list[GroupOut]:
    return [GroupOut.of(g) for g in devices.groups(session.account_id)]


@router.post("/me/speaker-groups", response_model=GroupOut, status_code=201)
def create_group(body: GroupIn, session: CurrentSession, devices: DevicesDep) -> GroupOut:
    return GroupOut.of(devices.create_group(session.account_id, body.name, body.device_ids))


@router.get("/me/speaker-groups/{group_id}", response_model=GroupOut)
def group(group_id: Id, session: CurrentSession, devices: DevicesDep) -> GroupOut:
    return GroupOut.of(devices.group(session.account_id, group_id))


@router.patch("/me/speaker-groups/{group_id}", response_model=GroupOut)
def change_group(
    group_id: Id, body: GroupChange, session: CurrentSession, devices: DevicesDep
) -> GroupOut:
    changed = devices.change_group(session.account_id, group_id, body.name, body.device_ids)
    return GroupOut.of(changed)


@router.delete("/me/speaker-groups/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_group(group_id: Id, session: CurrentSession, devices: DevicesDep) -> None:
    devices.remove_group(session.account_id, group_id)


@router.put("/me/speaker-groups/{group_id}/play", response_model=PlayerOut)
def play_on_group(
    group_id: Id, body: GroupPlayIn, session: CurrentSession, remote: RemoteDep, answer: AnswerDep
) -> PlayerOut:
    """Move playback to the group: each member gets one start instant on its own clock."""
    view = remote.transfer(session.account_id, None, group_id, play=body.play)
    return answer(view)
