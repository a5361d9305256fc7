"""Playlists under /v1: the listener's list, create, read (a private one only for those who
may: 404 for anyone else), change details, and the tracks: read, add, remove and reorder
against a `snapshot_id`, or replace. Paths end in `/tracks` or, as Spotify now names them,
`/items`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response, status
from pydantic import Field

from cadenza.api.app_caller import AppCaller, needs
from cadenza.api.deps import PlaylistsDep
from cadenza.api.request_body import RequestBody
from cadenza.api.webapi import shapes
from cadenza.api.webapi.common import TAG, Caller, Limit, Market, Offset, ShaperDep
from cadenza.api.webapi.ids import parse_id, parse_uri
from cadenza.domain.errors import Forbidden, InvalidRequest, NotFound
from cadenza.domain.playlists import MAX_DESCRIPTION, MAX_NAME, MAX_TRACKS_PER_EDIT, Playlist
from cadenza.services.playlists import Details

router = APIRouter(prefix="/v1", tags=[TAG])
ReadPrivate = Annotated[AppCaller, Depends(needs("playlist-read-private"))]
Uri = Annotated[str, Field(max_length=100)]
TracksLimit = Annotated[int, Query(ge=1, le=100, description="How many, 1 to 100")]


def _modify_scope(public: bool) -> str:
    return "playlist-modify-public" if public else "playlist-modify-private"


class PlaylistIn(RequestBody):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    public: bool = True
    collaborative: bool = False
    description: str = Field("", max_length=MAX_DESCRIPTION)


class PlaylistChangeIn(RequestBody):
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    public: bool | None = None
    collaborative: bool | None = None
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)


class AddIn(RequestBody):
    uris: list[Uri] = Field(max_length=MAX_TRACKS_PER_EDIT)
    position: int | None = Field(None, ge=0, le=10_000)


class ChangeTracksIn(RequestBody):
    """Either a reorder (`range_start`, `insert_before`, `range_length`) or a replacement
    (`uris`)."""

    uris: list[Uri] | None = Field(None, max_length=MAX_TRACKS_PER_EDIT)
    range_start: int | None = Field(None, ge=0, le=10_000)
    insert_before: int | None = Field(None, ge=0, le=10_000)
    range_length: int = Field(1, ge=1, le=10_000)
    snapshot_id: str | None = Field(None, max_length=40)


class RemovedIn(RequestBody):
    uri: Uri
    positions: list[Annotated[int, Field(ge=0, le=10_000)]] | None = Field(None, max_length=100)


class RemoveIn(RequestBody):
    tracks: list[RemovedIn] | None = Field(None, max_length=MAX_TRACKS_PER_EDIT)
    items: list[RemovedIn] | None = Field(None, max_length=MAX_TRACKS_PER_EDIT)
    snapshot_id: str | None = Field(None, max_length=40)


def _readable(playlists: PlaylistsDep, caller: AppCaller, playlist_id: int) -> Playlist:
    """The playlist when this caller may read it: a private one needs playlist-read-private
    (404 otherwise, as for one that does not exist)."""
    playlist, _ = playlists.get(playlist_id, caller.account_id)
    if not playlist.public and not caller.may("playlist-read-private"):
        raise NotFound(f"no playlist {playlist_id}")
    return playlist


def _tracks(
    shaper: ShaperDep,
    playlists: PlaylistsDep,
    caller: AppCaller,
    playlist: Playlist,
    limit: int,
    offset: int,
    path: str,
) -> shapes.Page[shapes.PlaylistTrackOut]:
    found = playlists.items(playlist.id, caller.account_id, shaper.viewer, limit, offset)
    items = []
    for item in found:
        card = item.card
        shaped = None
        if card.track is not None and card.release is not None:
            plain = shaper.track(card.track, card.release)
            plain.is_playable = card.playable
            shaped = shapes.PlaylistItemTrackOut(**plain.model_dump())
        added_by = item.entry.added_by or playlist.owner_id
        items.append(
            shapes.PlaylistTrackOut(
                added_at=item.entry.added_at,
                added_by=shapes.user(shaper.links, added_by, item.entry.added_by_name),
                track=shaped,
                item=shaped,
            )
        )
    return shapes.page(shaper.links, path, items, limit, offset, playlist.total)


def _full(
    shaper: ShaperDep, playlists: PlaylistsDep, caller: AppCaller, playlist: Playlist
) -> shapes.PlaylistOut:
    simple = shapes.simple_playlist(shaper.links, playlist, [])
    path = f"/v1/playlists/{playlist.id}/tracks"
    tracks = _tracks(shaper, playlists, caller, playlist, 100, 0, path)
    return shapes.PlaylistOut(
        **simple.model_dump(exclude={"tracks", "items"}),
        followers=shapes.FollowersOut(total=0),
        tracks=tracks,
        items=tracks,
    )


@router.get("/me/playlists", response_model=shapes.Page[shapes.SimplePlaylistOut])
def my_playlists(
    caller: ReadPrivate,
    shaper: ShaperDep,
    playlists: PlaylistsDep,
    limit: Limit = 20,
    offset: Offset = 0,
) -> shapes.Page[shapes.SimplePlaylistOut]:
    """The listener's own and followed playlists, most recently added first."""
    found, total = playlists.page_of_listener(caller.account_id, limit, offset)
    items = [shapes.simple_playlist(shaper.links, p, []) for p, _ in found]
    return shapes.page(shaper.links, "/v1/me/playlists", items, limit, offset, total)


