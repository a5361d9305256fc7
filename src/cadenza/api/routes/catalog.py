"""GET artists, releases, tracks, new releases and cover images."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from cadenza.api.artist_schemas import image_url, pick_out
from cadenza.api.deps import ArtistPagesDep, BlobsDep, CatalogDep, Id, ViewerDep
from cadenza.api.schemas import (
    ArtistOut,
    Page,
    ReleaseOut,
    ReleaseSummaryOut,
    TrackOut,
    TrackWithReleaseOut,
)
from cadenza.api.stored_blob import stored_blob_response
from cadenza.domain.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["catalog"])
JPEG_MAGIC = b"\xff\xd8\xff"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@router.get("/artists/{artist_id}", response_model=ArtistOut)
def get_artist(
    artist_id: Id, catalog: CatalogDep, pages: ArtistPagesDep, viewer: ViewerDep
) -> ArtistOut:
    artist = catalog.artist(artist_id, viewer)
    page = pages.public(artist_id, viewer)
    return ArtistOut(
        id=artist.id,
        name=artist.name,
        releases=[ReleaseSummaryOut.of(r) for r in artist.releases],
        appears_on=[ReleaseSummaryOut.of(r) for r in artist.appears_on],
        bio=page.page.bio,
        avatar_url=image_url(page.page.avatar),
        header_url=image_url(page.page.header),
        pick=pick_out(page),
    )


@router.get("/releases/{release_id}", response_model=ReleaseOut)
def get_release(release_id: Id, catalog: CatalogDep, viewer: ViewerDep) -> ReleaseOut:
    return ReleaseOut.of(catalog.release(release_id, viewer))


@router.get("/tracks/{track_id}", response_model=TrackWithReleaseOut)
def get_track(track_id: Id, catalog: CatalogDep, viewer: ViewerDep) -> TrackWithReleaseOut:
    track, release = catalog.track(track_id, viewer)
    return TrackWithReleaseOut(
        **TrackOut.of(track).model_dump(), release=ReleaseSummaryOut.of(release)
    )


class LyricLineOut(BaseModel):
    start_ms: int | None = Field(description="When the line is sung; null in plain lyrics")
    text: str


class LyricsOut(BaseModel):
    track_id: int
    synced: bool = Field(description="True: every line has its time, to follow as it plays")
    lines: list[LyricLineOut]


@router.get(
    "/tracks/{track_id}/lyrics",
    response_model=LyricsOut,
    responses={404: {"description": "no such track for this viewer, or `lyrics_not_found`"}},
)
def get_lyrics(track_id: Id, catalog: CatalogDep, viewer: ViewerDep) -> LyricsOut:
    """The song's lyrics, line by line; timed lines (`synced`) from LRC or synchronised tags."""
    lyrics = catalog.lyrics(track_id, viewer)
    return LyricsOut(
        track_id=track_id,
        synced=lyrics.synced,
        lines=[LyricLineOut(start_ms=line.start_ms, text=line.text) for line in lyrics.lines],
    )


@router.get("/browse/new-releases", response_model=Page[ReleaseSummaryOut])
def new_releases(
    catalog: CatalogDep,
    viewer: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Page[ReleaseSummaryOut]:
    releases = catalog.new_releases(viewer, limit, offset)
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
def get_image(digest: str, blobs: BlobsDep) -> Response:
    """Cover and companion images by content hash: immutable, cached for a year. Only JPEG
    blobs are images: the audio in the same store is not served here (its hash is no key)."""
    if not _DIGEST.match(digest) or not blobs.size(digest):
        raise NotFound("no such image")
    if b"".join(blobs.read(digest, 0, 2)) != JPEG_MAGIC:
        raise NotFound("no such image")
    return stored_blob_response(
        blobs,
        digest,
        "image/jpeg",
        {"cache-control": "public, max-age=31536000, immutable", "etag": f'"{digest}"'},
    )
