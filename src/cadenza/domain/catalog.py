"""The catalog as listeners and distributors see it: artists, releases, tracks."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum

from cadenza.domain.audio import Loudness, Quality
from cadenza.domain.errors import InvalidDelivery
from cadenza.domain.lyrics import Lyrics
from cadenza.domain.territories import WORLDWIDE, available_in

COVER_SIZES = (64, 300, 640)
MIN_DELIVERY_COVER_PX = 640

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")
_UPC = re.compile(r"^\d{12,14}$")


class ReleaseType(StrEnum):
    ALBUM = "album"
    SINGLE = "single"
    EP = "ep"
    COMPILATION = "compilation"


def normalise_isrc(raw: str) -> str:
    isrc = raw.replace("-", "").replace(" ", "").upper()
    if not _ISRC.match(isrc):
        raise InvalidDelivery(
            f"ISRC {raw!r} is not 12 characters CCXXXYYNNNNN", code="invalid_isrc"
        )
    return isrc


def normalise_upc(raw: str) -> str:
    upc = raw.strip()
    if not _UPC.match(upc):
        raise InvalidDelivery(f"UPC/EAN {raw!r} must be 12 to 14 digits", code="invalid_upc")
    return upc


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the catalog: a listener's country and the clock, or a distributor."""

    country: str | None
    now: datetime
    distributor_id: int | None = None
    allow_explicit: bool = True  # False: a Family manager filtered explicit content out
    listener_id: int | None = None  # a signed-in listener: their private playlists are found


def release_visible(
    *,
    release_at: datetime,
    territories: tuple[str, ...],
    distributor_id: int | None,
    viewer: Viewer,
    taken_down: bool = False,
) -> bool:
    """A release is invisible before its date, outside its territories and once taken down;
    its distributor sees it."""
    if viewer.distributor_id is not None and viewer.distributor_id == distributor_id:
        return True
    if taken_down:
        return False
    released = as_utc(release_at) <= as_utc(viewer.now)
    return released and available_in(territories, viewer.country)


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class TrackSpec:
    """What a delivery says about one track, after tags and release.json are merged."""

    title: str
    artists: list[str]
    featured_artists: list[str] = field(default_factory=list)
    isrc: str | None = None
    disc_number: int = 1
    track_number: int = 1
    genres: list[str] = field(default_factory=list)
    explicit: bool = False
    lyrics: Lyrics | None = None


@dataclass
class ReleaseSpec:
    """What a delivery says about a release."""

    title: str
    artists: list[str]
    release_type: ReleaseType = ReleaseType.ALBUM
    upc: str | None = None
    label: str | None = None
    release_at: datetime = field(default_factory=lambda: datetime(1970, 1, 1, tzinfo=UTC))
    territories: tuple[str, ...] = (WORLDWIDE,)
    explicit: bool = False
    copyright_lines: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    # Streamed to paying listeners only (a DDEX deal for subscription streaming alone, or
    # `"premium_only": true` in release.json): Free listeners see it and cannot play it.
    premium_only: bool = False


@dataclass(frozen=True)
class EncodedAudio:
    quality: Quality
    blob: str  # sha256 hex of the file
    size: int
    bitrate_kbps: int | None


@dataclass(frozen=True)
class ArtistRef:
    id: int
    name: str


@dataclass(frozen=True)
class TrackView:
    id: int
    release_id: int
    title: str
    isrc: str | None
    artists: tuple[ArtistRef, ...]
    featured_artists: tuple[ArtistRef, ...]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    genres: tuple[str, ...]
    loudness: Loudness
    files: tuple[EncodedAudio, ...]

    def file(self, quality: Quality) -> EncodedAudio | None:
        return next((f for f in self.files if f.quality is quality), None)


@dataclass(frozen=True)
class TakedownEvent:
    """A release taken down or restored: by "admin:ID" or "distributor:ID", when, and why."""

    release_id: int
    action: str  # taken_down | restored
    at: datetime
    by: str
    reason: str | None


@dataclass(frozen=True)
class ReleaseView:
    id: int
    distributor_id: int
    title: str
    release_type: ReleaseType
    upc: str | None
    label: str | None
    release_at: datetime
    territories: tuple[str, ...]
    explicit: bool
    copyright_lines: tuple[str, ...]
    genres: tuple[str, ...]
    artists: tuple[ArtistRef, ...]
    covers: dict[int, str]  # size in px -> blob digest
    loudness: Loudness | None
    tracks: tuple[TrackView, ...] = ()
    taken_down_at: datetime | None = None  # withdrawn by its distributor or an admin

    def visible_to(self, viewer: Viewer) -> bool:
        return release_visible(
            release_at=self.release_at,
            territories=self.territories,
            distributor_id=self.distributor_id,
            viewer=viewer,
            taken_down=self.taken_down_at is not None,
        )

    def as_seen_by(self, viewer: Viewer) -> ReleaseView:
        """Without the explicit tracks when the viewer filters them out."""
        if viewer.allow_explicit:
            return self
        return replace(self, tracks=tuple(t for t in self.tracks if not t.explicit))


@dataclass(frozen=True)
class TrackToPlay:
    """A track as the player and its stream grants need it, read in one go: its files and
    loudness, and its release's date, territories, distributor and takedown (its visibility)."""

    id: int
    release_id: int
    duration_ms: int
    explicit: bool
    loudness: Loudness
    files: tuple[EncodedAudio, ...]
    distributor_id: int
    release_at: datetime
    territories: tuple[str, ...]
    taken_down_at: datetime | None = None
    premium_only: bool = False  # its deals allow subscription streaming only

    def file(self, quality: Quality) -> EncodedAudio | None:
        return next((f for f in self.files if f.quality is quality), None)

    def visible_to(self, viewer: Viewer) -> bool:
        return release_visible(
            release_at=self.release_at,
            territories=self.territories,
            distributor_id=self.distributor_id,
            viewer=viewer,
            taken_down=self.taken_down_at is not None,
        )


@dataclass(frozen=True)
class ArtistView:
    id: int
    name: str
    releases: tuple[ReleaseView, ...]  # their own: they are a release artist, newest first
    # Others' releases with a track of theirs (featured, or on a compilation), newest first.
    appears_on: tuple[ReleaseView, ...] = ()

    @property
    def all_releases(self) -> tuple[ReleaseView, ...]:
        """Both, newest first: what plays for the artist."""
        both = (*self.releases, *self.appears_on)
        return tuple(sorted(both, key=lambda r: r.release_at, reverse=True))


@dataclass(frozen=True)
class PublishedTrack:
    """A track ready to publish: its metadata, measured loudness and stored files."""

    spec: TrackSpec
    duration_ms: int
    loudness: Loudness
    source_blob: str
    source_format: str
    files: tuple[EncodedAudio, ...]
    tempo_bpm: float | None = None  # measured at ingest; None: keep what is stored


MAX_KEY_CHARS = 200


def name_key(name: str) -> str:
    """How two spellings of one name are recognised as the same: case and accents folded."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return short_key(" ".join(stripped.casefold().split()))


def short_key(key: str) -> str:
    """A key short enough for any database index: long ones end in a hash of the whole."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    return key[: MAX_KEY_CHARS - 17] + "#" + hashlib.sha256(key.encode()).hexdigest()[:16]