def _create(
    body: PlaylistIn, caller: AppCaller, shaper: ShaperDep, playlists: PlaylistsDep
) -> shapes.PlaylistOut:
    caller.require(_modify_scope(body.public))
    playlist = playlists.create(
        caller.account_id, body.name, body.description, body.public, body.collaborative
    )
    return _full(shaper, playlists, caller, playlist)


@router.post(
    "/me/playlists", status_code=status.HTTP_201_CREATED, response_model=shapes.PlaylistOut
)
def create_my_playlist(
    body: PlaylistIn, caller: Caller, shaper: ShaperDep, playlists: PlaylistsDep
) -> shapes.PlaylistOut:
    """A new, empty playlist (playlist-modify-public, or -private for a private one)."""
    return _create(body, caller, shaper, playlists)


@router.post(
    "/users/{user_id}/playlists",
    status_code=status.HTTP_201_CREATED,
    response_model=shapes.PlaylistOut,
)
def create_playlist(
    user_id: Annotated[str, Path(max_length=40)],
    body: PlaylistIn,
    caller: Caller,
    shaper: ShaperDep,
    playlists: PlaylistsDep,
) -> shapes.PlaylistOut:
    """The same, for the listener named in the path: only oneself (403 for anyone else)."""
    if parse_id(user_id, "user") != caller.account_id:
        raise Forbidden("you can only create playlists for yourself", code="not_your_account")
    return _create(body, caller, shaper, playlists)


@router.get("/playlists/{id}", response_model=shapes.PlaylistOut)
def get_playlist(
    id: str, caller: Caller, shaper: ShaperDep, playlists: PlaylistsDep, market: Market = None
) -> shapes.PlaylistOut:
    """A public playlist, or a private one of the listener's own or shared with them (404
    for anyone else), with its first 100 tracks."""
    return _full(shaper, playlists, caller, _readable(playlists, caller, parse_id(id, "playlist")))


@router.put("/playlists/{id}", status_code=200, response_class=Response)
def change_playlist(
    id: str, body: PlaylistChangeIn, caller: Caller, playlists: PlaylistsDep
) -> Response:
    """Rename, describe, make public, private or collaborative: the owner's to do."""
    playlist = _readable(playlists, caller, parse_id(id, "playlist"))
    caller.require(_modify_scope(playlist.public))
    if body.public is not None and body.public != playlist.public:
        caller.require(_modify_scope(body.public))
    details = Details(body.name, body.description, body.public, body.collaborative)
    playlists.change(caller.account_id, playlist.id, details)
    return Response(status_code=200)


