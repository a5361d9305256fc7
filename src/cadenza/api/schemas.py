"""What the read API returns: catalog views shaped for clients."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from cadenza.domain.accounts import Account
from cadenza.domain.audio import TARGET_LUFS
from cadenza.domain.catalog import COVER_SIZES, ArtistRef, ArtistView, ReleaseView, TrackView

T = TypeVar("T")


class ArtistRefOut(BaseModel):
    id: int
    name: str
    url: str

    @classmethod
    def of(cls, ref: ArtistRef) -> ArtistRefOut:
        return cls(id=ref.id, name=ref.name, url=f"/api/v1/artists/{ref.id}")


class ImageOut(BaseModel):
    url: str
    width: int
    height: int


class LoudnessOut(BaseModel):
    integrated_lufs: float
    true_peak_dbtp: float
    target_lufs: float
    gain_db: float


class AudioFileOut(BaseModel):
    quality: str
    format: str
    bitrate_kbps: int | None
    size: int
    url: str


class TrackOut(BaseModel):
    id: int
    title: str
    isrc: str | None
    artists: list[ArtistRefOut]
    featured_artists: list[ArtistRefOut]
    release_id: int
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    genres: list[str]
    loudness: LoudnessOut
    files: list[AudioFileOut]

    @classmethod
    def of(cls, t: TrackView) -> TrackOut:
        return cls(
            id=t.id,
            title=t.title,
            isrc=t.isrc,
            artists=[ArtistRefOut.of(a) for a in t.artists],
            featured_artists=[ArtistRefOut.of(a) for a in t.featured_artists],
            release_id=t.release_id,
            disc_number=t.disc_number,
            track_number=t.track_number,
            duration_ms=t.duration_ms,
            explicit=t.explicit,
            genres=list(t.genres),
            loudness=LoudnessOut(
                integrated_lufs=t.loudness.integrated_lufs,
                true_peak_dbtp=t.loudness.true_peak_dbtp,
                target_lufs=TARGET_LUFS,
                gain_db=t.loudness.gain_db(),
            ),
            files=[
                AudioFileOut(
                    quality=f.quality.value,
                    format=f.quality.media_type,
                    bitrate_kbps=f.bitrate_kbps,
                    size=f.size,
                    url=f"/api/v1/tracks/{t.id}/stream?quality={f.quality.value}",
                )
                for f in t.files
            ],
        )


class ReleaseSummaryOut(BaseModel):
    id: int
    title: str
    release_type: str
    artists: list[ArtistRefOut]
    release_date: datetime
    explicit: bool
    images: list[ImageOut]
    url: str

    @classmethod
    def of(cls, r: ReleaseView) -> ReleaseSummaryOut:
        return cls(
            id=r.id,
            title=r.title,
            release_type=r.release_type.value,
            artists=[ArtistRefOut.of(a) for a in r.artists],
            release_date=r.release_at,
            explicit=r.explicit,
            images=images(r),
            url=f"/api/v1/releases/{r.id}",
        )


class ReleaseOut(ReleaseSummaryOut):
    upc: str | None
    label: str | None
    territories: list[str]
    copyright: list[str]
    genres: list[str]
    loudness: LoudnessOut | None
    total_tracks: int
    tracks: list[TrackOut]

    @classmethod
    def of(cls, r: ReleaseView) -> ReleaseOut:
        summary = ReleaseSummaryOut.of(r).model_dump()
        loudness = None
        if r.loudness is not None:
            loudness = LoudnessOut(
                integrated_lufs=r.loudness.integrated_lufs,
                true_peak_dbtp=r.loudness.true_peak_dbtp,
                target_lufs=TARGET_LUFS,
                gain_db=r.loudness.gain_db(),
            )
        return cls(
            **summary,
            upc=r.upc,
            label=r.label,
            territories=list(r.territories),
            copyright=list(r.copyright_lines),
            genres=list(r.genres),
            loudness=loudness,
            total_tracks=len(r.tracks),
            tracks=[TrackOut.of(t) for t in r.tracks],
        )


class TrackWithReleaseOut(TrackOut):
    release: ReleaseSummaryOut


class ArtistPickOut(BaseModel):
    note: str | None
    release: ReleaseSummaryOut | None = Field(description="The picked release, or the track's")
    track: TrackOut | None


class ArtistOut(BaseModel):
    id: int
    name: str
    releases: list[ReleaseSummaryOut] = Field(description="The artist's own releases")
    appears_on: list[ReleaseSummaryOut] = Field(
        description="Others' releases with a track of theirs: featured, or on a compilation"
    )
    bio: str = Field(default="", description="Written by the artist (plain text)")
    avatar_url: str | None = Field(default=None, description="A 320 px square JPEG")
    header_url: str | None = Field(default=None, description="A 1500x500 JPEG")
    pick: ArtistPickOut | None = Field(
        default=None, description="The artist pick: a release or track, with a note"
    )


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next: str | None


class DeliveryOut(BaseModel):
    id: str
    status: str
    stage: str | None
    progress: float
    status_url: str
    release_id: int | None
    track_ids: list[int]
    error: dict[str, str | None] | None


class DdexErrorOut(BaseModel):
    file: str
    xpath: str
    message: str


class DdexMessageOut(BaseModel):
    """One message's answer: acknowledged (published, taken_down, not_published) or its errors."""

    file: str
    message_id: str | None
    status: str
    acknowledged: bool
    release_id: int | None = None
    track_ids: list[int] = []
    errors: list[DdexErrorOut] = []
    warnings: list[str] = []


