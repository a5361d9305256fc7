"""Signed-in devices, sessions and their refresh tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.accounts import Device, SessionView


class SessionRepository(Protocol):
    """Signed-in devices, sessions and their refresh tokens."""

    def devices(self, account_id: int) -> list[Device]: ...

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

    def of_account(self, account_id: int, now: datetime) -> list[SessionView]: ...

    def prune_sessions(self, now: datetime) -> tuple[int, int]:
        """Delete the sessions past their expiry, ended or not, with every refresh token
        they were given: (sessions, refresh tokens) deleted."""
        ...
