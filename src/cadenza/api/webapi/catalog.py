"""Tracks, albums, artists and new releases under /v1, as the listener may see them (release
date, territory, takedowns and the explicit filter all apply): no scope needed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cadenza.api.deps import ArtistPagesDep, RecommendationsDep
from cadenza.api.webapi import shapes
from cadenza.api.webapi.common import TAG, Limit, Market, Offset, Reader, ShaperDep
from cadenza.api.webapi.ids import parse_id, parse_ids
from cadenza.domain.catalog import ArtistRef
from cadenza.domain.errors import InvalidRequest, NotFound

router = APIRouter(prefix="/v1", tags=[TAG])
GROUPS = ("album", "single", "appears_on", "compilation")


class TracksOut(BaseModel):
    tracks: list[shapes.TrackOut | None]


class ArtistsOut(BaseModel):
    artists: list[shapes.ArtistOut]


class TopTracksOut(BaseModel):
    tracks: list[shapes.TrackOut]


class NewReleasesOut(BaseModel):
    albums: shapes.Page[shapes.SimpleAlbumOut]


@router.get("/tracks/{id}", response_model=shapes.TrackOut)
def get_track(id: str, _: Reader, shaper: ShaperDep, market: Market = None) -> shapes.TrackOut:
    """A track (404 where the listener may not see it)."""
    found, release = shaper.catalog.track(parse_id(id, "track"), shaper.viewer)
    return shaper.track(found, release)


@router.get("/tracks", response_model=TracksOut)
def get_tracks(
    _: Reader,
    shaper: ShaperDep,
    ids: Annotated[str, Query(max_length=2000, description="Up to 50 ids, comma separated")],
    market: Market = None,
) -> TracksOut:
    """Several tracks; null in the place of each the listener may not see."""
    found: list[shapes.TrackOut | None] = []
    for track_id in parse_ids(ids, "track"):
        try:
            found.append(shaper.track(*shaper.catalog.track(track_id, shaper.viewer)))
        except NotFound:
            found.append(None)
    return TracksOut(tracks=found)


def _album_tracks(
    shaper: ShaperDep, album_id: int, limit: int, offset: int
) -> shapes.Page[shapes.SimpleTrackOut]:
    release = shaper.catalog.release(album_id, shaper.viewer)
    items = [
        shapes.simple_track(shaper.links, t, release.territories)
        for t in release.tracks[offset : offset + limit]
    ]
    path = f"/v1/albums/{album_id}/tracks"
    return shapes.page(shaper.links, path, items, limit, offset, len(release.tracks))


@router.get("/albums/{id}", response_model=shapes.AlbumOut)
def get_album(id: str, _: Reader, shaper: ShaperDep, market: Market = None) -> shapes.AlbumOut:
    """An album with its first 50 tracks."""
    return _album(shaper, parse_id(id, "album"))


def _album(shaper: ShaperDep, album_id: int) -> shapes.AlbumOut:
    release = shaper.catalog.release(album_id, shaper.viewer)
    simple = shaper.album(release)
    copyrights = [
        shapes.CopyrightOut(text=line, type="P" if line.startswith(("℗", "(P)")) else "C")
        for line in release.copyright_lines
    ]
    return shapes.AlbumOut(
        **simple.model_dump(exclude={"album_group"}),
        tracks=_album_tracks(shaper, album_id, 50, 0),
        copyrights=copyrights,
        external_ids={"upc": release.upc} if release.upc else {},
        genres=list(dict.fromkeys(g.casefold() for g in release.genres)),
        label=release.label,
        popularity=0,
    )


@router.get("/albums/{id}/tracks", response_model=shapes.Page[shapes.SimpleTrackOut])
def get_album_tracks(
    id: str,
    _: Reader,
    shaper: ShaperDep,
    limit: Limit = 20,
    offset: Offset = 0,
    market: Market = None,
) -> shapes.Page[shapes.SimpleTrackOut]:
    return _album_tracks(shaper, parse_id(id, "album"), limit, offset)


@router.get("/artists/{id}", response_model=shapes.ArtistOut)
def get_artist(id: str, _: Reader, shaper: ShaperDep, pages: ArtistPagesDep) -> shapes.ArtistOut:
    """An artist: genres from their releases, their picture from their artist page."""
    return _artist(shaper, pages, parse_id(id, "artist"))


def _artist(shaper: ShaperDep, pages: ArtistPagesDep, artist_id: int) -> shapes.ArtistOut:
    found = shaper.catalog.artist(artist_id, shaper.viewer)
    avatar = pages.public(artist_id, shaper.viewer).page.avatar
    pictures = (
        [shapes.ImageOut(url=shaper.links.image(avatar), height=None, width=None)] if avatar else []
    )
    genres = tuple(g for r in found.releases for g in r.genres)
    return shapes.artist(shaper.links, ArtistRef(found.id, found.name), genres, pictures)


class AlbumsOut(BaseModel):
    albums: list[shapes.AlbumOut | None]


class SomeArtistsOut(BaseModel):
    artists: list[shapes.ArtistOut | None]


@router.get("/albums", response_model=AlbumsOut)
def get_albums(
    _: Reader,
    shaper: ShaperDep,
    ids: Annotated[str, Query(max_length=1000, description="Up to 20 ids, comma separated")],
    market: Market = None,
) -> AlbumsOut:
    """Several albums; null in the place of each the listener may not see."""
    found: list[shapes.AlbumOut | None] = []
    for album_id in parse_ids(ids, "album", 20):
        try:
            found.append(_album(shaper, album_id))
        except NotFound:
            found.append(None)
    return AlbumsOut(albums=found)


@router.get("/artists", response_model=SomeArtistsOut)
def get_artists(
    _: Reader,
    shaper: ShaperDep,
    pages: ArtistPagesDep,
    ids: Annotated[str, Query(max_length=2000, description="Up to 50 ids, comma separated")],
) -> SomeArtistsOut:
    """Several artists; null in the place of each the listener may not see."""
    found: list[shapes.ArtistOut | None] = []
    for artist_id in parse_ids(ids, "artist"):
        try:
            found.append(_artist(shaper, pages, artist_id))
        except NotFound:
            found.append(None)
    return SomeArtistsOut(artists=found)


@router.get("/artists/{id}/albums", response_model=shapes.Page[shapes.SimpleAlbumOut])
def get_artist_albums(
    id: str,
    _: Reader,
    shaper: ShaperDep,
    include_groups: Annotated[
        str | None,
        Query(max_length=100, description="album,single,appears_on,compilation (default: all)"),
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    market: Market = None,
) -> shapes.Page[shapes.SimpleAlbumOut]:
    """The artist's own releases (album, single, compilation), then those they appear on."""
    artist_id = parse_id(id, "artist")
    groups = _groups(include_groups)
    found = shaper.catalog.artist(artist_id, shaper.viewer)
    listed = [(r, shapes.album_type(r)) for r in found.releases]
    listed += [(r, "appears_on") for r in found.appears_on]
    chosen = [(r, g) for r, g in listed if g in groups]
    items = [shaper.album(r, g) for r, g in chosen[offset : offset + limit]]
    params = {"include_groups": include_groups} if include_groups else {}
    path = f"/v1/artists/{artist_id}/albums"
    return shapes.page(shaper.links, path, items, limit, offset, len(chosen), **params)


