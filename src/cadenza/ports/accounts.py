"""Accounts, the artists an account speaks for, and its security log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cadenza.domain.accounts import Account, AuditEvent
from cadenza.domain.catalog import ArtistRef
from cadenza.domain.entitlements import Listener


@dataclass(frozen=True)
class Credentials:
    """What the accounts repository keeps to check a login, never shown to anyone."""

    account_id: int
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None
    disabled: bool
    locked: bool
    version: int  # raised whenever the password changes or the account is locked or disabled


class AccountRepository(Protocol):
    """An account: e-mail, password hash, roles, plan and state (verified, disabled, locked)."""

    def add(
        self, email: str, password_hash: str, display_name: str, country: str, birth_date: date
    ) -> int | None:
        """The new account's id; None when the address already has one (even one added by a
        request running at the same moment)."""
        ...

    def search(self, query: str | None, limit: int, offset: int) -> list[Account]:
        """Accounts whose e-mail or display name contains `query`, by id."""
        ...

    def bump_credentials(self, account_id: int, keep_session: int | None = None) -> None:
        """End every session signed in with the credentials as they were (but `keep_session`),
        including sessions whose login is still under way."""
        ...

    def get(self, account_id: int) -> Account | None: ...

    def as_listener(self, account_id: int) -> Listener | None:
        """The account as the entitlements see it (plan, country, explicit filter), in one
        statement; None for no such account."""
        ...

    def id_by_email(self, email: str) -> int | None: ...

    def all(self, limit: int, offset: int) -> list[Account]: ...

    def credentials(self, account_id: int) -> Credentials | None: ...

    def delete(self, account_id: int) -> None: ...

    def set_password_hash(
        self, account_id: int, password_hash: str, if_version: int | None = None
    ) -> None:
        """With `if_version`: only while the credentials are still at that version."""
        ...

    def mark_verified(self, account_id: int, at: datetime) -> None: ...

    def set_disabled(self, account_id: int, at: datetime | None) -> None: ...

    def set_roles(self, account_id: int, roles: list[str]) -> None: ...

    def set_plan(self, account_id: int, plan: str) -> None: ...

    def set_locked(self, account_id: int, at: datetime | None) -> None: ...

    def set_time_zone(self, account_id: int, zone: str) -> None: ...

    def set_audience_profile(self, account_id: int, city: str | None, gender: str | None) -> None:
        """The optional city and gender the artists' audience figures count."""
        ...


class ArtistLinkRepository(Protocol):
    """Which artists an account speaks for (the artist dashboard)."""

    def link_artist(self, account_id: int, artist_id: int, now: datetime) -> bool:
        """False when they were linked already."""
        ...

    def unlink_artist(self, account_id: int, artist_id: int) -> bool: ...

    def unlink_all_artists(self, account_id: int) -> None: ...

    def linked_artists(self, account_id: int) -> list[ArtistRef]: ...


class AuditLog(Protocol):
    """What happened to an account's security, newest first, for its owner and the admins."""

    def add(self, account_id: int, event: AuditEvent) -> None: ...

    def events(self, account_id: int, limit: int) -> list[AuditEvent]: ...
