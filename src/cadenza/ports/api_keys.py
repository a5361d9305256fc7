"""API keys (distributors' tools), kept as hashes."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.accounts import ApiKey


class ApiKeyRepository(Protocol):
    """API keys (distributors' tools), kept as hashes."""

    def add_api_key(
        self,
        account_id: int,
        name: str,
        prefix: str,
        key_hash: str,
        scopes: list[str],
        now: datetime,
    ) -> int: ...

    def of_account(self, account_id: int) -> list[ApiKey]: ...

    def use_api_key(self, key_hash: str, now: datetime) -> tuple[int, ApiKey] | None:
        """The account a live key belongs to, and the key; records its use."""
        ...

    def revoke_api_key(self, account_id: int, key_id: int, now: datetime) -> bool: ...

    def revoke_api_keys(self, account_id: int, now: datetime) -> None: ...

    def api_key_known(self, key_hash: str) -> bool: ...
