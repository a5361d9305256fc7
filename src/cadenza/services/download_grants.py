"""Download grants: a signed URL to fetch one track's file for one download device.

Signed like stream grants (HMAC over the listener, device, track, quality and expiry) but with
their own key and purpose, so a download URL never serves as a stream URL or the other way
round. Unlike a stream, a download is checked against the device's licence when fetched, so a
plan that ended stops the downloads at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cadenza.domain.audio import Quality
from cadenza.domain.errors import NotFound, Unauthorized
from cadenza.ports.clock import Clock

DOWNLOAD_GRANT_TTL = timedelta(hours=1)  # a device may queue many downloads


@dataclass(frozen=True)
class DownloadGrant:
    account_id: int
    device_id: int
    track_id: int
    quality: Quality
    blob: str
    media_type: str
    duration_ms: int
    expires: int  # unix seconds
    token: str = ""


class DownloadGrants:
    def __init__(self, secret: bytes, clock: Clock) -> None:
        self._secret, self.clock = secret, clock

    def sign(
        self,
        account_id: int,
        device_id: int,
        track_id: int,
        quality: Quality,
        blob: str,
        media_type: str,
        duration_ms: int,
    ) -> DownloadGrant:
        expires = int((self.clock.now() + DOWNLOAD_GRANT_TTL).timestamp())
        fields = [account_id, device_id, track_id, quality.value, blob, media_type, duration_ms]
        body = _b64(json.dumps([*fields, expires]).encode())
        grant = DownloadGrant(
            account_id, device_id, track_id, quality, blob, media_type, duration_ms, expires
        )
        return replace(grant, token=f"{body}.{self._sign(body)}")

    def check(self, token: str, now: datetime | None = None) -> DownloadGrant:
        try:
            body, signature = token.split(".")
            if not hmac.compare_digest(signature, self._sign(body)):
                raise ValueError("bad signature")
            account, device, track, quality, blob, media, duration, expires = json.loads(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            )
            grant = DownloadGrant(
                int(account),
                int(device),
                int(track),
                Quality(quality),
                str(blob),
                str(media),
                int(duration),
                int(expires),
            )
        except (ValueError, TypeError) as exc:
            raise NotFound("no such download", code="download_not_found") from exc
        if grant.expires <= (now or self.clock.now()).timestamp():
            raise Unauthorized(
                "the download grant has expired; ask for a new one", code="grant_expired"
            )
        return grant

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._secret, b"download:" + body.encode(), hashlib.sha256).digest()
        return _b64(digest[:20])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
