"""The server's Ed25519 key for chunk manifests and peer tokens: derived from a random secret
kept in the data dir (owner-readable only), so every process of a deployment signs alike and
a client holding the public key checks a manifest or a token with no call to the server."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class Ed25519Signer:
    def __init__(self, secret: bytes) -> None:
        seed = hashlib.sha256(b"cadenza peer signing key\0" + secret).digest()
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self._public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def public_key(self) -> bytes:
        return self._public
