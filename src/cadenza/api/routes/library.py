"""The listener's collection over HTTP: liked songs, saved releases, followed artists, and
Your Library."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, status

from cadenza.api.deps import CollectionDep, CurrentSession, Id, PlaylistsDep
from cadenza.api.library_schemas import (
    CountedPage,
    FollowedArtistOut,
    LibraryItemOut,
    LikedTrackOut,
    ListedTrackOut,
    SavedReleaseOut,
    page_of,
)
from cadenza.domain.collection import ItemKind, LibrarySort
from cadenza.domain.errors import InvalidRequest
from cadenza.services.collection import SavedKind
from cadenza.services.your_library import your_library

router = APIRouter(prefix="/api/v1/me", tags=["library"])

IdsQuery = Annotated[
    str, Query(max_length=600, description="comma separated ids, at most 50", examples=["1,2"])
]
Limit = Annotated[int, Query(ge=1, le=50)]
Offset = Annotated[int, Query(ge=0, le=100_000)]


def parse_ids(raw: str) -> list[int]:
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise InvalidRequest("ids are comma separated numbers", code="invalid_ids") from None
    if any(not 1 <= i <= 2_147_483_647 for i in ids):
        raise InvalidRequest("ids are comma separated numbers", code="invalid_ids")
    return ids


def _saved_routes(path: str, kind: SavedKind, what: str) -> None:
    """PUT / DELETE `path?ids=`, PUT / DELETE `path/{id}`, GET `path/contains?ids=`."""

    def save(ids: IdsQuery, session: CurrentSession, collection: CollectionDep) -> None:
        collection.save(kind, session.account_id, parse_ids(ids))

    def unsave(ids: IdsQuery, session: CurrentSession, collection: CollectionDep) -> None:
        collection.unsave(kind, session.account_id, parse_ids(ids))

    def save_one(item_id: Id, session: CurrentSession, collection: CollectionDep) -> None:
        collection.save(kind, session.account_id, [item_id])

    def unsave_one(item_id: Id, session: CurrentSession, collection: CollectionDep) -> None:
        collection.unsave(kind, session.account_id, [item_id])

    def contains(ids: IdsQuery, session: CurrentSession, collection: CollectionDep) -> list[bool]:
        return collection.contains(kind, session.account_id, parse_ids(ids))

    no_content = {"status_code": status.HTTP_204_NO_CONTENT}
    routes: list[tuple[str, str, Callable[..., object], str]] = [
        ("PUT", path, save, f"{what.capitalize()} these ids (at most 50)."),
        ("DELETE", path, unsave, f"Un-{what} these ids."),
        ("PUT", f"{path}/{{item_id}}", save_one, f"{what.capitalize()} one."),
        ("DELETE", f"{path}/{{item_id}}", unsave_one, f"Un-{what} one."),
    ]
    for method, route, endpoint, doc in routes:
        router.add_api_route(
            route,
            endpoint,
            methods=[method],
            description=doc,
            name=f"{what}_{endpoint.__name__}",
            **no_content,  # type: ignore[arg-type]
        )
    router.add_api_route(
        f"{path}/contains",
        contains,
        methods=["GET"],
        response_model=list[bool],
        name=f"{what}_contains",
        description=f"For each id, in order: does the listener {what} it?",
    )


_saved_routes("/tracks", SavedKind.TRACK, "like")
_saved_routes("/releases", SavedKind.RELEASE, "save")
_saved_routes("/following/artists", SavedKind.ARTIST, "follow")


@router.get("/tracks", response_model=CountedPage[LikedTrackOut])
def liked_songs(
    session: CurrentSession, collection: CollectionDep, limit: Limit = 50, offset: Offset = 0
) -> CountedPage[LikedTrackOut]:
    """Liked songs, newest first, each as the listener may see and play it now."""
    liked, total = collection.liked(session.account_id, limit, offset)
    items = [LikedTrackOut(added_at=s.added_at, track=ListedTrackOut.of(c)) for s, c in liked]
    return page_of(items, limit, offset, total, "/api/v1/me/tracks")


@router.get("/releases", response_model=CountedPage[SavedReleaseOut])
def saved_releases(
    session: CurrentSession, collection: CollectionDep, limit: Limit = 50, offset: Offset = 0
) -> CountedPage[SavedReleaseOut]:
    """Saved releases, newest first; one the listener can no longer see shows only its id."""
    saved, total = collection.releases(session.account_id, limit, offset)
    items = [SavedReleaseOut.of(s) for s in saved]
    return page_of(items, limit, offset, total, "/api/v1/me/releases")


@router.get("/following/artists", response_model=CountedPage[FollowedArtistOut])
def followed_artists(
    session: CurrentSession, collection: CollectionDep, limit: Limit = 50, offset: Offset = 0
) -> CountedPage[FollowedArtistOut]:
    followed, total = collection.artists(session.account_id, limit, offset)
    items = [FollowedArtistOut.of(a) for a in followed]
    return page_of(items, limit, offset, total, "/api/v1/me/following/artists")


@router.get("/library", response_model=CountedPage[LibraryItemOut])
def library(
    session: CurrentSession,
    collection: CollectionDep,
    playlists: PlaylistsDep,
    sort: LibrarySort = LibrarySort.RECENT,
    kind: ItemKind | None = None,
    q: Annotated[str | None, Query(max_length=100, description="text in name or creator")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CountedPage[LibraryItemOut]:
    """Your Library: playlists (own and followed), saved releases and followed artists;
    sorted by `recent` (recently added), `alphabetical` or `creator`; filtered by `kind` and
    by text."""
    items = your_library(collection, playlists, session.account_id, sort, kind, q)
    shown = [LibraryItemOut.of(i) for i in items[offset : offset + limit]]
    query = f"&sort={sort.value}" + (f"&kind={kind.value}" if kind else "")
    query += f"&q={quote(q)}" if q else ""
    return page_of(shown, limit, offset, len(items), "/api/v1/me/library", query)
