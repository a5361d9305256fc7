"""A client's store of verified chunks, and the checks that make a chunk trustworthy.

Every chunk kept here matched the SHA-256 the server signed in the file's manifest: a chunk
from a peer is checked before it is kept, so nothing a peer sends reaches the decoder unless
the server vouched for exactly those bytes. Files are evicted whole, least recently played
first, once the cache is over its size.

With a `Vault` (the terminal player's), every chunk is sealed on disk (AES-GCM, the chunk's
hash bound in): the one store of played audio, replays and peers both read it, and a chunk
copied out of it is noise. Peers are handed the plain chunk, opened and checked again.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cadenza.client.vault import SealBroken, Vault, write_atomically
from cadenza.domain.peers import ChunkManifest, PeerToken, is_blob, unb64

DEFAULT_CACHE_BYTES = 1024**3


class BadManifest(ValueError):
    """The manifest is not the server's (wrong signature) or not for this file."""


class BadToken(ValueError):
    """A peer token that is not the server's, has expired, or is for another file."""


class Verifier:
    """The server's public key, for manifests and peer tokens (no call to the server)."""

    def __init__(self, public_key: bytes) -> None:
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    def manifest(self, data: dict[str, object], blob: str) -> ChunkManifest:
        try:
            found = ChunkManifest.from_json(data)
            self._key.verify(unb64(found.signature), found.signed_bytes())
        except (ValueError, InvalidSignature) as exc:
            raise BadManifest("the manifest's signature is not the server's") from exc
        if found.blob != blob:
            raise BadManifest("the manifest is for another file")
        return found

    def token(self, token: str, now: float) -> PeerToken:
        try:
            claims, signature = PeerToken.parse(token)
            self._key.verify(signature, claims.signed_bytes())
        except (ValueError, InvalidSignature) as exc:
            raise BadToken("the peer token is not the server's") from exc
        if claims.expires <= now:
            raise BadToken("the peer token has expired")
        return claims


@dataclass
class _Held:
    manifest: ChunkManifest
    have: set[int]
    used: float


class ChunkCache:
    """Chunks on disk by their hash (`chunks/ab/<sha256>`), manifests by file
    (`manifests/<blob>.json`); files evicted whole, least recently used first, over `limit`."""

    def __init__(
        self, root: Path, limit: int = DEFAULT_CACHE_BYTES, vault: Vault | None = None
    ) -> None:
        self.root, self.limit, self.vault = root, limit, vault
        (root / "chunks").mkdir(parents=True, exist_ok=True)
        (root / "manifests").mkdir(parents=True, exist_ok=True)
        self._held: dict[str, _Held] = {}
        self._by_hash: dict[str, str] = {}  # chunk hash -> a file holding it
        self._lock = threading.Lock()
        self._load()

    def _chunk_path(self, chunk_hash: str) -> Path:
        return self.root / "chunks" / chunk_hash[:2] / chunk_hash

    def _load(self) -> None:
        for path in (self.root / "manifests").glob("*.json"):
            try:
                manifest = ChunkManifest.from_json(json.loads(path.read_text()))
            except (ValueError, OSError):
                path.unlink(missing_ok=True)
                continue
            have = {i for i, h in enumerate(manifest.hashes) if self._chunk_path(h).exists()}
            self._remember(manifest, have, path.stat().st_mtime)

    def _remember(self, manifest: ChunkManifest, have: set[int], used: float) -> None:
        self._held[manifest.blob] = _Held(manifest, have, used)
        for i in have:
            self._by_hash[manifest.hashes[i]] = manifest.blob

    def manifest(self, blob: str) -> ChunkManifest | None:
        held = self._held.get(blob)
        return held.manifest if held else None

    def add_manifest(self, manifest: ChunkManifest) -> None:
        """A manifest already checked against the server's key."""
        with self._lock:
            if manifest.blob in self._held:
                return
            path = self.root / "manifests" / f"{manifest.blob}.json"
            path.write_text(json.dumps(manifest.to_json()))
            self._remember(manifest, set(), time.time())

    def has(self, blob: str, index: int) -> bool:
        held = self._held.get(blob)
        return held is not None and index in held.have

    def missing(self, blob: str) -> list[int]:
        held = self._held[blob]
        return [i for i in range(len(held.manifest.hashes)) if i not in held.have]

    def complete(self) -> list[str]:
        """Files held whole: what this client announces."""
        return [b for b, h in self._held.items() if len(h.have) == len(h.manifest.hashes)]

    def put(self, blob: str, index: int, data: bytes) -> bool:
        """Keeps the chunk if it is exactly what the manifest says; False (and nothing kept)
        otherwise."""
        held = self._held.get(blob)
        if held is None or not held.manifest.holds(index, data):
            return False
        chunk_hash = held.manifest.hashes[index]
        path = self._chunk_path(chunk_hash)
        if not path.exists():
            if self.vault is not None:
                write_atomically(path, self.vault.seal(data, _label(chunk_hash)))
            else:
                path.parent.mkdir(exist_ok=True)
                draft = path.with_name(f".{chunk_hash}.{os.getpid()}.{threading.get_ident()}")
                draft.write_bytes(data)
                draft.replace(path)
        with self._lock:
            held.have.add(index)
            self._by_hash[chunk_hash] = blob
        return True

    def get(self, blob: str, index: int) -> bytes | None:
        held = self._held.get(blob)
        if held is None or index not in held.have:
            return None
        chunk_hash = held.manifest.hashes[index]
        try:
            data = self._chunk_path(chunk_hash).read_bytes()
            if self.vault is not None:
                data = self.vault.open(data, _label(chunk_hash))
        except FileNotFoundError:
            held.have.discard(index)
            return None
        except SealBroken:  # damaged, or another key's: fetched again
            self._chunk_path(chunk_hash).unlink(missing_ok=True)
            held.have.discard(index)
            return None
        if not held.manifest.holds(index, data):  # changed on disk: never hand it on
            held.have.discard(index)
            return None
        return data

    def chunk(self, chunk_hash: str, blob: str) -> bytes | None:
        """A chunk of `blob` by its hash, for a peer that asked (None: not held)."""
        if not is_blob(chunk_hash):
            return None
        held = self._held.get(blob)
        if held is None:
            return None
        index = held.manifest.index_of(chunk_hash)
        return None if index is None else self.get(blob, index)

    def touch(self, blob: str) -> None:
        held = self._held.get(blob)
        if held is not None:
            held.used = time.time()
            path = self.root / "manifests" / f"{blob}.json"
            with contextlib.suppress(FileNotFoundError):
                os.utime(path)

    def size(self) -> int:
        return sum(
            sum(h.manifest.span(i)[1] - h.manifest.span(i)[0] for i in h.have)
            for h in self._held.values()
        )

    def evict(self, keep: str | None = None) -> list[str]:
        """Least recently used files removed until the cache fits; the files removed."""
        gone: list[str] = []
        with self._lock:
            total = self.size()
            for blob, held in sorted(self._held.items(), key=lambda kv: kv[1].used):
                if total <= self.limit:
                    break
                if blob == keep:
                    continue
                for i in held.have:
                    start, end = held.manifest.span(i)
                    total -= end - start
                    chunk_hash = held.manifest.hashes[i]
                    if self._by_hash.get(chunk_hash) == blob:
                        self._chunk_path(chunk_hash).unlink(missing_ok=True)
                        del self._by_hash[chunk_hash]
                (self.root / "manifests" / f"{blob}.json").unlink(missing_ok=True)
                del self._held[blob]
                gone.append(blob)
        return gone


def _label(chunk_hash: str) -> str:
    return f"chunk:{chunk_hash}"
