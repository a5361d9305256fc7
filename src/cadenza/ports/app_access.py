"""Listeners' app credentials (API keys as hashes, app passwords encrypted)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.app_access import AppCredential, AppCredentialKind


class AppCredentialRepository(Protocol):
    def add(
        self,
        account_id: int,
        kind: AppCredentialKind,
        name: str,
        prefix: str,
        key_hash: str | None,
        sealed: str | None,
        now: datetime,
    ) -> AppCredential: ...

    def live_count(self, account_id: int, kind: AppCredentialKind) -> int: ...

    def of_account(self, account_id: int, kind: AppCredentialKind) -> list[AppCredential]:
        """Live ones, oldest first."""
        ...

    def by_key_hash(self, key_hash: str) -> AppCredential | None:
        """A live API key with this hash."""
        ...

    def sealed_passwords(self, account_id: int) -> list[tuple[AppCredential, str]]:
        """The account's live app passwords, each with its sealed secret."""
        ...

    def touch(self, credential_id: int, now: datetime) -> None: ...

    def revoke(
        self, account_id: int, kind: AppCredentialKind, credential_id: int, now: datetime
    ) -> bool: ...


class SecretSealer(Protocol):
    """Encrypts what the server must read back, bound to a context (the account)."""

    def seal(self, plain: str, context: str) -> str: ...

    def open(self, sealed: str, context: str) -> str | None: ...
