"""Accounts: e-mail, password, roles, plan, state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cadenza.domain.accounts import Account, ApiKey, AuditEvent, Device, SessionView
from cadenza.domain.catalog import ArtistRef
from cadenza.domain.entitlements import Listener
from cadenza.domain.two_factor import RecoveryCodes


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

    def link_artist(self, account_id: int, artist_id: int, now: datetime) -> bool:
        """False when they were linked already."""
        ...

    def unlink_artist(self, account_id: int, artist_id: int) -> bool: ...

    def unlink_all_artists(self, account_id: int) -> None: ...

    def linked_artists(self, account_id: int) -> list[ArtistRef]: ...

    def get(self, account_id: int) -> Account | None: ...

    def as_listener(self, account_id: int) -> Listener | None:
        """The account as the entitlements see it (plan, country, explicit filter), in one
        statement; None for no such account."""
        ...

    def id_by_email(self, email: str) -> int | None: ...

    def all(self, limit: int, offset: int) -> list[Account]: ...

    def credentials(self, account_id: int) -> Credentials | None: ...

    def delete(self, account_id: int) -> None: ...

    def devices(self, account_id: int) -> list[Device]: ...

    def set_password_hash(
        self, account_id: int, password_hash: str, if_version: int | None = None
    ) -> None:
        """With `if_version`: only while the credentials are still at that version."""
        ...

    def mark_verified(self, account_id: int, at: datetime) -> None: ...

    def set_disabled(self, account_id: int, at: datetime | None) -> None: ...

    def set_roles(self, account_id: int, roles: list[str]) -> None: ...

    def set_plan(self, account_id: int, plan: str) -> None: ...

    def set_totp_step(self, account_id: int, step: int) -> None: ...

    def advance_totp_step(self, account_id: int, step: int) -> bool:
        """Store a newer accepted TOTP step; False if the step is not newer (a replay)."""
        ...

    def revoke_api_keys(self, account_id: int, now: datetime) -> None: ...

    def api_key_known(self, key_hash: str) -> bool: ...

    def drop_tokens(self, account_id: int, purpose: str) -> None: ...

    def set_locked(self, account_id: int, at: datetime | None) -> None: ...

    def pending_totp(self, account_id: int) -> str | None: ...

    def set_pending_totp(self, account_id: int, secret: str | None) -> None: ...

    def set_two_factor(
        self, account_id: int, secret: str | None, codes: RecoveryCodes | None
    ) -> None: ...

    def recovery_codes(self, account_id: int) -> RecoveryCodes | None: ...

    def add_api_key(
        self,
        account_id: int,
        name: str,
        prefix: str,
        key_hash: str,
        scopes: list[str],
        now: datetime,
    ) -> int: ...

    def api_keys(self, account_id: int) -> list[ApiKey]: ...

    def use_api_key(self, key_hash: str, now: datetime) -> tuple[int, ApiKey] | None:
        """The account a live key belongs to, and the key; records its use."""
        ...

    def revoke_api_key(self, account_id: int, key_id: int, now: datetime) -> bool: ...

    def set_recovery_codes(self, account_id: int, codes: RecoveryCodes) -> None: ...

    def add_token(
        self,
        account_id: int,
        purpose: str,
        token_hash: str,
        expires_at: datetime,
        data: dict[str, str],
    ) -> None: ...

    def use_token(
        self, purpose: str, token_hash: str, now: datetime
    ) -> tuple[int, dict[str, str]] | None:
        """Spend a one-time token: the account and data, or None if unknown, used or expired."""
        ...

    def device(self, account_id: int, device_key: str) -> Device | None: ...

    def save_device(
        self, account_id: int, device_key: str, name: str, country: str | None, now: datetime
    ) -> int: ...

    def start_session(
        self,
        account_id: int,
        device_id: int,
        refresh_hash: str,
        now: datetime,
        expires_at: datetime,
        credentials_version: int,
    ) -> int: ...

    def rotate(self, refresh_hash: str, new_hash: str, now: datetime) -> tuple[int, int] | None:
        """Replace a live refresh token; (session id, account id), or None if not live."""
        ...

    def session_of_spent_token(self, refresh_hash: str) -> int | None:
        """The session that was given this refresh token before its live one: a replay."""
        ...

    def session_rotated_at(self, session_id: int) -> datetime | None:
        """When the session's refresh token was last swapped for a new one."""
        ...

    def session_live(self, session_id: int, account_id: int, now: datetime) -> bool: ...

    def session_owner(self, session_id: int) -> int | None: ...

    def revoke_sessions(
        self, account_id: int, now: datetime, session_id: int | None = None
    ) -> int: ...

    def sessions(self, account_id: int, now: datetime) -> list[SessionView]: ...

    def prune_sessions(self, now: datetime) -> tuple[int, int]:
        """Delete the sessions past their expiry, ended or not, with every refresh token
        they were given: (sessions, refresh tokens) deleted."""
        ...

    def prune_one_time_tokens(self, now: datetime) -> int:
        """Delete the e-mailed links and codes past their expiry, used or not."""
        ...

    def record_failure(self, keys: list[str], now: datetime) -> list[int]: ...

    def forget_failure_ids(self, ids: list[int]) -> None: ...

    def forget_failures(self, before: datetime) -> None: ...

    def failures(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failed logins counted against `key` since then, and the last one's time."""
        ...

    def spend_challenge(self, digest: str, now: datetime, forget_before: datetime) -> bool:
        """Record a proof-of-work challenge as used; False if it was (even at the same instant)."""
        ...

    def spend_stream_ticket(self, ticket_id: str, expires_at: datetime, now: datetime) -> bool:
        """True for the first use of this ticket, in any process; False for any later one."""
        ...

    def forget_stream_tickets(self, now: datetime) -> int:
        """Forget the spent tickets that have expired (they cannot open a stream anyway)."""
        ...

    def audit(self, account_id: int, event: AuditEvent) -> None: ...

    def audit_log(self, account_id: int, limit: int) -> list[AuditEvent]: ...
