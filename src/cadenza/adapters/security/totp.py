"""TOTP (RFC 6238) with pyotp: secrets, provisioning URIs, and verification without replay."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

from cadenza.domain.two_factor import (
    ISSUER,
    TOTP_DIGITS,
    TOTP_PERIOD_S,
    candidate_steps,
    step_is_fresh,
    totp_step,
)


class PyotpTotp:
    """Six-digit, 30-second, SHA-1 TOTP: what every authenticator app understands."""

    def new_secret(self) -> str:
        """A random base32 secret (160 bits, RFC 4226's recommended length)."""
        return pyotp.random_base32(length=32)

    def provisioning_uri(self, secret: str, account_name: str) -> str:
        """The otpauth:// URI an authenticator app scans, issued by "Cadenza"."""
        return self._totp(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)

    def code_at(self, secret: str, at: datetime) -> str:
        return self._totp(secret).at(at)

    def verify(self, secret: str, code: str, *, at: datetime, last_step: int | None) -> int | None:
        """The time-step the code belongs to if it is valid now (one step of drift either way)
        and newer than `last_step`; None otherwise. Store the step returned as the new
        `last_step`: the same code, or an older one, is then refused."""
        code = "".join(code.split())
        if len(code) != TOTP_DIGITS or not code.isdigit():
            return None
        totp = self._totp(secret)
        now_step = totp_step(at.timestamp())
        for step in candidate_steps(now_step):
            expected = totp.generate_otp(step)
            if hmac.compare_digest(expected, code):
                return step if step_is_fresh(step, last_step) else None
        return None

    @staticmethod
    def _totp(secret: str) -> pyotp.TOTP:
        return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_S)
