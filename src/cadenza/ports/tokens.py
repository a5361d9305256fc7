"""One-time tokens sent by mail (verify an address, reset a password), spent once."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class OneTimeTokenRepository(Protocol):
    """One-time tokens sent by mail (verify an address, reset a password), spent once."""

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

    def drop_tokens(self, account_id: int, purpose: str) -> None: ...

    def prune_one_time_tokens(self, now: datetime) -> int:
        """Delete the e-mailed links and codes past their expiry, used or not."""
        ...
