"""The tracker of peer-assisted delivery: which listeners' computers hold which audio files,
and which peers listeners reported for bad chunks; and the server's signing key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from cadenza.domain.peers import PeerSeen


class PeerTracker(Protocol):
    """Announcements expire: a peer that stops announcing drops out of every list."""

    def announce(
        self,
        account_id: int,
        host: str,
        port: int,
        region: str | None,
        blobs: Iterable[str],
        replace: bool,
        now: datetime,
        expires: datetime,
    ) -> int:
        """Renews the peer (account, host, port) and what it holds; its blob count."""
        ...

    def withdraw(self, account_id: int, host: str, port: int) -> None:
        """The peer and every announcement of it gone (the listener opted out)."""
        ...

    def holders(self, blob: str, now: datetime, exclude_account: int) -> list[PeerSeen]:
        """Live peers holding the blob, other accounts' only."""
        ...

    def report(self, reporter_id: int, host: str, port: int, now: datetime) -> None: ...

    def avoided(self, reporter_id: int, since: datetime, by_anyone: int) -> set[tuple[str, int]]:
        """Peers this listener reported since then, and those `by_anyone` listeners did."""
        ...

    def prune(self, now: datetime, reports_before: datetime) -> int:
        """Expired peers and old reports removed; the peers removed."""
        ...


class Signer(Protocol):
    """The server's Ed25519 key: manifests and peer tokens are signed with it."""

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> bytes:
        """The 32 raw bytes of the public key."""
        ...
