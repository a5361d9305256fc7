"""What the library and playlist API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from cadenza.api.schemas import ArtistRefOut, Page, ReleaseSummaryOut
from cadenza.domain.collection import LibraryItem
from cadenza.domain.playlists import Entry, Playlist, PlaylistAccess, can_edit
from cadenza.services.collection import FollowedArtist, SavedRelease
from cadenza.services.track_cards import TrackCard

T = TypeVar("T")


class CountedPage(Page[T], Generic[T]):
    total: int


def page_of(
    items: list[T], limit: int, offset: int, total: int, path: str, query: str = ""
) -> CountedPage[T]:
    following = None
    if offset + len(items) < total and items:
        following = f"{path}?limit={limit}&offset={offset + limit}{query}"
    return CountedPage[T](items=items, limit=limit, offset=offset, next=following, total=total)


class ListedTrackOut(BaseModel):
    """A track in a playlist or liked songs. One that cannot play keeps its place with
    `playable: false` and the reason; one not out yet or gone shows nothing but its id."""

    id: int
    playable: bool
    unavailable_reason: str | None  # not_in_your_country, explicit_content_filtered, unavailable
    title: str | None
    artists: list[ArtistRefOut]
    featured_artists: list[ArtistRefOut]
    release: ReleaseSummaryOut | None
    duration_ms: int | None
    explicit: bool | None
    url: str | None

    @classmethod
    def of(cls, card: TrackCard) -> ListedTrackOut:
        t, r = card.track, card.release
        return cls(
            id=card.track_id,
            playable=card.playable,
            unavailable_reason=None if card.playable else card.availability.value,
            title=t.title if t else None,
            artists=[ArtistRefOut.of(a) for a in t.artists] if t else [],
            featured_artists=[ArtistRefOut.of(a) for a in t.featured_artists] if t else [],
            release=ReleaseSummaryOut.of(r) if r else None,
            duration_ms=t.duration_ms if t else None,
            explicit=t.explicit if t else None,
            url=f"/api/v1/tracks/{t.id}" if t else None,
        )


class LikedTrackOut(BaseModel):
    added_at: datetime
    track: ListedTrackOut


class SavedReleaseOut(BaseModel):
    added_at: datetime
    release_id: int
    available: bool
    release: ReleaseSummaryOut | None

    @classmethod
    def of(cls, s: SavedRelease) -> SavedReleaseOut:
        return cls(
            added_at=s.added_at,
            release_id=s.release_id,
            available=s.release is not None,
            release=ReleaseSummaryOut.of(s.release) if s.release else None,
        )


class FollowedArtistOut(BaseModel):
    added_at: datetime
    artist_id: int
    name: str | None
    url: str

    @classmethod
    def of(cls, a: FollowedArtist) -> FollowedArtistOut:
        return cls(
            added_at=a.added_at,
            artist_id=a.artist_id,
            name=a.name,
            url=f"/api/v1/artists/{a.artist_id}",
        )


class LibraryItemOut(BaseModel):
    kind: str  # playlist, release, artist
    id: int
    name: str
    creator: str | None
    added_at: datetime
    image: str | None
    url: str

    @classmethod
    def of(cls, i: LibraryItem) -> LibraryItemOut:
        return cls(
            kind=i.kind.value,
            id=i.id,
            name=i.name,
            creator=i.creator,
            added_at=i.added_at,
            image=f"/api/v1/images/{i.image}" if i.image else None,
            url=f"/api/v1/{i.kind.value}s/{i.id}",
        )


class OwnerOut(BaseModel):
    id: int
    display_name: str


class PlaylistOut(BaseModel):
    id: int
    name: str
    description: str
    public: bool
    collaborative: bool
    owner: OwnerOut
    snapshot_id: str
    total: int
    following: bool  # the viewer follows it (always false for its owner)
    editable: bool  # the viewer may add, remove and reorder its tracks
    owned: bool  # the viewer is its owner: may rename, delete and share it
    created_at: datetime
    updated_at: datetime
    url: str
    editorial: bool = Field(
        default=False, description="Made by the service's editors (an editorial playlist)"
    )

    @classmethod
    def of(cls, p: Playlist, viewer_id: int | None, member: PlaylistAccess) -> PlaylistOut:
        return cls(
            id=p.id,
            name=p.name,
            description=p.description,
            public=p.public,
            collaborative=p.collaborative,
            owner=OwnerOut(id=p.owner_id, display_name=p.owner_name),
            snapshot_id=p.snapshot_id,
            total=p.total,
            following=member.following,
            editable=can_edit(p, viewer_id, member),
            owned=viewer_id == p.owner_id,
            created_at=p.created_at,
            updated_at=p.updated_at,
            url=f"/api/v1/playlists/{p.id}",
            editorial=p.editorial,
        )


class PlaylistHitOut(BaseModel):
    """A playlist as a search hit or on a profile: what it is and whose."""

    id: int
    name: str
    description: str
    public: bool
    owner: OwnerOut
    total: int
    url: str
    editorial: bool = Field(
        default=False, description="Made by the service's editors (an editorial playlist)"
    )

    @classmethod
    def of(cls, p: Playlist) -> PlaylistHitOut:
        return cls(
            id=p.id,
            name=p.name,
            description=p.description,
            public=p.public,
            owner=OwnerOut(id=p.owner_id, display_name=p.owner_name),
            total=p.total,
            url=f"/api/v1/playlists/{p.id}",
            editorial=p.editorial,
        )


class PlaylistItemOut(BaseModel):
    position: int
    added_at: datetime
    added_by: OwnerOut | None
    track: ListedTrackOut

    @classmethod
    def of(cls, position: int, entry: Entry, card: TrackCard) -> PlaylistItemOut:
        added_by = None
        if entry.added_by is not None and entry.added_by_name is not None:
            added_by = OwnerOut(id=entry.added_by, display_name=entry.added_by_name)
        return cls(
            position=position,
            added_at=entry.added_at,
            added_by=added_by,
            track=ListedTrackOut.of(card),
        )


class PlaylistWithTracksOut(PlaylistOut):
    tracks: CountedPage[PlaylistItemOut]


class SnapshotOut(BaseModel):
    snapshot_id: str


class InviteOut(BaseModel):
    token: str
    collaborate: bool
    url: str  # POST it, signed in, to accept