class DdexReleaseOut(BaseModel):
    release_id: int
    track_ids: list[int]
    status: str


class DdexBatchOut(BaseModel):
    format: str
    releases: list[DdexReleaseOut]
    messages: list[DdexMessageOut]
    refused: list[DdexErrorOut]
    release_id: int | None = None
    track_ids: list[int] | None = None


def images(r: ReleaseView) -> list[ImageOut]:
    return [
        ImageOut(url=f"/api/v1/images/{r.covers[size]}", width=size, height=size)
        for size in sorted(COVER_SIZES, reverse=True)
        if size in r.covers
    ]


class AccountOut(BaseModel):
    id: int
    email: str
    display_name: str
    country: str
    plan: str
    roles: list[str]
    email_verified: bool
    two_factor: bool
    artists: list[ArtistRefOut]  # the artist profiles an artist account speaks for
    time_zone: str = "UTC"  # IANA: weekly playlists turn over at the listener's midnight
    city: str | None = None  # optional: artists see it only in aggregate
    gender: str | None = None  # female, male, non_binary, other; null: not given

    @classmethod
    def of(cls, a: Account, artists: Sequence[ArtistRef] = ()) -> AccountOut:
        return cls(
            id=a.id,
            email=a.email,
            display_name=a.display_name,
            country=a.country,
            plan=a.plan,
            roles=[r.value for r in a.roles],
            email_verified=a.email_verified,
            two_factor=a.two_factor,
            artists=[ArtistRefOut.of(r) for r in artists],
            time_zone=a.time_zone,
            city=a.city,
            gender=a.gender,
        )


class AdminUserOut(AccountOut):
    disabled: bool
    locked: bool
    created_at: datetime

    @classmethod
    def of(cls, a: Account, artists: Sequence[ArtistRef] = ()) -> AdminUserOut:
        return cls(
            **AccountOut.of(a, artists).model_dump(),
            disabled=a.disabled,
            locked=a.locked,
            created_at=a.created_at,
        )


class OwnReleaseOut(ReleaseSummaryOut):
    """A release as its artist sees it: out yet or not, and where."""

    released: bool
    upc: str | None
    territories: list[str]


class ArtistProfileOut(BaseModel):
    id: int
    name: str
    releases: list[OwnReleaseOut]

    @classmethod
    def of(cls, artist: ArtistView, now: datetime) -> ArtistProfileOut:
        return cls(
            id=artist.id,
            name=artist.name,
            releases=[
                OwnReleaseOut(
                    **ReleaseSummaryOut.of(r).model_dump(),
                    released=r.release_at <= now,
                    upc=r.upc,
                    territories=list(r.territories),
                )
                for r in artist.all_releases
            ],
        )
