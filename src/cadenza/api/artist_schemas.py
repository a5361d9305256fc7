"""Bodies and answers of Cadenza for Artists: claims, artist pages, pitches."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from cadenza.api.request_body import RequestBody
from cadenza.api.schemas import ArtistPickOut, ReleaseSummaryOut, TrackOut
from cadenza.domain import artists as rules
from cadenza.domain.artists import ArtistPage, Claim, Pitch
from cadenza.services.artist_pages import PublicPage


class ClaimIn(RequestBody):
    artist_id: int = Field(ge=1, le=2_147_483_647)
    message: str = Field(
        default="", max_length=rules.MAX_CLAIM_MESSAGE, description="Who you are, for the reviewer"
    )


class DecisionIn(RequestBody):
    approve: bool
    note: str | None = Field(default=None, max_length=rules.MAX_DECISION_NOTE)


class ClaimOut(BaseModel):
    id: int
    artist_id: int
    artist_name: str
    account_name: str = Field(description="The claimant's display name")
    status: str = Field(description="pending, approved or rejected")
    message: str
    created_at: datetime
    decided_at: datetime | None
    note: str | None = Field(description="What the reviewer said")

    @classmethod
    def of(cls, c: Claim) -> ClaimOut:
        return cls(
            id=c.id,
            artist_id=c.artist_id,
            artist_name=c.artist_name,
            account_name=c.account_name,
            status=c.status.value,
            message=c.message,
            created_at=c.created_at,
            decided_at=c.decided_at,
            note=c.note,
        )


class BioIn(RequestBody):
    bio: str = Field(max_length=rules.MAX_BIO * 2, description="Plain text; markup is removed")


class PickIn(RequestBody):
    release_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    track_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    note: str | None = Field(default=None, max_length=rules.MAX_PICK_NOTE * 2)


def image_url(digest: str | None) -> str | None:
    return f"/api/v1/images/{digest}" if digest else None


class ArtistPageOut(BaseModel):
    artist_id: int
    bio: str
    avatar_url: str | None
    header_url: str | None
    pick_release_id: int | None
    pick_track_id: int | None
    pick_note: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, p: ArtistPage) -> ArtistPageOut:
        return cls(
            artist_id=p.artist_id,
            bio=p.bio,
            avatar_url=image_url(p.avatar),
            header_url=image_url(p.header),
            pick_release_id=p.pick_release_id,
            pick_track_id=p.pick_track_id,
            pick_note=p.pick_note,
            updated_at=p.updated_at,
        )


def pick_out(page: PublicPage) -> ArtistPickOut | None:
    if page.pick_track is not None:
        track, release = page.pick_track
        return ArtistPickOut(
            note=page.page.pick_note,
            release=ReleaseSummaryOut.of(release),
            track=TrackOut.of(track),
        )
    if page.pick_release is not None:
        return ArtistPickOut(
            note=page.page.pick_note, release=ReleaseSummaryOut.of(page.pick_release), track=None
        )
    return None


class PitchIn(RequestBody):
    track_id: int = Field(ge=1, le=2_147_483_647)
    genres: list[str] = Field(max_length=rules.MAX_GENRES, description="1 to 3")
    moods: list[str] = Field(default_factory=list, max_length=rules.MAX_MOODS)
    story: str = Field(
        max_length=rules.MAX_STORY * 2,
        description=f"{rules.MIN_STORY} to {rules.MAX_STORY} characters about the song",
    )


class PlacementOut(BaseModel):
    playlist_id: int
    name: str
    url: str


class PitchOut(BaseModel):
    id: int
    release_id: int
    release_title: str
    release_date: datetime
    track_id: int
    track_title: str
    artists: list[str]
    genres: list[str]
    moods: list[str]
    story: str
    status: str = Field(description="pending (waiting for the editors) or reviewed")
    playlisted: bool = Field(description="The track is on at least one editorial playlist")
    playlists: list[PlacementOut] = Field(description="The editorial playlists it is on")
    created_at: datetime

    @classmethod
    def of(cls, p: Pitch) -> PitchOut:
        return cls(
            id=p.id,
            release_id=p.release_id,
            release_title=p.release_title,
            release_date=p.release_at,
            track_id=p.track_id,
            track_title=p.track_title,
            artists=list(p.artists),
            genres=list(p.genres),
            moods=list(p.moods),
            story=p.story,
            status=p.status.value,
            playlisted=bool(p.playlisted_in),
            playlists=[
                PlacementOut(playlist_id=i, name=n, url=f"/api/v1/playlists/{i}")
                for i, n in p.playlisted_in
            ],
            created_at=p.created_at,
        )


class PitchTrackOut(BaseModel):
    id: int
    title: str
    duration_ms: int


class PitchFormOut(BaseModel):
    """A release as the pitch form shows it: its tracks, and its pitch once made."""

    release_id: int
    title: str
    release_date: datetime
    tracks: list[PitchTrackOut]
    pitch: PitchOut | None


class ComingReleaseOut(BaseModel):
    """A distributor's release still to come, with its pitch to the editors."""

    release_id: int
    title: str
    release_date: datetime
    delivered_at: datetime
    pitchable: bool = Field(
        description="It may be pitched now: delivered and pitched at least 7 days before its "
        "release date, and not pitched yet"
    )
    pitch: PitchOut | None


class EditorialTrackOut(BaseModel):
    """A track of an editorial playlist, at its place (0 is the first)."""

    position: int
    id: int
    title: str
    artists: list[str]
    duration_ms: int
