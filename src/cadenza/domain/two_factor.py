"""Two-factor rules: TOTP steps and replay, and single-use recovery codes.

Recovery codes look like ``k7qz-m2xa`` (8 lowercase base32 characters, 40 bits). Only salted
SHA-256 digests are stored; using one removes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

ISSUER = "Cadenza"
TOTP_DIGITS = 6
TOTP_PERIOD_S = 30
TOTP_WINDOW = 1  # steps accepted either side of now, for clock drift
RECOVERY_CODE_COUNT = 10
_CODE_CHARS = 8
_SALT_BYTES = 16


def totp_step(unix_time: float) -> int:
    """The TOTP time-step (RFC 6238 counter) a moment falls in."""
    return int(unix_time // TOTP_PERIOD_S)


def candidate_steps(now_step: int) -> list[int]:
    """Steps a code may come from, now first, then the drift window."""
    around = [s for d in range(1, TOTP_WINDOW + 1) for s in (now_step - d, now_step + d)]
    return [now_step, *around]


def step_is_fresh(step: int, last_used_step: int | None) -> bool:
    """Replay protection: a step at or before the last accepted one is refused."""
    return last_used_step is None or step > last_used_step


@dataclass(frozen=True)
class RecoveryCodes:
    """What is stored for an account: a salt and the digests of the unused codes."""

    salt: str
    digests: tuple[str, ...]

    @property
    def remaining(self) -> int:
        return len(self.digests)


def normalize_recovery_code(code: str) -> str:
    """Accept codes typed with any case, spaces or dashes."""
    return "".join(c for c in code.casefold() if c.isalnum())


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{normalize_recovery_code(code)}".encode()).hexdigest()


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(5)).decode().lower()
    half = _CODE_CHARS // 2
    return f"{raw[:half]}-{raw[half:_CODE_CHARS]}"


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> tuple[list[str], RecoveryCodes]:
    """Codes to show the user once, and what to store."""
    codes: list[str] = []
    while len(codes) < count:
        code = _new_code()
        if code not in codes:
            codes.append(code)
    salt = secrets.token_hex(_SALT_BYTES)
    return codes, RecoveryCodes(salt, tuple(_digest(salt, c) for c in codes))


def use_recovery_code(stored: RecoveryCodes, code: str) -> RecoveryCodes | None:
    """The stored codes without this one, or None if it is not (or no longer) valid."""
    wanted = _digest(stored.salt, code)
    found = [d for d in stored.digests if hmac.compare_digest(d, wanted)]
    if not found:
        return None
    return RecoveryCodes(stored.salt, tuple(d for d in stored.digests if d != found[0]))
