"""Credentials a listener gives the apps they use (Subsonic players): API keys, and app
passwords for the classic token scheme. Never the account's password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MAX_PER_ACCOUNT = 20  # of each kind, live: a phone, a desktop, a car... and room to spare
NAME_MAX = 100


class AppCredentialKind(StrEnum):
    KEY = "key"  # OpenSubsonic `apiKey`: kept as a hash
    PASSWORD = "password"  # noqa: S105  classic `u` + `t` + `s`: kept encrypted (the token needs it back)


@dataclass(frozen=True)
class AppCredential:
    id: int
    account_id: int
    kind: AppCredentialKind
    name: str
    prefix: str  # the first characters, to tell them apart in a list
    created_at: datetime
    last_used: datetime | None
    revoked: bool


def clean_name(raw: str) -> str | None:
    """The app's name as the listener typed it, or None when unusable."""
    name = " ".join(raw.split())
    return name if 0 < len(name) <= NAME_MAX and name.isprintable() else None
