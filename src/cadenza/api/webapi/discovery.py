"""Search and recommendations under /v1: what the listener may see, in the Web API's shapes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from cadenza.api.deps import RecommendationsDep, SearchDep
from cadenza.api.webapi import shapes
from cadenza.api.webapi.common import TAG, Market, Reader, ShaperDep
from cadenza.api.webapi.ids import parse_id
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.search import Kind
from cadenza.services.search import Group
from cadenza.services.seeded_recommendations import SeededRecommendations

router = APIRouter(prefix="/v1", tags=[TAG])
KINDS = {
    "track": Kind.TRACK,
    "album": Kind.RELEASE,
    "artist": Kind.ARTIST,
    "playlist": Kind.PLAYLIST,
}


class SearchOut(BaseModel):
    tracks: shapes.Page[shapes.TrackOut] | None = None
    artists: shapes.Page[shapes.ArtistOut] | None = None
    albums: shapes.Page[shapes.SimpleAlbumOut] | None = None
    playlists: shapes.Page[shapes.SimplePlaylistOut] | None = None


@router.get("/search", response_model=SearchOut)
def search(
    _: Reader,
    shaper: ShaperDep,
    search: SearchDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="words and filters")],
    type: Annotated[
        str, Query(max_length=100, description="comma separated: track,album,artist,playlist")
    ],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    market: Market = None,
    include_external: Annotated[str | None, Query(max_length=10)] = None,
) -> JSONResponse:
    """Tracks, albums, artists and playlists for what the listener typed (typos forgiven,
    `artist:`, `album:`, `track:`, `genre:`, `year:`, `isrc:`, `upc:` filters), most
    relevant first; `total` is at least what the pages up to the next one hold."""
    names = _types(type)
    results = search.search(q, shaper.viewer, [KINDS[n] for n in names], limit, offset)
    params = {"q": q, "type": type}
    found: dict[str, object] = {}
    for name in names:  # only the kinds asked for are in the answer
        group = results.groups[KINDS[name]]
        found[f"{name}s"] = shapes.page(
            shaper.links,
            "/v1/search",
            _items(shaper, name, group),
            limit,
            offset,
            _total(group),
            **params,
        )
    shaped = SearchOut.model_validate(found).model_dump(mode="json")
    return JSONResponse({key: shaped[key] for key in found})


def _types(raw: str) -> list[str]:
    names = list(dict.fromkeys(n.strip().lower() for n in raw.split(",") if n.strip()))
    unknown = [n for n in names if n not in KINDS]
    if unknown or not names:
        raise InvalidRequest(
            "type takes track, album, artist and playlist, comma separated",
            code="unknown_search_type",
        )
    return names


def _total(group: Group) -> int:
    return group.offset + len(group.hits) + (1 if group.more else 0)


def _items(shaper: ShaperDep, name: str, group: Group) -> list[object]:
    items: list[object] = []
    for hit in group.hits:
        if name == "track" and hit.track is not None and hit.release is not None:
            items.append(shaper.track(hit.track, hit.release))
        elif name == "album" and hit.release is not None:
            items.append(shaper.album(hit.release))
        elif name == "artist" and hit.artist is not None:
            items.append(shaper.artist(hit.artist))
        elif name == "playlist" and hit.playlist is not None:
            items.append(shapes.simple_playlist(shaper.links, hit.playlist, []))
    return items


class SeedOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    afterFilteringSize: int = Field(description="Tracks this seed drew")  # noqa: N815
    afterRelinkingSize: int  # noqa: N815
    href: str | None
    id: str
    initialPoolSize: int  # noqa: N815
    type: str = Field(description="ARTIST, TRACK or GENRE")


class RecommendationsOut(BaseModel):
    seeds: list[SeedOut]
    tracks: list[shapes.TrackOut]


def seeded(recs: RecommendationsDep, search: SearchDep) -> SeededRecommendations:
    return SeededRecommendations(recs, search)


SeededDep = Annotated[SeededRecommendations, Depends(seeded)]
SeedList = Annotated[str | None, Query(max_length=500, description="Comma separated")]


@router.get("/recommendations", response_model=RecommendationsOut)
def recommendations(
    _: Reader,
    shaper: ShaperDep,
    seeded: SeededDep,
    seed_artists: SeedList = None,
    seed_tracks: SeedList = None,
    seed_genres: SeedList = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    market: Market = None,
) -> RecommendationsOut:
    """Tracks from up to five seeds in all (artists, tracks, genres), through the
    recommendation engine: similar songs, top tracks of the artists and of those their fans
    also like, songs of the genres; the seeds take turns."""
    artists = [parse_id(a, "artist") for a in _split(seed_artists)]
    tracks = [parse_id(t, "track") for t in _split(seed_tracks)]
    genres = _split(seed_genres)
    found = seeded.recommend(shaper.viewer, artists, tracks, genres, limit)
    seeds = [
        SeedOut(
            afterFilteringSize=s.pool,
            afterRelinkingSize=s.pool,
            href=shaper.links.href(s.kind, s.id) if s.kind != "genre" else None,
            id=s.id,
            initialPoolSize=s.pool,
            type=s.kind.upper(),
        )
        for s in found.seeds
    ]
    return RecommendationsOut(seeds=seeds, tracks=[shaper.track(t, r) for t, r in found.tracks])


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]
