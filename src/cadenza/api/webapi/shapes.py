"""The Web API's objects, as Spotify shapes them: ids as strings, `type`, `uri`, `href`,
`external_urls`, `images`, simplified and full tracks, albums, artists, users and playlists,
and the paging objects every list comes in. Built from the catalog's views; nothing here
decides who may see what (the services did)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Literal, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from cadenza.api.webapi.ids import uri
from cadenza.domain.catalog import ArtistRef, ReleaseType, ReleaseView, TrackView, as_utc
from cadenza.domain.playlists import Playlist

T = TypeVar("T")
ItemT = TypeVar("ItemT")
PAGES = {"track": "track", "album": "release", "artist": "artist", "playlist": "playlist"}


@dataclass(frozen=True)
class Links:
    """Absolute addresses on this server, as the client reached it."""

    base: str  # scheme and host, no trailing slash

    def href(self, kind: str, object_id: int | str) -> str:
        return f"{self.base}/v1/{kind}s/{object_id}"

    def page(self, kind: str, object_id: int | str) -> dict[str, str]:
        """`external_urls`: the object's page in the web player."""
        return {"cadenza": f"{self.base}/{PAGES.get(kind, kind)}/{object_id}"}

    def image(self, digest: str) -> str:
        return f"{self.base}/api/v1/images/{digest}"

    def url(self, path: str, **params: object) -> str:
        given = {k: v for k, v in params.items() if v is not None}
        return f"{self.base}{path}" + (f"?{urlencode(given)}" if given else "")


class ImageOut(BaseModel):
    url: str
    height: int | None
    width: int | None


class FollowersOut(BaseModel):
    href: None = None
    total: int


class SimpleArtistOut(BaseModel):
    external_urls: dict[str, str]
    href: str
    id: str
    name: str
    type: Literal["artist"] = "artist"
    uri: str


class ArtistOut(SimpleArtistOut):
    followers: FollowersOut
    genres: list[str]
    images: list[ImageOut]
    popularity: int = Field(ge=0, le=100)


class AlbumBase(BaseModel):
    album_type: str = Field(description="album, single (EPs too, as Spotify says) or compilation")
    total_tracks: int
    available_markets: list[str]
    external_urls: dict[str, str]
    href: str
    id: str
    images: list[ImageOut]
    name: str
    release_date: str
    release_date_precision: Literal["day"] = "day"
    type: Literal["album"] = "album"
    uri: str
    artists: list[SimpleArtistOut]


class SimpleAlbumOut(AlbumBase):
    album_group: str | None = Field(
        None, description="On an artist's albums: album, single, compilation or appears_on"
    )


class SimpleTrackOut(BaseModel):
    artists: list[SimpleArtistOut]
    available_markets: list[str]
    disc_number: int
    duration_ms: int
    explicit: bool
    external_urls: dict[str, str]
    href: str
    id: str
    is_playable: bool = True
    name: str
    preview_url: None = None
    track_number: int
    type: Literal["track"] = "track"
    uri: str
    is_local: bool = False


class TrackOut(SimpleTrackOut):
    album: SimpleAlbumOut
    external_ids: dict[str, str]
    popularity: int = Field(ge=0, le=100)


class PlaylistItemTrackOut(TrackOut):
    """A track in a playlist, marked as a track (playlists may hold episodes at Spotify)."""

    episode: Literal[False] = False
    track: Literal[True] = True


class Page(BaseModel, Generic[ItemT]):
    """Spotify's paging object."""

    href: str
    items: list[ItemT]
    limit: int
    next: str | None
    offset: int
    previous: str | None
    total: int


class CopyrightOut(BaseModel):
    text: str
    type: str


class AlbumOut(AlbumBase):
    tracks: Page[SimpleTrackOut]
    copyrights: list[CopyrightOut]
    external_ids: dict[str, str]
    genres: list[str]
    label: str | None
    popularity: int = Field(ge=0, le=100)


class UserOut(BaseModel):
    display_name: str | None
    external_urls: dict[str, str]
    followers: FollowersOut
    href: str
    id: str
    images: list[ImageOut]
    type: Literal["user"] = "user"
    uri: str


class ExplicitContentOut(BaseModel):
    filter_enabled: bool
    filter_locked: bool


class PrivateUserOut(UserOut):
    country: str | None = Field(None, description="With user-read-private")
    email: str | None = Field(None, description="With user-read-email")
    explicit_content: ExplicitContentOut | None = None
    product: str | None = Field(None, description='"premium", "free" or "plus"')
    account_id: str


class TracksRefOut(BaseModel):
    href: str
    total: int


class SimplePlaylistOut(BaseModel):
    collaborative: bool
    description: str | None
    external_urls: dict[str, str]
    href: str
    id: str
    images: list[ImageOut]
    name: str
    owner: UserOut
    public: bool
    snapshot_id: str
    primary_color: None = None
    tracks: TracksRefOut
    items: TracksRefOut
    type: Literal["playlist"] = "playlist"
    uri: str


def _no_thumbnail() -> dict[str, str | None]:
    return {"url": None}


class PlaylistTrackOut(BaseModel):
    added_at: datetime
    added_by: UserOut
    is_local: bool = False
    primary_color: None = None
    video_thumbnail: dict[str, str | None] = Field(default_factory=_no_thumbnail)
    track: PlaylistItemTrackOut | None
    item: PlaylistItemTrackOut | None


