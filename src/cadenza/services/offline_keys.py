"""What an app needs to keep downloads safely: the device's key, released with its licence,
and the hashes of a downloaded file's chunks, so every chunk is checked as it arrives.

The licence's dates are the server's: each check-in answers them signed (Ed25519, the key the
web app's service worker carries), so an app holds its downloads against the end the server
worked out from its own clock, and a licence rewritten on the device no longer verifies.

The key (AES-256, for AES-GCM on the device) is worked out from a server secret, the device
and the plan its downloads came with: the same device on the same plan always gets the same
key, so a reinstalled app can still read what it kept. A removed device gets no key (its
check-in is refused), and a plan that ended releases none; a new plan means a new subscription
and so a new key, under which the old files do not open. The key is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from cadenza.domain.offline import CheckIn, DownloadDevice
from cadenza.ports.blobs import BlobStore
from cadenza.ports.peers import Signer
from cadenza.services.download_grants import DownloadGrant, DownloadGrants
from cadenza.services.offline import OfflineDownloads

CHUNK_BYTES = 256 * 1024  # one range request and one sealed record each
LICENCE_CONTEXT = b"cadenza offline licence\0"  # signed before the payload: for nothing else


@dataclass(frozen=True)
class Licence:
    """A check-in's answer with the device's key (None while the licence is revoked)."""

    device: DownloadDevice
    check_in: CheckIn
    key: bytes | None = None
    signed: SignedLicence | None = None
    public_key: bytes = b""  # what checks `signed`

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"Licence(device={self.device.id}, key={'set' if self.key else None})"


@dataclass(frozen=True)
class SignedLicence:
    """`payload` (JSON: account_id, device_id, checked_in_at, licence_expires_at, the times
    the server's) and its Ed25519 signature over LICENCE_CONTEXT + payload."""

    payload: bytes
    signature: bytes


@dataclass(frozen=True)
class ChunkManifest:
    grant: DownloadGrant
    size: int
    chunk_bytes: int
    sha256: tuple[str, ...]


class OfflineKeys:
    def __init__(
        self,
        secret: bytes,
        offline: OfflineDownloads,
        grants: DownloadGrants,
        blobs: BlobStore,
        signer: Signer,
    ) -> None:
        self._secret, self.offline, self.grants, self.blobs = secret, offline, grants, blobs
        self.signer = signer

    def licence(self, account_id: int, device_id: int) -> Licence:
        """Check in (the 30-day licence renewed, or revoked) and release the device's key."""
        checked = self.offline.check_in(account_id, device_id)
        device = next(d for d in self.offline.devices(account_id) if d.id == device_id)
        if checked.licence_expires_at is None or device.revoked_at is not None:
            return Licence(device, checked, public_key=self.public_key())
        fields = {
            "account_id": account_id,
            "device_id": device.id,
            "checked_in_at": device.checked_in_at.isoformat(),
            "licence_expires_at": checked.licence_expires_at.isoformat(),
        }
        payload = json.dumps(fields, separators=(",", ":")).encode()
        signed = SignedLicence(payload, self.signer.sign(LICENCE_CONTEXT + payload))
        return Licence(device, checked, self._key(device), signed, self.public_key())

    def public_key(self) -> bytes:
        """The raw Ed25519 key licences are signed with."""
        return self.signer.public_key()

    def chunks(self, token: str) -> ChunkManifest:
        """The sha256 of each chunk of the file a download grant names, while it may be
        fetched (the same checks as the file itself)."""
        grant = self.grants.check(token)
        self.offline.allows(grant)
        size, hashes = _hashes(self.blobs, grant.blob, CHUNK_BYTES)
        return ChunkManifest(grant, size, CHUNK_BYTES, hashes)

    def _key(self, device: DownloadDevice) -> bytes:
        who = f"offline-device.{device.id}.{device.registered_at.isoformat()}"
        return hmac.new(self._secret, f"{who}.{device.subscription_id}".encode(), "sha256").digest()


_HASHED: dict[tuple[str, int], tuple[int, tuple[str, ...]]] = {}  # the last 256 files asked


def _hashes(blobs: BlobStore, digest: str, chunk: int) -> tuple[int, tuple[str, ...]]:
    """Blobs are addressed by their content: a blob's chunks never change."""
    if (known := _HASHED.get((digest, chunk))) is not None:
        return known
    found, size = [], 0
    with blobs.open(digest) as f:
        while block := f.read(chunk):
            size += len(block)
            found.append(hashlib.sha256(block).hexdigest())
    if len(_HASHED) >= 256:
        _HASHED.pop(next(iter(_HASHED)))
    _HASHED[(digest, chunk)] = (size, tuple(found))
    return _HASHED[(digest, chunk)]
