"""Peer-assisted delivery, the server's side: signed chunk manifests, and the tracker that
tells a listener's client which other clients hold a file.

Everything is authorized by a stream grant (services/stream_grants.py): a manifest and a list
of peers are given for the file a valid grant names, to the grant's own listener. The list
names addresses only, and the peer token that comes with it names the file and its expiry,
never the listener: a peer learns that someone wants a chunk of that file, nothing more.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from cadenza.domain.errors import Forbidden, InvalidRequest, NotFound
from cadenza.domain.peers import (
    CHUNK_SIZE,
    MAX_BLOBS_PER_ANNOUNCE,
    REPORTS_TO_AVOID_FOR_ALL,
    ChunkManifest,
    PeerToken,
    b64,
    is_blob,
    nearest,
)
from cadenza.ports.blobs import BlobStore
from cadenza.ports.clock import Clock
from cadenza.ports.peers import Signer
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.stream_grants import GrantedFile, StreamGrants

MANIFESTS_KEPT = 4096
PRUNE_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class PeerRules:
    enabled: bool = True
    announce_ttl: timedelta = timedelta(seconds=120)
    token_ttl: timedelta = timedelta(seconds=300)
    report_window: timedelta = timedelta(hours=1)
    chunk_size: int = CHUNK_SIZE


@dataclass(frozen=True)
class Announced:
    blobs: int  # the files the tracker now lists for this peer
    ttl_s: float  # announce again before this many seconds pass


@dataclass(frozen=True)
class PeerList:
    blob: str
    peers: list[str]  # host:port, nearest first
    token: str
    token_expires: int  # unix seconds


def granted_file(grants: StreamGrants, url: str) -> GrantedFile:
    """The file a stream grant's URL names (404 `stream_not_found`, 403 `grant_expired`)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return grants.check(parts.path, query.get("play"), query.get("expires"), query.get("sig"))


class PeerDelivery:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        grants: StreamGrants,
        blobs: BlobStore,
        signer: Signer,
        rules: PeerRules,
        rng: random.Random | None = None,
    ) -> None:
        self.uow, self.clock, self.grants, self.blobs = uow, clock, grants, blobs
        self.signer, self.rules = signer, rules
        self.rng = rng or random.SystemRandom()
        self._manifests: dict[str, ChunkManifest] = {}
        self._pruned_at: datetime | None = None

    def _require_on(self) -> None:
        if not self.rules.enabled:
            raise NotFound("peer-assisted delivery is off on this server", code="peer_delivery_off")

    def public_key(self) -> str:
        """The key manifests and peer tokens are signed with (raw Ed25519, base64url)."""
        self._require_on()
        return b64(self.signer.public_key())

    def manifest(self, url: str) -> ChunkManifest:
        """The signed chunk manifest of the file a stream grant names."""
        self._require_on()
        granted = granted_file(self.grants, url)
        found = self._manifests.get(granted.blob)
        if found is None:
            found = self._hash(granted.blob)
            if len(self._manifests) >= MANIFESTS_KEPT:
                self._manifests.clear()
            self._manifests[granted.blob] = found
        return found

    def _hash(self, blob: str) -> ChunkManifest:
        hashes: list[str] = []
        size = 0
        try:
            with self.blobs.open(blob) as file:
                while chunk := file.read(self.rules.chunk_size):
                    hashes.append(hashlib.sha256(chunk).hexdigest())
                    size += len(chunk)
        except FileNotFoundError as exc:
            raise NotFound("no such stream", code="stream_not_found") from exc
        if not hashes:
            hashes.append(hashlib.sha256(b"").hexdigest())
        unsigned = ChunkManifest(blob, size, self.rules.chunk_size, tuple(hashes))
        signature = b64(self.signer.sign(unsigned.signed_bytes()))
        return ChunkManifest(blob, size, self.rules.chunk_size, tuple(hashes), signature)

    def announce(
        self,
        account_id: int,
        host: str,
        port: int,
        region: str | None,
        blobs: Sequence[str],
        *,
        replace: bool = False,
        share: bool = True,
    ) -> Announced:
        """The listener's client at host:port holds these files (`replace`: only these), until
        the announcement expires; `share=False` (opting out) withdraws it from every list."""
        self._require_on()
        if not 1 <= port <= 65535:
            raise InvalidRequest("a peer's port is 1 to 65535", code="invalid_peer_port")
        if len(blobs) > MAX_BLOBS_PER_ANNOUNCE or not all(is_blob(b) for b in blobs):
            raise InvalidRequest(
                f"announce at most {MAX_BLOBS_PER_ANNOUNCE} files, each by its SHA-256 (hex)",
                code="invalid_announcement",
            )
        now = self.clock.now()
        with self.uow() as uow:
            self._prune(uow, now)
            if not share:
                uow.peers.withdraw(account_id, host, port)
                uow.commit()
                return Announced(0, self.rules.announce_ttl.total_seconds())
            expires = now + self.rules.announce_ttl
            held = uow.peers.announce(account_id, host, port, region, blobs, replace, now, expires)
            uow.commit()
        return Announced(held, self.rules.announce_ttl.total_seconds())

    def _prune(self, uow: UnitOfWork, now: datetime) -> None:
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = now
            uow.peers.prune(now, now - self.rules.report_window)

    def lookup(self, account_id: int, url: str, host: str, region: str | None) -> PeerList:
        """Peers holding the file the listener's grant names, nearest first, without those
        the listener (or several listeners) reported; and a token to show them."""
        self._require_on()
        granted = granted_file(self.grants, url)
        if granted.account_id != account_id:
            raise Forbidden("this stream grant is another listener's", code="not_your_grant")
        now = self.clock.now()
        with self.uow() as uow:
            holders = uow.peers.holders(granted.blob, now, account_id)
            avoided = uow.peers.avoided(
                account_id, now - self.rules.report_window, REPORTS_TO_AVOID_FOR_ALL
            )
        usable = [p for p in holders if (p.host, p.port) not in avoided]
        chosen = nearest(usable, host, region, self.rng)
        expires = int((now + self.rules.token_ttl).timestamp())
        token = PeerToken(granted.blob, expires, secrets.token_urlsafe(12))
        signed = token.encode(self.signer.sign(token.signed_bytes()))
        return PeerList(granted.blob, [p.address for p in chosen], signed, expires)

    def report(self, account_id: int, address: str) -> None:
        """A peer sent this listener a chunk that did not match the signed manifest: it is not
        listed to them again, nor to anyone once several listeners report it."""
        self._require_on()
        host, port = split_address(address)
        with self.uow() as uow:
            uow.peers.report(account_id, host, port, self.clock.now())
            uow.commit()


def split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or len(host) > 45 or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidRequest("a peer's address is host:port", code="invalid_peer_address")
    return host, int(port)