class PlaylistOut(SimplePlaylistOut):
    followers: FollowersOut
    tracks: Page[PlaylistTrackOut]  # type: ignore[assignment]
    items: Page[PlaylistTrackOut]  # type: ignore[assignment]


class SnapshotOut(BaseModel):
    snapshot_id: str


def popularity(streams: int) -> int:
    """0 to 100 from a track's counted streams, on a log scale: 10 streams are 21, 1,000 are
    60, 100,000 and more are 100 (Spotify's figure is relative to its whole catalog; this one
    does not move when other tracks grow)."""
    return min(100, round(20 * math.log10(1 + max(0, streams))))


def images(links: Links, covers: dict[int, str]) -> list[ImageOut]:
    return [
        ImageOut(url=links.image(digest), height=size, width=size)
        for size, digest in sorted(covers.items(), reverse=True)
    ]


def simple_artist(links: Links, artist: ArtistRef) -> SimpleArtistOut:
    return SimpleArtistOut(
        external_urls=links.page("artist", artist.id),
        href=links.href("artist", artist.id),
        id=str(artist.id),
        name=artist.name,
        uri=uri("artist", artist.id),
    )


def artist(
    links: Links,
    ref: ArtistRef,
    genres: Sequence[str] = (),
    pictures: list[ImageOut] | None = None,
    followers: int = 0,
    popularity: int = 0,
) -> ArtistOut:
    return ArtistOut(
        **simple_artist(links, ref).model_dump(),
        followers=FollowersOut(total=followers),
        genres=list(dict.fromkeys(g.casefold() for g in genres)),
        images=pictures or [],
        popularity=popularity,
    )


def album_type(release: ReleaseView) -> str:
    if release.release_type is ReleaseType.EP:
        return "single"
    return release.release_type.value


def markets(territories: tuple[str, ...]) -> list[str]:
    """Its territories as ISO codes; worldwide releases list none (they play everywhere)."""
    return sorted(t for t in territories if len(t) == 2)


def simple_album(
    links: Links, release: ReleaseView, total_tracks: int, group: str | None = None
) -> SimpleAlbumOut:
    return SimpleAlbumOut(
        album_type=album_type(release),
        total_tracks=total_tracks,
        available_markets=markets(release.territories),
        external_urls=links.page("album", release.id),
        href=links.href("album", release.id),
        id=str(release.id),
        images=images(links, release.covers),
        name=release.title,
        release_date=as_utc(release.release_at).date().isoformat(),
        uri=uri("album", release.id),
        artists=[simple_artist(links, a) for a in release.artists],
        album_group=group,
    )


def simple_track(links: Links, track: TrackView, territories: tuple[str, ...]) -> SimpleTrackOut:
    return SimpleTrackOut(
        artists=[simple_artist(links, a) for a in (*track.artists, *track.featured_artists)],
        available_markets=markets(territories),
        disc_number=track.disc_number,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        external_urls=links.page("track", track.id),
        href=links.href("track", track.id),
        id=str(track.id),
        name=track.title,
        track_number=track.track_number,
        uri=uri("track", track.id),
    )


def track(
    links: Links, track_view: TrackView, album: SimpleAlbumOut, popularity: int = 0
) -> TrackOut:
    territories = tuple(album.available_markets)
    return TrackOut(
        **simple_track(links, track_view, territories).model_dump(),
        album=album,
        external_ids={"isrc": track_view.isrc} if track_view.isrc else {},
        popularity=popularity,
    )


def page(
    links: Links,
    path: str,
    items: list[T],
    limit: int,
    offset: int,
    total: int,
    **params: object,
) -> Page[T]:
    """A paging object; `next` and `previous` carry the same parameters."""
    following = offset + limit < total
    return Page[T](
        href=links.url(path, offset=offset, limit=limit, **params),
        items=items,
        limit=limit,
        next=links.url(path, offset=offset + limit, limit=limit, **params) if following else None,
        offset=offset,
        previous=links.url(path, offset=max(0, offset - limit), limit=limit, **params)
        if offset > 0
        else None,
        total=total,
    )


def user(links: Links, user_id: int, name: str | None) -> UserOut:
    return UserOut(
        display_name=name,
        external_urls={"cadenza": f"{links.base}/user/{user_id}"},
        followers=FollowersOut(total=0),
        href=links.href("user", user_id),
        id=str(user_id),
        images=[],
        uri=uri("user", user_id),
    )


def simple_playlist(links: Links, playlist: Playlist, cover: list[ImageOut]) -> SimplePlaylistOut:
    tracks = TracksRefOut(
        href=links.href("playlist", playlist.id) + "/tracks", total=playlist.total
    )
    return SimplePlaylistOut(
        collaborative=playlist.collaborative,
        description=playlist.description or None,
        external_urls=links.page("playlist", playlist.id),
        href=links.href("playlist", playlist.id),
        id=str(playlist.id),
        images=cover,
        name=playlist.name,
        owner=user(links, playlist.owner_id, playlist.owner_name),
        public=playlist.public,
        snapshot_id=playlist.snapshot_id,
        tracks=tracks,
        items=tracks,
        uri=uri("playlist", playlist.id),
    )
