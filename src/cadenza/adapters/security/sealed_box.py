"""Secrets the server must read back (app passwords for Subsonic's token scheme), sealed with
AES-256-GCM under a key derived from a server secret kept in the data dir (0600)."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class SealedBox:
    def __init__(self, secret: bytes) -> None:
        # A key of its own: the data dir's secret file is never used as a key directly.
        self._aead = AESGCM(hashlib.sha256(b"cadenza app passwords\x00" + secret).digest())

    def seal(self, plain: str, context: str) -> str:
        """`context` (the account) is authenticated with it: a sealed value moved to another
        row does not open there."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain.encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode()

    def open(self, sealed: str, context: str) -> str | None:
        try:
            raw = base64.b64decode(sealed)
            return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (InvalidTag, ValueError):
            return None
