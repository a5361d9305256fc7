"""GET /api/v1/search: tracks, artists, releases and playlists for what the listener typed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cadenza.api.deps import SearchDep, ViewerDep
from cadenza.api.library_schemas import PlaylistHitOut
from cadenza.api.schemas import ArtistRefOut, ReleaseSummaryOut, TrackOut
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.podcasts import EpisodeSummary, ShowSummary
from cadenza.domain.search import Kind
from cadenza.services.search import Group, Hit, SearchResults

router = APIRouter(prefix="/api/v1", tags=["search"])


class TrackHitOut(TrackOut):
    release: ReleaseSummaryOut | None


class PodcastHitOut(BaseModel):
    id: int
    title: str
    publisher: str
    image_url: str | None

    @classmethod
    def of(cls, show: ShowSummary) -> PodcastHitOut:
        image = f"/api/v1/images/{show.artwork_blob}" if show.artwork_blob else None
        return cls(id=show.id, title=show.title, publisher=show.publisher, image_url=image)


class EpisodeHitOut(BaseModel):
    id: int
    title: str
    published_at: datetime | None
    duration_ms: int | None

    @classmethod
    def of(cls, e: EpisodeSummary) -> EpisodeHitOut:
        return cls(id=e.id, title=e.title, published_at=e.published_at, duration_ms=e.duration_ms)


class HitOut(BaseModel):
    kind: str
    id: int
    score: float
    artist: ArtistRefOut | None = None
    track: TrackHitOut | None = None
    release: ReleaseSummaryOut | None = None
    playlist: PlaylistHitOut | None = None
    show: PodcastHitOut | None = None  # a show, or an episode's show
    episode: EpisodeHitOut | None = None

    @classmethod
    def of(cls, hit: Hit) -> HitOut:
        track = None
        if hit.track is not None:
            release = ReleaseSummaryOut.of(hit.release) if hit.release else None
            track = TrackHitOut(**TrackOut.of(hit.track).model_dump(), release=release)
        return cls(
            kind=hit.kind.value,
            id=hit.id,
            score=round(hit.score, 3),
            artist=ArtistRefOut.of(hit.artist) if hit.artist else None,
            track=track,
            release=ReleaseSummaryOut.of(hit.release)
            if hit.release and hit.kind is Kind.RELEASE
            else None,
            playlist=PlaylistHitOut.of(hit.playlist) if hit.playlist else None,
            show=PodcastHitOut.of(hit.show) if hit.show else None,
            episode=EpisodeHitOut.of(hit.episode) if hit.episode else None,
        )


class GroupOut(BaseModel):
    items: list[HitOut]
    limit: int
    offset: int
    next: str | None

    @classmethod
    def of(cls, group: Group, following: str | None) -> GroupOut:
        return cls(
            items=[HitOut.of(h) for h in group.hits],
            limit=group.limit,
            offset=group.offset,
            next=following if group.more else None,
        )


class FiltersOut(BaseModel):
    text: str
    artist: str | None
    album: str | None
    track: str | None
    genre: str | None
    isrc: str | None
    upc: str | None
    year_from: int | None
    year_to: int | None
    tag_new: bool


class SearchOut(BaseModel):
    query: FiltersOut
    corrected: bool
    top: HitOut | None
    tracks: GroupOut | None = None
    artists: GroupOut | None = None
    releases: GroupOut | None = None
    playlists: GroupOut | None = None
    shows: GroupOut | None = None
    episodes: GroupOut | None = None


@router.get("/search", response_model=SearchOut, response_model_exclude_none=False)
def search(
    search: SearchDep,
    viewer: ViewerDep,
    q: Annotated[str, Query(max_length=500, description="words and field filters")],
    type: Annotated[
        str,
        Query(
            max_length=100,
            description="comma separated: track,artist,release,playlist,show,episode"
            " (podcast: show,episode)",
        ),
    ] = "track,artist,release",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> SearchOut:
    kinds = _kinds(type)
    results = search.search(q, viewer, kinds, limit, offset)
    return _out(results, q, type, limit, offset, viewer.country)


def _kinds(raw: str) -> list[Kind]:
    kinds: list[Kind] = []
    for name in (part.strip().lower() for part in raw.split(",") if part.strip()):
        name = "release" if name == "album" else name  # Spotify says album
        names = ["show", "episode"] if name == "podcast" else [name]
        try:
            found = [Kind(n) for n in names]
        except ValueError:
            raise InvalidRequest(
                f"unknown type {name!r}: use track, artist, release, playlist, show or episode",
                code="unknown_search_type",
            ) from None
        kinds.extend(k for k in found if k not in kinds)
    if not kinds:
        raise InvalidRequest("type names nothing to search", code="unknown_search_type")
    return kinds


def _out(
    results: SearchResults, q: str, type_: str, limit: int, offset: int, country: str | None
) -> SearchOut:
    params: dict[str, str | int] = {"q": q, "type": type_, "limit": limit, "offset": offset + limit}
    if country:
        params["country"] = country
    following = "/api/v1/search?" + urlencode(params)
    query = results.query
    groups = {
        f"{kind.value}s": GroupOut.of(group, following) for kind, group in results.groups.items()
    }
    return SearchOut(
        query=FiltersOut(
            text=query.text,
            artist=query.artist or None,
            album=query.album or None,
            track=query.track or None,
            genre=query.genre or None,
            isrc=query.isrc,
            upc=query.upc,
            year_from=query.year_from,
            year_to=query.year_to,
            tag_new=query.tag_new,
        ),
        corrected=results.corrected,
        top=HitOut.of(results.top) if results.top else None,
        **groups,
    )
