"""Stream grants: a signed, short-lived URL for one listener, track and quality.

Starting a track (or prefetching the next) asks the entitlements once and gets a grant; fetching
the audio then needs only the signature and the clock, no database lookup, so byte ranges are
served at file speed. The grant carries the normalisation gain for the player to apply.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cadenza.domain.audio import Quality
from cadenza.domain.catalog import TrackToPlay, Viewer
from cadenza.domain.entitlements import Entitlements, Listener, Listening, require
from cadenza.domain.errors import NotFound, Unauthorized
from cadenza.ports.clock import Clock
from cadenza.services.catalog import CatalogService

GRANT_TTL = timedelta(minutes=5)  # beyond the track's own length


@dataclass(frozen=True)
class StreamGrant:
    account_id: int
    track_id: int
    quality: Quality
    blob: str
    media_type: str
    expires: int  # unix seconds
    gain_db: float
    duration_ms: int
    token: str = ""

    @property
    def issued_at(self) -> datetime:
        """When it was signed (its lifetime is the track's length plus GRANT_TTL)."""
        lifetime = GRANT_TTL + timedelta(milliseconds=self.duration_ms)
        return datetime.fromtimestamp(self.expires, UTC) - lifetime


class StreamGrants:
    def __init__(
        self,
        secret: bytes,
        clock: Clock,
        catalog: CatalogService,
        entitlements: Entitlements,
        listener: Callable[[int], Listener],
        hold_for_ads: Callable[[int, Listener], None],
    ) -> None:
        self._secret, self.clock, self.catalog = secret, clock, catalog
        self.entitlements, self.listener, self.hold_for_ads = entitlements, listener, hold_for_ads

    def grant(
        self,
        account_id: int,
        track_id: int,
        quality: Quality,
        who: Listener | None = None,
        seen: TrackToPlay | None = None,
    ) -> StreamGrant:
        """What the listener's plan allows, for this track, now; refused with the rule's code.
        `who` and `seen`: the listener, and the track as checked for them (date, territory,
        takedown), where the same command has just read them; else one read each."""
        who = who or self.listener(account_id)
        if seen is not None and seen.id == track_id:
            track = seen
        else:
            viewer = Viewer(country=who.country, now=self.clock.now(), allow_explicit=True)
            track = self.catalog.tracks_to_play([track_id], viewer)[0]
        playable = self.catalog.file_of(track, quality)
        self.hold_for_ads(account_id, who)  # ad_break_due while a break is due or playing
        require(self.entitlements.stream(who, Listening(), quality, explicit=track.explicit))
        expires = self.clock.now() + GRANT_TTL + timedelta(milliseconds=track.duration_ms)
        grant = StreamGrant(
            account_id=account_id,
            track_id=track_id,
            quality=quality,
            blob=playable.blob,
            media_type=playable.media_type,
            expires=int(expires.timestamp()),
            gain_db=track.loudness.gain_db(),
            duration_ms=track.duration_ms,
        )
        body = _b64(
            json.dumps(
                [
                    account_id,
                    track_id,
                    quality.value,
                    playable.blob,
                    playable.media_type,
                    grant.expires,
                    track.duration_ms,
                    grant.gain_db,
                ]
            ).encode()
        )
        return StreamGrant(**{**grant.__dict__, "token": f"{body}.{self._sign(body)}"})

    def check(self, token: str, now: datetime | None = None) -> StreamGrant:
        """The grant a URL carries, if its signature holds and it has not expired."""
        try:
            body, signature = token.split(".")
            if not hmac.compare_digest(signature, self._sign(body)):
                raise ValueError("bad signature")
            account, track, quality, blob, media_type, expires, duration, gain_db = json.loads(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            )
            grant = StreamGrant(
                int(account),
                int(track),
                Quality(quality),
                str(blob),
                str(media_type),
                int(expires),
                float(gain_db),
                int(duration),
            )
        except (ValueError, TypeError) as exc:
            raise NotFound("no such stream", code="stream_not_found") from exc
        if grant.expires <= (now or self.clock.now()).timestamp():
            raise Unauthorized(
                "the stream grant has expired; ask for a new one", code="grant_expired"
            )
        return grant

    def _sign(self, body: str) -> str:
        return _b64(
            hmac.new(self._secret, b"stream:" + body.encode(), hashlib.sha256).digest()[:20]
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
