"""Argon2id password hashing (argon2-cffi), in the PHC string format."""

from __future__ import annotations

import secrets
from functools import cached_property

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from cadenza.domain.passwords import normalize_password

# OWASP Password Storage Cheat Sheet: argon2id with at least m=19 MiB, t=2, p=1.
OWASP_MINIMUM = argon2.Parameters(
    type=argon2.Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=2,
    memory_cost=19 * 1024,
    parallelism=1,
)
DEFAULT_PARAMETERS = argon2.profiles.RFC_9106_LOW_MEMORY  # m=64 MiB, t=3, p=4


class Argon2PasswordHasher:
    """Hashes NFKC-normalised passwords; refuses parameters weaker than OWASP's minimum."""

    def __init__(self, parameters: argon2.Parameters = DEFAULT_PARAMETERS) -> None:
        if parameters.type is not argon2.Type.ID:
            raise ValueError("only argon2id is allowed")
        if (
            parameters.memory_cost < OWASP_MINIMUM.memory_cost
            or parameters.time_cost < OWASP_MINIMUM.time_cost
        ):
            raise ValueError("argon2 parameters below OWASP's minimum (m=19 MiB, t=2, p=1)")
        self._hasher = argon2.PasswordHasher.from_parameters(parameters)

    @cached_property
    def _dummy_hash(self) -> str:
        """A real hash of a random password: checking against it costs what a real login costs.
        Made by the first check of a password, known account or not (so the first login costs
        the same either way), never by a process that checks none (0.15 s of CPU, 64 MiB)."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalize_password(password))

    def verify(self, hashed: str, password: str) -> bool:
        """True only on a match; a mismatch or a malformed hash is False, never an exception."""
        _ = self._dummy_hash
        try:
            return self._hasher.verify(hashed, normalize_password(password))
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        """True when the hash was made with other parameters (or cannot be read)."""
        try:
            return self._hasher.check_needs_rehash(hashed)
        except InvalidHashError:
            return True

    def dummy_verify(self) -> None:
        """Spend a real verification's time, for logins of unknown accounts."""
        self.verify(self._dummy_hash, "not the password")
