"""Password rules of OWASP ASVS 5 and NIST SP 800-63B: length, breached lists, guessability.

No composition rules: any character is allowed, spaces and emoji included. Lengths count
Unicode code points after NFKC normalisation, the form a password is also hashed in, so that
the same password typed on another keyboard or OS still matches.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import NamedTuple

from cadenza.domain.errors import InvalidRequest

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_SCORE = 2  # zxcvbn-style scores run 0 (too guessable) to 4 (very unguessable)
_MAX_RAW_LENGTH = 8 * MAX_LENGTH  # refuse before normalising: NFKC of huge input is work
_MIN_EMAIL_PART = 4  # shorter e-mail local parts ("bob") are too common to refuse inside words


class Strength(NamedTuple):
    """What a strength estimator says: a score from 0 to 4 and, if any, a hint for people."""

    score: int
    hint: str | None = None


IsCommon = Callable[[str], bool]
Estimate = Callable[[str, list[str]], Strength]


def normalize_password(password: str) -> str:
    """The form a password is checked, hashed and verified in (NFKC)."""
    return unicodedata.normalize("NFKC", password)


def check_password(
    password: str,
    *,
    email: str,
    display_name: str | None,
    is_common: IsCommon,
    estimate: Estimate | None,
) -> None:
    """Raise InvalidRequest with a stable code if the password may not be chosen."""
    if len(password) > _MAX_RAW_LENGTH:
        raise _too_long()
    normal = normalize_password(password)
    if len(normal) < MIN_LENGTH:
        raise InvalidRequest(
            f"The password must have at least {MIN_LENGTH} characters.",
            code="password_too_short",
        )
    if len(normal) > MAX_LENGTH:
        raise _too_long()
    if is_common(normal):
        raise InvalidRequest(
            "This password appears in lists of breached or common passwords; choose another.",
            code="password_common",
        )
    if _contains_email(normal, email):
        raise InvalidRequest(
            "The password must not contain your e-mail address.", code="password_contains_email"
        )
    if estimate is not None:
        strength = estimate(normal, _context_words(email, display_name))
        if strength.score < MIN_SCORE:
            hint = f" {strength.hint}" if strength.hint else ""
            raise InvalidRequest(
                f"This password is too easy to guess.{hint}", code="password_guessable"
            )


def _too_long() -> InvalidRequest:
    return InvalidRequest(
        f"The password must have at most {MAX_LENGTH} characters.", code="password_too_long"
    )


def _contains_email(password: str, email: str) -> bool:
    folded = password.casefold()
    address = email.strip().casefold()
    if not address:
        return False
    local = address.partition("@")[0]
    return address in folded or (len(local) >= _MIN_EMAIL_PART and local in folded)


def _context_words(email: str, display_name: str | None) -> list[str]:
    """Words an attacker knows about this account, for the estimator."""
    address = email.strip().casefold()
    words = [address, *address.replace("@", " ").replace(".", " ").split()]
    if display_name:
        name = display_name.strip().casefold()
        words += [name, *name.split()]
    return [w for w in dict.fromkeys(words) if w]
