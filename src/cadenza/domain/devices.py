"""The listener's playback devices, speaker groups and what is said to them. Pure: the services
store devices and send events, this module says what they are and how a group starts together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_DEVICES = 50  # per account, as Spotify's device list is short: a client makes one per install
MAX_GROUPS = 20
ONLINE_FOR = timedelta(minutes=2)  # a device seen this recently still counts as reachable
LEFT_KEPT_FOR = timedelta(minutes=10)  # a closed page's device, kept for its reload, then removed
GROUP_LEAD_MS = 300  # a group starts this far ahead, so every member hears the command first
MAX_GROUP_LEAD_MS = 2_000
GROUP_PREFIX = "group:"  # how the player's `device` names a speaker group


class DeviceType(StrEnum):
    WEB = "web"
    DESKTOP = "desktop"
    PHONE = "phone"
    SPEAKER = "speaker"
    TV = "tv"
    CAR = "car"


class Command(StrEnum):
    """What one device may ask another to do."""

    PLAY = "play"
    PAUSE = "pause"
    RESUME = "resume"
    SEEK = "seek"
    NEXT = "next"
    PREVIOUS = "previous"
    VOLUME = "volume"
    TRANSFER = "transfer"


@dataclass(frozen=True)
class PlaybackDevice:
    id: str
    account_id: int
    session_id: int | None
    name: str
    type: DeviceType
    supports_volume: bool
    volume: int | None
    clock_offset_ms: float | None  # server clock minus the device's clock, as the device measured
    clock_rtt_ms: float | None
    created_at: datetime
    last_seen_at: datetime
    left_at: datetime | None = None  # its feed closed (a page closed): gone until it comes back

    def online(self, now: datetime, connected: bool) -> bool:
        return connected or (self.left_at is None and now - self.last_seen_at <= ONLINE_FOR)

    def listed(self, connected: bool) -> bool:
        """Shown in the listener's device list: a closed page is not a place to play."""
        return connected or self.left_at is None


def distinct_name(name: str, taken: set[str]) -> str:
    """The name, or the name with the first free number: "Web player (Chrome on Linux) 2"."""
    if name not in taken:
        return name
    number = 2
    while f"{name} {number}"[:100] in taken:
        number += 1
    return f"{name[: 99 - len(str(number))]} {number}"


@dataclass(frozen=True)
class SpeakerGroup:
    id: int
    account_id: int
    name: str
    device_ids: tuple[str, ...]


@dataclass(frozen=True)
class PlayerEvent:
    """One message on the listener's event stream. `kind` is state, command or devices; a command
    goes to its `target` device only, the rest to every device of the account. `data` is the
    service's own value (a player view, a device list, a command's fields); the delivery layer
    renders it."""

    kind: str
    data: object
    target: str | None = None


@dataclass(frozen=True)
class GroupStart:
    device_id: str
    start_at_ms: float  # on the device's own clock (unix milliseconds)


def group_lead_ms(rtts: list[float | None]) -> float:
    """How far ahead to schedule: a few hundred ms, more when a member's round trip is slow."""
    slowest = max((r for r in rtts if r is not None), default=0.0)
    return min(MAX_GROUP_LEAD_MS, max(GROUP_LEAD_MS, 2 * slowest + 100))


def group_starts(members: list[PlaybackDevice], server_start_ms: float) -> list[GroupStart]:
    """The one server instant each member starts at, said on the member's own clock. A device that
    never measured its offset is taken to share the server's clock."""
    return [GroupStart(d.id, server_start_ms - (d.clock_offset_ms or 0.0)) for d in members]


def group_reporter(member_ids: list[str], online: set[str]) -> str | None:
    """The one member that reports a group's listening (its `end` moves the group on): the
    lowest id among the members online, so a closed or offline member never stalls it."""
    live = sorted(i for i in member_ids if i in online)
    return live[0] if live else min(member_ids, default=None)


def group_key(group_id: int) -> str:
    return f"{GROUP_PREFIX}{group_id}"


def group_of(device: str | None) -> int | None:
    if device is None or not device.startswith(GROUP_PREFIX):
        return None
    number = device.removeprefix(GROUP_PREFIX)
    return int(number) if number.isdigit() else None
