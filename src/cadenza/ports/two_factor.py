"""Two-factor sign-in: time-based one-time codes (TOTP) and recovery codes."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.two_factor import RecoveryCodes


class Totp(Protocol):
    def new_secret(self) -> str: ...

    def provisioning_uri(self, secret: str, account_name: str) -> str: ...

    def verify(self, secret: str, code: str, *, at: datetime, last_step: int | None) -> int | None:
        """The accepted time-step (store it as the new last step), or None."""
        ...


class TwoFactorRepository(Protocol):
    """An account's TOTP secret, its last used step and its recovery codes."""

    def set_totp_step(self, account_id: int, step: int) -> None: ...

    def advance_totp_step(self, account_id: int, step: int) -> bool:
        """Store a newer accepted TOTP step; False if the step is not newer (a replay)."""
        ...

    def pending_totp(self, account_id: int) -> str | None: ...

    def set_pending_totp(self, account_id: int, secret: str | None) -> None: ...

    def set_two_factor(
        self, account_id: int, secret: str | None, codes: RecoveryCodes | None
    ) -> None: ...

    def recovery_codes(self, account_id: int) -> RecoveryCodes | None: ...

    def set_recovery_codes(self, account_id: int, codes: RecoveryCodes) -> None: ...
