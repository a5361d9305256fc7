"""Outgoing e-mail as a value, and the address syntax the platform accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from cadenza.domain.errors import InvalidRequest

MAX_ADDRESS_CHARS = 254  # RFC 5321's limit on a forward path, less the angle brackets
MAX_LOCAL_CHARS = 64
MAX_LABEL_CHARS = 63

# A local part: no spaces, controls or RFC 5322 specials; dots only between characters.
# Quoted local parts ("a b"@x) are legal but obscure, and refused.
_LOCAL_CHAR = r"[^\s\x00-\x1f\x7f\"(),.:;<>@\[\\\]]"
_LOCAL = re.compile(rf"{_LOCAL_CHAR}+(?:\.{_LOCAL_CHAR}+)*")
# A domain label: letters (any script) or digits, hyphens inside; the whole domain has a dot.
_LABEL = re.compile(r"[^\W_](?:[^\W_]|-)*(?<!-)")


@dataclass(frozen=True)
class Email:
    """One message to one recipient. `text` is required; `html` is an optional alternative."""

    to: str
    subject: str
    text: str
    html: str | None = None


def normalise_email(raw: str) -> str:
    """Trim, lower-case the domain and check the syntax; refuse with code `invalid_email`.

    The local part keeps its case (RFC 5321 lets servers distinguish it). Only syntax is
    checked: whether the mailbox exists is for a verification link to find out.
    """
    address = raw.strip()
    if len(address) > MAX_ADDRESS_CHARS:
        raise InvalidRequest(
            f"An e-mail address has at most {MAX_ADDRESS_CHARS} characters.", code="invalid_email"
        )
    local, at, domain = address.rpartition("@")
    domain = domain.lower()
    if not at or not _valid_local(local) or not _valid_domain(domain):
        raise InvalidRequest("That is not a valid e-mail address.", code="invalid_email")
    return f"{local}@{domain}"


def _valid_local(local: str) -> bool:
    return len(local) <= MAX_LOCAL_CHARS and _LOCAL.fullmatch(local) is not None


def _valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(labels) >= 2 and all(
        len(label) <= MAX_LABEL_CHARS and _LABEL.fullmatch(label) is not None for label in labels
    )


MAIL_ATTEMPTS = 10  # then the message is given up on (about three hours of retries)


def mail_retry_delay(failed_attempts: int) -> timedelta | None:
    """How long to wait after a failed delivery before the next try, or None to give up:
    30 seconds, doubling, at most an hour between tries."""
    if failed_attempts >= MAIL_ATTEMPTS:
        return None
    return timedelta(seconds=min(3600, 30 * 2 ** (failed_attempts - 1)))
