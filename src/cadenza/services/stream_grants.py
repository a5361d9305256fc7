"""Stream grants: a signed URL, valid for one minute, to one track's audio at one quality.

The URL's path names the audio's content (`/api/v1/audio/{blob}.{ext}`), so caches keep one
copy; the permission rides in the query in the form nginx's `secure_link` module checks:
`?play=...&expires=UNIX&sig=BASE64URL(md5("{expires}{path}{play} {secret}"))`. Cadenza, nginx
or a CDN can check it without a database read. `play` names the listener, track, quality and
length (the rip watch counts by them), and is signed with the rest.

A grant lasts a minute: the player renews it as it plays, and renewal is where revocation
happens (logout, a plan change, a removed or inactive device, a track taken down all refuse the
next one). A range fetched on an expired grant is refused with 403 `grant_expired`: ask for a
fresh grant and go on at the same position.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from cadenza.domain.audio import Quality
from cadenza.domain.catalog import TrackToPlay, Viewer
from cadenza.domain.entitlements import Entitlements, Listener, Listening, require
from cadenza.domain.errors import Forbidden, NotFound
from cadenza.ports.clock import Clock
from cadenza.services.catalog import CatalogService
from cadenza.services.grant_log import GrantLog

GRANT_TTL = timedelta(seconds=60)
AUDIO_PATH = "/api/v1/audio/"
MEDIA_TYPES = {"opus": "audio/ogg", "flac": "audio/flac"}
VERIFIED_KEPT = 4096  # URLs whose signature was checked, kept (then forgotten all at once)


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
    url: str = ""

    @property
    def issued_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC) - GRANT_TTL


@dataclass(frozen=True)
class GrantedFile:
    """What a checked audio URL names: no database needed to serve it."""

    account_id: int
    track_id: int
    quality: Quality
    blob: str
    extension: str
    duration_ms: int
    expires: int

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.extension]

    @property
    def issued_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC) - GRANT_TTL


class StreamLinks:
    """The signature nginx's secure_link checks: md5 over expiry, path, `play` and the secret
    (the secret last, printable, without spaces)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        # URLs whose signature held: a player fetches one URL a range at a time for a minute,
        # so its signature is worked out once (the expiry is still checked every time).
        self._verified: dict[tuple[str, str | None, str | None, str | None], GrantedFile] = {}

    def signature(self, expires: int, path: str, play: str) -> str:
        raw = f"{expires}{path}{play} ".encode() + self._secret
        digest = hashlib.md5(raw, usedforsecurity=False).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def url(self, grant: StreamGrant) -> str:
        path = f"{AUDIO_PATH}{grant.blob}.{grant.quality.extension}"
        play = f"{grant.account_id}.{grant.track_id}.{grant.quality.value}.{grant.duration_ms}"
        query = {"play": play, "expires": grant.expires}
        sig = self.signature(grant.expires, path, play)
        return f"{path}?{urlencode(query)}&sig={sig}"

    def check(
        self, path: str, play: str | None, expires: str | None, sig: str | None, now: datetime
    ) -> GrantedFile:
        """The file a URL grants, if its signature holds (404 `stream_not_found`) and it has not
        expired (403 `grant_expired`)."""
        key = (path, play, expires, sig)
        found = self._verified.get(key)
        if found is None:
            found = self._signed(path, play, expires, sig)
            if len(self._verified) >= VERIFIED_KEPT:
                self._verified.clear()
            self._verified[key] = found
        if found.expires <= now.timestamp():
            raise Forbidden(
                "the stream grant has expired; ask for a fresh one and go on where you were",
                code="grant_expired",
            )
        return found

    def _signed(
        self, path: str, play: str | None, expires: str | None, sig: str | None
    ) -> GrantedFile:
        try:
            blob, extension = path.removeprefix(AUDIO_PATH).split(".")
            account, track, quality, duration = (play or "").split(".")
            if not (
                path.startswith(AUDIO_PATH)
                and extension in MEDIA_TYPES
                and len(blob) == 64
                and sig
                and expires
                and expires.isdigit()
                and hmac.compare_digest(sig, self.signature(int(expires), path, play or ""))
            ):
                raise ValueError("bad signature")
            found = GrantedFile(
                int(account),
                int(track),
                Quality(quality),
                blob,
                extension,
                int(duration),
                int(expires),
            )
        except ValueError as exc:
            raise NotFound("no such stream", code="stream_not_found") from exc
        return found


class StreamGrants:
    """Signs a grant once the plan, the ads and the track allow it (the device rule is
    services/stream_access.py's)."""

    def __init__(
        self,
        links: StreamLinks,
        clock: Clock,
        catalog: CatalogService,
        entitlements: Entitlements,
        listener: Callable[[int], Listener],
        hold_for_ads: Callable[[int, Listener], None],
        log: GrantLog | None = None,
    ) -> None:
        self.links, self.clock, self.catalog = links, clock, catalog
        self.entitlements, self.listener, self.hold_for_ads = entitlements, listener, hold_for_ads
        self.log = log  # every grant issued, for the stream counts

    def grant(
        self,
        account_id: int,
        track_id: int,
        quality: Quality | None,
        who: Listener | None = None,
        seen: TrackToPlay | None = None,
        device: str | None = None,
    ) -> StreamGrant:
        """What the listener's plan allows, for this track, now; refused with the rule's code.
        `who` and `seen`: the listener, and the track as checked for them (date, territory,
        takedown), where the same command has just read them; else one read each. `device`:
        the device it is for (the grant log keeps a window per device and track)."""
        who = who or self.listener(account_id)
        quality = quality or who.plan.features.default_quality
        if seen is not None and seen.id == track_id:
            track = seen
        else:
            viewer = Viewer(country=who.country, now=self.clock.now(), allow_explicit=True)
            track = self.catalog.tracks_to_play([track_id], viewer)[0]
        playable = self.catalog.file_of(track, quality)
        self.hold_for_ads(account_id, who)  # ad_break_due while a break is due or playing
        require(
            self.entitlements.stream(
                who, Listening(), quality, explicit=track.explicit, premium_only=track.premium_only
            )
        )
        grant = StreamGrant(
            account_id=account_id,
            track_id=track_id,
            quality=quality,
            blob=playable.blob,
            media_type=playable.media_type,
            expires=int((self.clock.now() + GRANT_TTL).timestamp()),
            gain_db=track.loudness.gain_db(),
            duration_ms=track.duration_ms,
        )
        if self.log is not None:
            expires_at = datetime.fromtimestamp(grant.expires, UTC)
            self.log.issued(account_id, device, track_id, expires_at)
        return StreamGrant(**{**grant.__dict__, "url": self.links.url(grant)})

    def check(
        self, path: str, play: str | None, expires: str | None, sig: str | None
    ) -> GrantedFile:
        return self.links.check(path, play, expires, sig, self.clock.now())
