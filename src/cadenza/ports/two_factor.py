"""Time-based one-time codes (TOTP)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Totp(Protocol):
    def new_secret(self) -> str: ...

    def provisioning_uri(self, secret: str, account_name: str) -> str: ...

    def verify(self, secret: str, code: str, *, at: datetime, last_step: int | None) -> int | None:
        """The accepted time-step (store it as the new last step), or None."""
        ...
