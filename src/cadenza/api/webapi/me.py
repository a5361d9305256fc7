"""The listener's own under /v1: profile, saved tracks (and the library by URI), top artists
and tracks, and what they heard lately."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from cadenza.api.app_caller import AppCaller, needs
from cadenza.api.deps import AccountsDep, ClockDep, CollectionDep, ListeningDep, SubscriptionsDep
from cadenza.api.request_body import RequestBody
from cadenza.api.webapi import shapes
from cadenza.api.webapi.common import TAG, Caller, LinksDep, Market, Offset, ShaperDep
from cadenza.api.webapi.ids import MAX_IDS, parse_ids, parse_uri
from cadenza.domain.errors import InvalidRequest, NotFound
from cadenza.services.collection import SavedKind
from cadenza.services.top_items import TimeRange, TopRanking
from cadenza.services.track_cards import TrackCard

router = APIRouter(prefix="/v1", tags=[TAG])
LibraryRead = Annotated[AppCaller, Depends(needs("user-library-read"))]
LibraryModify = Annotated[AppCaller, Depends(needs("user-library-modify"))]
TopRead = Annotated[AppCaller, Depends(needs("user-top-read"))]
RecentRead = Annotated[AppCaller, Depends(needs("user-read-recently-played"))]
Ids = Annotated[str | None, Query(max_length=2000, description="Up to 50 ids, comma separated")]
Uris = Annotated[str, Query(max_length=4000, description="Up to 50 URIs, comma separated")]
LIBRARY_KINDS = {"track": SavedKind.TRACK, "album": SavedKind.RELEASE, "artist": SavedKind.ARTIST}


@router.get("/me", response_model=shapes.PrivateUserOut)
def me(
    caller: Caller,
    links: LinksDep,
    accounts: AccountsDep,
    subscriptions: SubscriptionsDep,
) -> shapes.PrivateUserOut:
    """The listener's profile; `country`, `product` and `explicit_content` with
    user-read-private, `email` with user-read-email."""
    account = accounts.profile(caller.account_id)
    public = shapes.user(links, account.id, account.display_name)
    found = shapes.PrivateUserOut(**public.model_dump(), account_id=str(account.id))
    if caller.may("user-read-private"):
        listener = subscriptions.listener(caller.account_id)
        plan = listener.plan
        found.country = listener.country
        found.product = "premium" if plan.is_premium else plan.value
        found.explicit_content = shapes.ExplicitContentOut(
            filter_enabled=not listener.allow_explicit,
            filter_locked=not listener.allow_explicit,  # set by the Family plan's manager
        )
    if caller.may("user-read-email"):
        found.email = account.email
    return found


class SavedTrackOut(BaseModel):
    added_at: datetime
    track: shapes.TrackOut


class IdsIn(RequestBody):
    ids: list[Annotated[str, Field(max_length=100)]] = Field(max_length=MAX_IDS)


@router.get("/me/tracks", response_model=shapes.Page[SavedTrackOut])
def saved_tracks(
    caller: LibraryRead,
    shaper: ShaperDep,
    collection: CollectionDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Offset = 0,
    market: Market = None,
) -> shapes.Page[SavedTrackOut]:
    """Liked songs, newest first (a song nobody may see any more is left out of the page)."""
    liked, total = collection.liked(caller.account_id, limit, offset)
    items = [
        SavedTrackOut(added_at=saved.added_at, track=_playable(shaper, card))
        for saved, card in liked
        if card.track is not None and card.release is not None
    ]
    return shapes.page(shaper.links, "/v1/me/tracks", items, limit, offset, total)


def _playable(shaper: ShaperDep, card: TrackCard) -> shapes.TrackOut:
    assert card.track is not None and card.release is not None
    shaped = shaper.track(card.track, card.release)
    shaped.is_playable = card.playable
    return shaped


def _ids(query: str | None, body: IdsIn | None) -> list[int]:
    if query:
        return parse_ids(query, "track")
    if body is not None and body.ids:
        return parse_ids(",".join(body.ids), "track")
    raise InvalidRequest("give ids, in the query or the body", code="invalid_id")


@router.put("/me/tracks", status_code=200, response_class=Response)
def save_tracks(
    caller: LibraryModify, collection: CollectionDep, ids: Ids = None, body: IdsIn | None = None
) -> Response:
    """Like songs (each one the listener may play; 404 for any other, and nothing saved)."""
    collection.save(SavedKind.TRACK, caller.account_id, _ids(ids, body))
    return Response(status_code=200)


@router.delete("/me/tracks", status_code=200, response_class=Response)
def remove_tracks(
    caller: LibraryModify, collection: CollectionDep, ids: Ids = None, body: IdsIn | None = None
) -> Response:
    collection.unsave(SavedKind.TRACK, caller.account_id, _ids(ids, body))
    return Response(status_code=200)


@router.get("/me/tracks/contains", response_model=list[bool])
def tracks_saved(
    caller: LibraryRead,
    collection: CollectionDep,
    ids: Annotated[str, Query(max_length=2000)],
) -> list[bool]:
    return collection.contains(SavedKind.TRACK, caller.account_id, parse_ids(ids, "track"))


def _by_kind(uris: str) -> dict[SavedKind, list[int]]:
    parsed = [parse_uri(u) for u in uris.split(",") if u.strip()]
    if not parsed or len(parsed) > MAX_IDS:
        raise InvalidRequest(f"give 1 to {MAX_IDS} URIs", code="invalid_uri")
    grouped: dict[SavedKind, list[int]] = {}
    for kind, number in parsed:
        if kind not in LIBRARY_KINDS:
            raise InvalidRequest("the library holds tracks, albums and artists", code="invalid_uri")
        grouped.setdefault(LIBRARY_KINDS[kind], []).append(number)
    return grouped


@router.put("/me/library", status_code=200, response_class=Response)
def save_to_library(
    caller: LibraryModify, collection: CollectionDep, shaper: ShaperDep, uris: Uris
) -> Response:
    """Save tracks (liked songs) and albums, follow artists, by URI: 404 for any the listener
    may not see, and then nothing is saved."""
    grouped = _by_kind(uris)
    for kind, numbers in grouped.items():  # all checked before any is saved
        for number in numbers:
            if kind is SavedKind.TRACK:
                shaper.catalog.track(number, shaper.viewer)
            elif kind is SavedKind.RELEASE:
                shaper.catalog.release(number, shaper.viewer)
            else:
                shaper.catalog.artist(number, shaper.viewer)
    for kind, numbers in grouped.items():
        collection.save(kind, caller.account_id, numbers)
    return Response(status_code=200)


@router.delete("/me/library", status_code=200, response_class=Response)
def remove_from_library(caller: LibraryModify, collection: CollectionDep, uris: Uris) -> Response:
    for kind, numbers in _by_kind(uris).items():
        collection.unsave(kind, caller.account_id, numbers)
    return Response(status_code=200)


@router.get("/me/library/contains", response_model=list[bool])
def library_contains(caller: LibraryRead, collection: CollectionDep, uris: Uris) -> list[bool]:
    """For each URI in order: saved (or followed) or not."""
    held = {
        (kind, n)
        for kind, numbers in _by_kind(uris).items()
        for n, yes in zip(
            numbers, collection.contains(kind, caller.account_id, numbers), strict=True
        )
        if yes
    }
    parsed = [parse_uri(u) for u in uris.split(",") if u.strip()]
    return [(LIBRARY_KINDS[k], n) in held for k, n in parsed]


def top_ranking(listening: ListeningDep, shaper: ShaperDep) -> TopRanking:
    return TopRanking(listening, shaper.catalog)


TopDep = Annotated[TopRanking, Depends(top_ranking)]


@router.get(
    "/me/top/{kind}", response_model=shapes.Page[shapes.ArtistOut] | shapes.Page[shapes.TrackOut]
)
def top(
    kind: Literal["artists", "tracks"],
    caller: TopRead,
    shaper: ShaperDep,
    ranking: TopDep,
    clock: ClockDep,
    time_range: TimeRange = TimeRange.MEDIUM,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=49)] = 0,
) -> shapes.Page[shapes.ArtistOut] | shapes.Page[shapes.TrackOut]:
    """The artists or tracks the listener played most over the last 4 weeks (`short_term`),
    6 months (`medium_term`) or year (`long_term`)."""
    found = ranking.top(caller.account_id, shaper.viewer, time_range, clock.now())
    path, params = f"/v1/me/top/{kind}", {"time_range": time_range.value}
    if kind == "artists":
        artists = [shaper.artist(a, g) for a, g in found.artists]
        return shapes.page(
            shaper.links,
            path,
            artists[offset : offset + limit],
            limit,
            offset,
            len(artists),
            **params,
        )
    tracks = [shaper.track(t, r) for t, r in found.tracks]
    return shapes.page(
        shaper.links, path, tracks[offset : offset + limit], limit, offset, len(tracks), **params
    )


class PlayHistoryOut(BaseModel):
    track: shapes.TrackOut
    played_at: datetime
    context: None = None


class CursorsOut(BaseModel):
    after: str | None
    before: str | None


class RecentlyPlayedOut(BaseModel):
    href: str
    items: list[PlayHistoryOut]
    limit: int
    next: str | None
    cursors: CursorsOut | None


RECENT_WINDOW = 200  # the most recent plays the cursors move through
Millis = Annotated[int | None, Query(ge=0, le=10**14, description="Unix time in ms")]


@router.get("/me/player/recently-played", response_model=RecentlyPlayedOut)
def recently_played(
    caller: RecentRead,
    shaper: ShaperDep,
    listening: ListeningDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    after: Millis = None,
    before: Millis = None,
) -> RecentlyPlayedOut:
    """The songs the listener heard (30 s or more), newest first; `before` pages back."""
    if after is not None and before is not None:
        raise InvalidRequest("give after or before, not both", code="invalid_cursor")
    plays = listening.recently_played(caller.account_id, RECENT_WINDOW, 0)
    if before is not None:
        plays = [p for p in plays if _ms(p.played_at) < before]
    if after is not None:
        plays = [p for p in plays if _ms(p.played_at) > after][-limit:]
    chosen = plays[:limit]
    items: list[PlayHistoryOut] = []
    for play in chosen:
        try:
            track, release = shaper.catalog.track(play.track_id, shaper.viewer)
        except NotFound:
            continue
        items.append(PlayHistoryOut(track=shaper.track(track, release), played_at=play.played_at))
    oldest = str(_ms(chosen[-1].played_at)) if chosen else None
    newest = str(_ms(chosen[0].played_at)) if chosen else None
    more = len(plays) > limit
    path = "/v1/me/player/recently-played"
    return RecentlyPlayedOut(
        href=shaper.links.url(path, limit=limit, after=after, before=before),
        items=items,
        limit=limit,
        next=shaper.links.url(path, limit=limit, before=oldest) if more and oldest else None,
        cursors=CursorsOut(after=newest, before=oldest) if chosen else None,
    )


def _ms(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp() * 1000)
