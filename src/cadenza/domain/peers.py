"""Peer-assisted delivery's rules: chunk manifests, peer tokens, and whom the tracker lists.

A track file is cut into fixed-size chunks; the manifest lists each chunk's SHA-256 and is
signed by the server (Ed25519), so a chunk from another listener's computer is checked before
it is kept or played. A peer token is the server's signed word that its holder may fetch the
chunks of one file until a time: no account, device or history is in it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import random
from collections.abc import Sequence
from dataclasses import dataclass

CHUNK_SIZE = 64 * 1024  # bench/p2p.py and docs/peer-delivery.md say why not 16 KiB
MANIFEST_CONTEXT = b"cadenza chunk manifest v1\n"
TOKEN_CONTEXT = b"cadenza peer token v1\n"
MAX_BLOBS_PER_ANNOUNCE = 1000
MAX_PEERS_LISTED = 8
REPORTS_TO_AVOID_FOR_ALL = 3  # distinct listeners reporting one peer within the window


def is_blob(text: str) -> bool:
    """A blob's name: the file's SHA-256 in lower-case hex."""
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


@dataclass(frozen=True)
class ChunkManifest:
    """One file's chunks: chunk i is bytes [i * chunk_size, min(size, (i + 1) * chunk_size))."""

    blob: str
    size: int
    chunk_size: int
    hashes: tuple[str, ...]  # SHA-256 hex of each chunk, in order
    signature: str = ""  # base64url Ed25519 over signed_bytes()

    def signed_bytes(self) -> bytes:
        head = f"{self.blob}\n{self.size}\n{self.chunk_size}\n".encode()
        return MANIFEST_CONTEXT + head + "".join(self.hashes).encode()

    def span(self, index: int) -> tuple[int, int]:
        """The chunk's first byte and one past its last."""
        start = index * self.chunk_size
        return start, min(self.size, start + self.chunk_size)

    def holds(self, index: int, data: bytes) -> bool:
        """Whether these bytes are chunk `index`, as the server hashed it."""
        start, end = self.span(index)
        return len(data) == end - start and hashlib.sha256(data).hexdigest() == self.hashes[index]

    def index_of(self, chunk_hash: str) -> int | None:
        try:
            return self.hashes.index(chunk_hash)
        except ValueError:
            return None

    def to_json(self) -> dict[str, object]:
        return {
            "blob": self.blob,
            "size": self.size,
            "chunk_size": self.chunk_size,
            "hashes": list(self.hashes),
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ChunkManifest:
        hashes = data.get("hashes")
        size, chunk_size = data.get("size"), data.get("chunk_size")
        blob, signature = data.get("blob"), data.get("signature")
        if not (
            isinstance(hashes, list)
            and isinstance(size, int)
            and isinstance(chunk_size, int)
            and isinstance(blob, str)
            and isinstance(signature, str)
            and chunk_size > 0
            and len(hashes) == max(1, -(-size // chunk_size))
            and all(isinstance(h, str) and is_blob(h) for h in hashes)
        ):
            raise ValueError("not a chunk manifest")
        return cls(blob, size, chunk_size, tuple(str(h) for h in hashes), signature)


def chunk_hashes(data: bytes, chunk_size: int = CHUNK_SIZE) -> tuple[str, ...]:
    if not data:
        return (hashlib.sha256(b"").hexdigest(),)
    return tuple(
        hashlib.sha256(data[i : i + chunk_size]).hexdigest()
        for i in range(0, len(data), chunk_size)
    )


@dataclass(frozen=True)
class PeerToken:
    """Lets its holder fetch one file's chunks from peers until `expires` (unix seconds)."""

    blob: str
    expires: int
    nonce: str

    def payload(self) -> str:
        return f"{self.blob}.{self.expires}.{self.nonce}"

    def signed_bytes(self) -> bytes:
        return TOKEN_CONTEXT + self.payload().encode()

    @classmethod
    def parse(cls, token: str) -> tuple[PeerToken, bytes]:
        """The claims and the signature of `payload.signature` (both base64url)."""
        try:
            payload_b64, sig_b64 = token.split(".")
            blob, expires, nonce = unb64(payload_b64).decode().split(".")
            signature = unb64(sig_b64)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError("not a peer token") from exc
        if not (is_blob(blob) and expires.isdigit() and 8 <= len(nonce) <= 64):
            raise ValueError("not a peer token")
        return cls(blob, int(expires), nonce), signature

    def encode(self, signature: bytes) -> str:
        return f"{b64(self.payload().encode())}.{b64(signature)}"


@dataclass(frozen=True)
class PeerSeen:
    """A peer as the tracker lists it to another listener: where to reach it, nothing else."""

    host: str
    port: int
    region: str | None

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def same_network(a: str, b: str) -> bool:
    """Both in one IPv4 /24 or one IPv6 /48 (a home, an office, a campus floor)."""
    try:
        first, second = ipaddress.ip_address(a), ipaddress.ip_address(b)
    except ValueError:
        return False
    if first.version != second.version:
        return False
    prefix = 24 if first.version == 4 else 48
    network = ipaddress.ip_network(f"{first}/{prefix}", strict=False)
    return second in network


def nearest(
    holders: Sequence[PeerSeen],
    host: str,
    region: str | None,
    rng: random.Random,
    limit: int = MAX_PEERS_LISTED,
) -> list[PeerSeen]:
    """The holders to list: same region first, then same network, then the rest; shuffled
    within each tier so the load spreads over the holders."""

    def tier(peer: PeerSeen) -> int:
        if region and peer.region == region:
            return 0
        return 1 if same_network(peer.host, host) else 2

    shuffled = list(holders)
    rng.shuffle(shuffled)
    return sorted(shuffled, key=tier)[:limit]
