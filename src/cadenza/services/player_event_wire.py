"""Player events as JSON, for the processes that pass them to each other (the listener's
devices may be connected to different server processes). Plain data only: a message read from
the bus builds values, never runs code."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime

from cadenza.domain.audio import Quality
from cadenza.domain.devices import Command, DeviceType, PlaybackDevice, PlayerEvent
from cadenza.services.devices import DeviceStatus
from cadenza.services.player import PlayerView, state_from, state_to
from cadenza.services.remote import CommandSent
from cadenza.services.stream_grants import StreamGrant


def encode_event(event: PlayerEvent) -> dict[str, object]:
    data = event.data
    body: dict[str, object]
    if isinstance(data, PlayerView):
        body = {"view": _view_to(data)}
    elif isinstance(data, CommandSent):
        body = {"command": [data.command.value, data.from_device, data.fields]}
    elif isinstance(data, list) and all(isinstance(d, DeviceStatus) for d in data):
        body = {"devices": [_status_to(d) for d in data]}
    elif isinstance(data, dict):  # plain values (an episode's position)
        body = {"plain": data}
    else:
        raise TypeError(f"a player event cannot carry {type(data).__name__}")
    return {"kind": event.kind, "target": event.target, **body}


def decode_event(message: dict[str, object]) -> PlayerEvent:
    data: object
    if isinstance(view := message.get("view"), dict):
        data = _view_from(view)
    elif isinstance(command := message.get("command"), list):
        name, from_device, extra = command
        data = CommandSent(Command(name), from_device, dict(extra))
    elif isinstance(devices := message.get("devices"), list):
        data = [_status_from(d) for d in devices]
    elif isinstance(plain := message.get("plain"), dict):
        data = plain
    else:
        raise ValueError("not a player event")
    target = message.get("target")
    return PlayerEvent(str(message["kind"]), data, str(target) if target is not None else None)


def _view_to(view: PlayerView) -> dict[str, object]:
    grant = None if view.grant is None else asdict(view.grant) | {"quality": view.grant.quality}
    return {"state": state_to(view.state), "grant": grant, "up_next": list(view.up_next)}


def _view_from(data: dict[str, object]) -> PlayerView:
    grant = data.get("grant")
    state = data["state"]
    up_next = data.get("up_next")
    assert isinstance(state, dict) and isinstance(up_next, list)
    return PlayerView(
        state=state_from(state),
        grant=_grant_from(grant) if isinstance(grant, dict) else None,
        up_next=[int(t) for t in up_next],
    )


def _grant_from(data: dict[str, object]) -> StreamGrant:
    known = {f.name for f in fields(StreamGrant)}
    values = {k: v for k, v in data.items() if k in known}
    values["quality"] = Quality(str(values["quality"]))
    return StreamGrant(**values)  # type: ignore[arg-type]


def _status_to(status: DeviceStatus) -> dict[str, object]:
    device = asdict(status.device)
    device["type"] = status.device.type.value
    device["created_at"] = status.device.created_at.isoformat()
    device["last_seen_at"] = status.device.last_seen_at.isoformat()
    left = status.device.left_at
    device["left_at"] = left.isoformat() if left is not None else None
    return {"device": device, "is_active": status.is_active, "online": status.online}


def _status_from(data: dict[str, object]) -> DeviceStatus:
    raw = data["device"]
    assert isinstance(raw, dict)
    device = PlaybackDevice(
        **raw
        | {
            "type": DeviceType(raw["type"]),
            "created_at": datetime.fromisoformat(raw["created_at"]),
            "last_seen_at": datetime.fromisoformat(raw["last_seen_at"]),
            "left_at": datetime.fromisoformat(raw["left_at"]) if raw.get("left_at") else None,
        }
    )
    return DeviceStatus(device, bool(data["is_active"]), bool(data["online"]))