def _groups(raw: str | None) -> set[str]:
    if raw is None:
        return set(GROUPS)
    named = {g.strip() for g in raw.split(",") if g.strip()}
    unknown = named - set(GROUPS)
    if unknown or not named:
        raise InvalidRequest(
            "include_groups takes album, single, appears_on, compilation",
            code="invalid_include_groups",
        )
    return named


@router.get("/artists/{id}/top-tracks", response_model=TopTracksOut)
def get_artist_top_tracks(
    id: str, _: Reader, shaper: ShaperDep, recs: RecommendationsDep, market: Market = None
) -> TopTracksOut:
    """The artist's 10 most streamed tracks among listeners of the listener's country."""
    found = recs.top_tracks(parse_id(id, "artist"), shaper.viewer)
    return TopTracksOut(tracks=[shaper.track(t, r) for t, r in found.tracks])


@router.get("/artists/{id}/related-artists", response_model=ArtistsOut)
def get_related_artists(
    id: str, _: Reader, shaper: ShaperDep, recs: RecommendationsDep
) -> ArtistsOut:
    """Fans also like: up to 20 artists, from the recommendation engine."""
    found = recs.related_artists(parse_id(id, "artist"), shaper.viewer)
    return ArtistsOut(artists=[shaper.artist(ArtistRef(i, n)) for i, n in found.artists])


@router.get("/browse/new-releases", response_model=NewReleasesOut)
def new_releases(
    _: Reader, shaper: ShaperDep, limit: Limit = 20, offset: Offset = 0
) -> NewReleasesOut:
    """The newest albums out in the listener's country."""
    releases = shaper.catalog.new_releases(shaper.viewer, limit + 1, offset)
    items = [shaper.album(r) for r in releases[:limit]]
    total = offset + len(releases)  # one more than a page when another page follows
    page = shapes.page(shaper.links, "/v1/browse/new-releases", items, limit, offset, total)
    return NewReleasesOut(albums=page)
