"""Secrets a listener hands the server for other services (a ListenBrainz token, a Last.fm
session key), sealed with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from a server
secret kept in the data dir: a copy of the database alone does not reveal them."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class FernetBox:
    def __init__(self, server_secret: bytes) -> None:
        key = hashlib.sha256(b"cadenza sealed secrets\0" + server_secret).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:  # another server's key, or tampered with
            raise ValueError("the sealed secret cannot be opened with this server's key") from exc
