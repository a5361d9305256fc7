"""Offline downloads: devices that keep tracks, and the licence that lets them play offline.

A download device holds up to the plan's number of tracks; the account registers up to the
plan's number of devices (Premium: 10,000 tracks on each of 5). Each device's licence runs 30
days from its last check-in online; the check-in re-asks the plan, the territory and the catalog
and says which downloads stay and which the device must delete. Ending the plan ends them all.

Removing a device frees its slot, but new devices are counted too: in any 30 days an account
registers at most the plan's number of devices plus DEVICE_SWAPS more, so removing and adding
devices over and over cannot spread downloads over more devices than the plan allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.audio import Quality
from cadenza.domain.catalog import EncodedAudio
from cadenza.domain.plans import Plan

LICENCE_PERIOD = timedelta(days=30)
MAX_TRACKS_PER_REQUEST = 500
DEVICE_SWAP_WINDOW = timedelta(days=30)
DEVICE_SWAPS = 3  # new devices per window beyond the plan's number: a lost phone, a new laptop


class DeleteReason(StrEnum):
    PLAN_ENDED = "plan_ended"  # the plan has no downloads, or the plan they came with ended
    UNAVAILABLE = "unavailable"  # taken down, out of the listener's territory, or filtered


@dataclass(frozen=True)
class DownloadDevice:
    id: int
    name: str
    registered_at: datetime
    licence_expires_at: datetime
    checked_in_at: datetime
    subscription_id: int | None  # the plan (subscription) its downloads came with
    revoked_at: datetime | None = None
    tracks: int = 0

    def licence_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.licence_expires_at


@dataclass(frozen=True)
class Download:
    device_id: int
    track_id: int
    quality: str
    added_at: datetime


@dataclass(frozen=True)
class CheckIn:
    """What a device keeps (all of it: anything else it holds goes), what it must delete,
    and until when it may play offline."""

    keep: tuple[Download, ...]
    delete: tuple[tuple[int, DeleteReason], ...]
    licence_expires_at: datetime | None  # None: the licence is revoked
    delete_all: bool = False  # the plan ended: every downloaded file goes, listed or not


def licence_expiry(now: datetime) -> datetime:
    return now + LICENCE_PERIOD


def next_registration_at(
    registered: list[datetime], devices_allowed: int, now: datetime
) -> datetime | None:
    """None if a new device may register now; otherwise when the oldest registration that
    counts leaves the window, which frees one."""
    recent = sorted(at for at in registered if at > now - DEVICE_SWAP_WINDOW)
    allowance = devices_allowed + DEVICE_SWAPS
    if len(recent) < allowance:
        return None
    return recent[len(recent) - allowance] + DEVICE_SWAP_WINDOW


def plan_ended(device: DownloadDevice, plan: Plan, subscription_id: int | None) -> bool:
    """Downloads end with the plan they came with: a plan without downloads now, or another
    subscription than the one they were made on (the first one ended, even if a new one began)."""
    if plan.features.offline_devices == 0:
        return True
    return device.revoked_at is not None or device.subscription_id != subscription_id


def best_file(files: tuple[EncodedAudio, ...], wanted: Quality) -> EncodedAudio | None:
    """The best of a track's files up to the quality asked for (lossless exists only where the
    source was lossless; a lossy source downloads at its best Opus tier)."""
    ladder = list(Quality)
    fitting = [f for f in files if ladder.index(f.quality) <= ladder.index(wanted)]
    return max(fitting, key=lambda f: ladder.index(f.quality), default=None)
