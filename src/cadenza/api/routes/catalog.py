"""GET artists, releases, tracks, new releases and cover images."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from cadenza.api.deps import AppDep, Id, ViewerDep
from cadenza.api.schemas import (
    ArtistOut,
    Page,
    ReleaseOut,
    ReleaseSummaryOut,
    TrackOut,
    TrackWithReleaseOut,
)
from cadenza.domain.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["catalog"])
JPEG_MAGIC = b"\xff\xd8\xff"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@router.get("/artists/{artist_id}", response_model=ArtistOut)
def get_artist(artist_id: Id, app: AppDep, viewer: ViewerDep) -> ArtistOut:
    artist = app.catalog.artist(artist_id, viewer)
    return ArtistOut(
        id=artist.id,
        name=artist.name,
        releases=[ReleaseSummaryOut.of(r) for r in artist.releases],
        appears_on=[ReleaseSummaryOut.of(r) for r in artist.appears_on],
    )


@router.get("/releases/{release_id}", response_model=ReleaseOut)
def get_release(release_id: Id, app: AppDep, viewer: ViewerDep) -> ReleaseOut:
    return ReleaseOut.of(app.catalog.release(release_id, viewer))


@router.get("/tracks/{track_id}", response_model=TrackWithReleaseOut)
def get_track(track_id: Id, app: AppDep, viewer: ViewerDep) -> TrackWithReleaseOut:
    track, release = app.catalog.track(track_id, viewer)
    return TrackWithReleaseOut(
        **TrackOut.of(track).model_dump(), release=ReleaseSummaryOut.of(release)
    )


@router.get("/browse/new-releases", response_model=Page[ReleaseSummaryOut])
def new_releases(
    app: AppDep,
    viewer: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Page[ReleaseSummaryOut]:
    releases = app.catalog.new_releases(viewer, limit, offset)
    following = None
    if len(releases) == limit:
        following = f"/api/v1/browse/new-releases?limit={limit}&offset={offset + limit}"
        if viewer.country:
            following += f"&country={viewer.country}"
    return Page[ReleaseSummaryOut](
        items=[ReleaseSummaryOut.of(r) for r in releases],
        limit=limit,
        offset=offset,
        next=following,
    )


@router.get(
    "/images/{digest}",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def get_image(digest: str, app: AppDep) -> FileResponse:
    """Cover and companion images by content hash: immutable, cached for a year. Only JPEG
    blobs are images: the audio in the same store is not served here (its hash is no key)."""
    if not _DIGEST.match(digest) or not app.blobs.exists(digest):
        raise NotFound("no such image")
    with app.blobs.path_of(digest).open("rb") as blob:
        if blob.read(3) != JPEG_MAGIC:
            raise NotFound("no such image")
    return FileResponse(
        app.blobs.path_of(digest),
        media_type="image/jpeg",
        headers={"cache-control": "public, max-age=31536000, immutable", "etag": f'"{digest}"'},
    )
