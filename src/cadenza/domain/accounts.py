"""Accounts: who may sign in, from where, and how hard a guesser has to work."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

ACCESS_TOKEN_TTL = timedelta(minutes=15)
REFRESH_TOKEN_TTL = timedelta(days=60)
VERIFY_LINK_TTL = timedelta(days=7)
RESET_LINK_TTL = timedelta(hours=1)
LOCK_LINK_TTL = timedelta(days=14)
STEP_UP_CODE_TTL = timedelta(minutes=10)
FAILURE_WINDOW = timedelta(hours=1)
MAX_ACCOUNT_FAILURES = 100  # per account per hour (OWASP), counted apart for known devices
MIN_AGE_YEARS = 13


class Role(StrEnum):
    LISTENER = "listener"
    ARTIST = "artist"
    DISTRIBUTOR = "distributor"
    ADMIN = "admin"
    ADVERTISER = "advertiser"
    PODCASTER = "podcaster"  # adds shows by their feeds and hosts shows here


class LoginStep(StrEnum):
    """What a login still needs after the password was right."""

    NONE = "none"
    TOTP = "totp"  # two-factor is on: the authenticator's code or a recovery code
    EMAIL_CODE = "email_code"  # new device or new country, no two-factor: a code by e-mail


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    display_name: str
    country: str
    birth_date: date
    roles: tuple[Role, ...]
    plan: str
    email_verified: bool
    two_factor: bool
    disabled: bool
    locked: bool
    created_at: datetime
    time_zone: str = "UTC"  # IANA, as the web player saved it: weekly playlists turn over here
    city: str | None = None  # optional, for the artists' audience figures
    gender: str | None = None  # female, male, non_binary, other; None: not given


@dataclass(frozen=True)
class Device:
    id: int
    name: str
    last_country: str | None
    last_seen: datetime


@dataclass(frozen=True)
class SessionView:
    id: int
    device: Device
    created_at: datetime
    last_used: datetime


@dataclass(frozen=True)
class AuditEvent:
    kind: str
    at: datetime
    ip: str | None
    device: str | None
    detail: dict[str, str] = field(default_factory=dict)


def step_needed(*, two_factor: bool, known_device: bool, usual_country: bool) -> LoginStep:
    """A right password is not enough from a stranger's device: credential stuffing replays
    right passwords. Two-factor always asks; otherwise a new device or country gets a code."""
    if two_factor:
        return LoginStep.TOTP
    if known_device and usual_country:
        return LoginStep.NONE
    return LoginStep.EMAIL_CODE


def failure_delay(failures: int) -> float:
    """Seconds to wait before the next attempt: none for a few typos, then doubling, capped."""
    if failures < 5:
        return 0.0
    return float(min(30.0, 0.25 * math.pow(2, failures - 5)))


POW_AFTER_IP_FAILURES = 20  # failed logins from one address in the window
POW_TTL = timedelta(minutes=5)


def pow_difficulty(ip_failures: int) -> int:
    """Leading zero bits a proof of work needs from a source with this many failures: none at
    first, then 16 (a browser solves it in a blink) growing to 22 (seconds per attempt)."""
    if ip_failures < POW_AFTER_IP_FAILURES:
        return 0
    return 16 + min(6, (ip_failures - POW_AFTER_IP_FAILURES) // 50)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def old_enough(birth_date: date, today: date) -> bool:
    years = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    return years >= MIN_AGE_YEARS


class Scope(StrEnum):
    """What an API key may do."""

    RELEASES_READ = "releases:read"
    RELEASES_WRITE = "releases:write"


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    prefix: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    last_used: datetime | None
    revoked: bool