def _tracks_route(suffix: str) -> None:
    path = f"/playlists/{{id}}/{suffix}"

    @router.get(path, response_model=shapes.Page[shapes.PlaylistTrackOut])
    def playlist_tracks(
        id: str,
        caller: Caller,
        shaper: ShaperDep,
        playlists: PlaylistsDep,
        limit: TracksLimit = 100,
        offset: Offset = 0,
        market: Market = None,
    ) -> shapes.Page[shapes.PlaylistTrackOut]:
        """The playlist's tracks in order; one nobody may see any more is null."""
        playlist = _readable(playlists, caller, parse_id(id, "playlist"))
        link = f"/v1/playlists/{playlist.id}/{suffix}"
        return _tracks(shaper, playlists, caller, playlist, limit, offset, link)

    @router.post(path, status_code=status.HTTP_201_CREATED, response_model=shapes.SnapshotOut)
    def add_tracks(
        id: str,
        caller: Caller,
        playlists: PlaylistsDep,
        body: Annotated[
            AddIn | list[Uri] | None, Body(description="{uris, position}, or a list of URIs")
        ] = None,
        uris: Annotated[str | None, Query(max_length=5000)] = None,
        position: Annotated[int | None, Query(ge=0, le=10_000)] = None,
    ) -> shapes.SnapshotOut:
        """Add up to 100 tracks by URI, at `position` or at the end (each one the listener may
        play; 404 for any other, and nothing is added)."""
        playlist = _readable(playlists, caller, parse_id(id, "playlist"))
        caller.require(_modify_scope(playlist.public))
        if isinstance(body, list):
            body = AddIn(uris=body, position=None)
        given = body.uris if body is not None else (uris or "").split(",")
        at = body.position if body is not None and body.position is not None else position
        snapshot = playlists.add(caller.account_id, playlist.id, _track_ids(given), at)
        return shapes.SnapshotOut(snapshot_id=snapshot)

    @router.put(path, response_model=shapes.SnapshotOut)
    def change_tracks(
        id: str,
        body: ChangeTracksIn,
        caller: Caller,
        shaper: ShaperDep,
        playlists: PlaylistsDep,
    ) -> shapes.SnapshotOut:
        """Move `range_length` tracks from `range_start` to before `insert_before` (against
        `snapshot_id`: 409 `snapshot_stale` when the playlist changed since), or replace every
        track with `uris`."""
        playlist = _readable(playlists, caller, parse_id(id, "playlist"))
        caller.require(_modify_scope(playlist.public))
        if body.range_start is not None and body.insert_before is not None:
            snapshot = playlists.reorder(
                caller.account_id,
                playlist.id,
                body.range_start,
                body.range_length,
                body.insert_before,
                body.snapshot_id,
            )
            return shapes.SnapshotOut(snapshot_id=snapshot)
        if body.uris is None:
            raise InvalidRequest(
                "give range_start and insert_before, or uris", code="invalid_request"
            )
        wanted = _track_ids(body.uris) if body.uris else []
        shaper.catalog.tracks_to_play(list(dict.fromkeys(wanted)), shaper.viewer)  # 404 first
        held = playlists.items(playlist.id, caller.account_id, shaper.viewer, 10_000, 0)
        picks: list[tuple[int, int | None]] = [
            (t, None) for t in dict.fromkeys(i.entry.track_id for i in held)
        ]
        snapshot = playlist.snapshot_id
        if picks:
            snapshot = playlists.remove(caller.account_id, playlist.id, picks, body.snapshot_id)
        if wanted:
            snapshot = playlists.add(caller.account_id, playlist.id, wanted, None, snapshot)
        return shapes.SnapshotOut(snapshot_id=snapshot)

    @router.delete(path, response_model=shapes.SnapshotOut)
    def remove_tracks(
        id: str, body: RemoveIn, caller: Caller, playlists: PlaylistsDep
    ) -> shapes.SnapshotOut:
        """Remove tracks by URI: every occurrence, or those at `positions` (against
        `snapshot_id`)."""
        playlist = _readable(playlists, caller, parse_id(id, "playlist"))
        caller.require(_modify_scope(playlist.public))
        removed = body.items or body.tracks or []
        if not removed:
            raise InvalidRequest("name the tracks to remove", code="no_tracks")
        picks: list[tuple[int, int | None]] = []
        for entry in removed:
            track_id = _track_ids([entry.uri])[0]
            if entry.positions:
                picks += [(track_id, p) for p in entry.positions]
            else:
                picks.append((track_id, None))
        snapshot = playlists.remove(caller.account_id, playlist.id, picks, body.snapshot_id)
        return shapes.SnapshotOut(snapshot_id=snapshot)


def _track_ids(uris: list[str]) -> list[int]:
    found = []
    for raw in (u for u in uris if u.strip()):
        kind, number = parse_uri(raw)
        if kind != "track":
            raise InvalidRequest("a playlist holds tracks", code="invalid_uri")
        found.append(number)
    if not found:
        raise InvalidRequest("give at least one track", code="no_tracks")
    if len(found) > MAX_TRACKS_PER_EDIT:
        raise InvalidRequest(
            f"at most {MAX_TRACKS_PER_EDIT} tracks at a time", code="too_many_tracks"
        )
    return found


for _suffix in ("tracks", "items"):
    _tracks_route(_suffix)
