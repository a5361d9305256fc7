"""Audio kept on disk is sealed with AES-GCM: a file copied out of the cache or the downloads
folder is noise to any decoder. The key is this installation's own (made once, kept beside the
data readable by its owner only) unless the server's licence gives one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
MAGIC = b"CDZ1"  # a sealed file's first bytes: format version 1


class SealBroken(Exception):
    """The file was changed, cut short, or sealed with another key."""


class Vault:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("an AES-256 key is 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def at(cls, key_file: Path) -> Vault:
        """The installation's key, made on first use (mode 0600)."""
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
        return cls(key_file.read_bytes())

    def seal(self, plain: bytes, label: str) -> bytes:
        """`label` (what the bytes are: the content's name) is bound in: a file renamed to
        another entry does not open."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return MAGIC + nonce + self._aead.encrypt(nonce, plain, label.encode())

    def open(self, sealed: bytes, label: str) -> bytes:
        if not sealed.startswith(MAGIC) or len(sealed) < len(MAGIC) + NONCE_BYTES + 16:
            raise SealBroken("not a sealed file")
        nonce = sealed[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[len(MAGIC) + NONCE_BYTES :], label.encode())
        except InvalidTag:
            raise SealBroken("the file does not open with this key") from None


def write_atomically(path: Path, data: bytes) -> None:
    """A crash leaves the old file or the new one, never half of one; readable by the owner
    only from its first byte (tokens, sealed audio)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    temp.replace(path)
