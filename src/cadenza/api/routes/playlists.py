"""Playlists over HTTP: create, read, change, delete; add, remove and reorder tracks against
a snapshot; follow; share with invite links."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from cadenza.api.deps import CurrentSession, Id, OptionalSession, PlaylistsDep, ViewerDep
from cadenza.api.library_schemas import (
    CountedPage,
    InviteOut,
    PlaylistItemOut,
    PlaylistOut,
    PlaylistWithTracksOut,
    SnapshotOut,
    page_of,
)
from cadenza.api.request_body import RequestBody
from cadenza.domain.catalog import Viewer
from cadenza.domain.playlists import MAX_DESCRIPTION, MAX_NAME, MAX_TRACKS, MAX_TRACKS_PER_EDIT
from cadenza.services.playlists import Details, Playlists

router = APIRouter(prefix="/api/v1", tags=["playlists"])

TrackId = Annotated[int, Field(ge=1, le=2_147_483_647)]
Position = Annotated[int, Field(ge=0, le=MAX_TRACKS)]
Snapshot = Annotated[str | None, Field(None, max_length=40)]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=MAX_TRACKS)]
# Lengths are checked by the rules (stable codes); these bounds only stop oversized bodies.
NameIn = Annotated[str, Field(max_length=MAX_NAME * 4)]
DescriptionIn = Annotated[str, Field(max_length=MAX_DESCRIPTION * 4)]


class PlaylistIn(RequestBody):
    name: NameIn
    description: DescriptionIn = ""
    public: bool = True
    collaborative: bool = False


class PlaylistChangeIn(RequestBody):
    name: NameIn | None = None
    description: DescriptionIn | None = None
    public: bool | None = None
    collaborative: bool | None = None
    snapshot_id: Snapshot = None


class AddTracksIn(RequestBody):
    track_ids: list[TrackId] = Field(min_length=1, max_length=MAX_TRACKS_PER_EDIT)
    position: Position | None = Field(None, description="insert before this; the end if absent")
    snapshot_id: Snapshot = None


class TrackPick(RequestBody):
    track_id: TrackId
    position: Position | None = Field(
        None, description="the one at this position; every occurrence if absent"
    )


class RemoveTracksIn(RequestBody):
    tracks: list[TrackPick] = Field(min_length=1, max_length=MAX_TRACKS_PER_EDIT)
    snapshot_id: Snapshot = None


class ReorderIn(RequestBody):
    range_start: Position
    range_length: int = Field(1, ge=1, le=MAX_TRACKS)
    insert_before: Position
    snapshot_id: Snapshot = None


class InviteIn(RequestBody):
    collaborate: bool = False


def _tracks_page(
    playlists: Playlists,
    playlist_id: int,
    viewer_id: int | None,
    viewer: Viewer,
    limit: int,
    offset: int,
) -> CountedPage[PlaylistItemOut]:
    playlist, _ = playlists.get(playlist_id, viewer_id)
    found = playlists.items(playlist_id, viewer_id, viewer, limit, offset)
    items = [PlaylistItemOut.of(i.position, i.entry, i.card) for i in found]
    return page_of(items, limit, offset, playlist.total, f"/api/v1/playlists/{playlist_id}/tracks")


@router.post("/me/playlists", status_code=status.HTTP_201_CREATED, response_model=PlaylistOut)
def create_playlist(
    body: PlaylistIn, session: CurrentSession, playlists: PlaylistsDep
) -> PlaylistOut:
    """A new, empty playlist. A collaborative one must be private (`public: false`)."""
    me = session.account_id
    playlist = playlists.create(me, body.name, body.description, body.public, body.collaborative)
    return PlaylistOut.of(playlist, me, playlists.get(playlist.id, me)[1])


@router.get("/me/playlists", response_model=CountedPage[PlaylistOut])
def my_playlists(
    session: CurrentSession, playlists: PlaylistsDep, limit: Limit = 50, offset: Offset = 0
) -> CountedPage[PlaylistOut]:
    """The listener's own and followed playlists, most recently added first."""
    me = session.account_id
    found, total = playlists.page_of_listener(me, limit, offset)
    items = [PlaylistOut.of(p, me, member) for p, member in found]
    return page_of(items, limit, offset, total, "/api/v1/me/playlists")


@router.get("/browse/editorial-playlists", response_model=list[PlaylistOut])
def editorial_playlists(
    playlists: PlaylistsDep, session: OptionalSession, limit: Limit = 20, offset: Offset = 0
) -> list[PlaylistOut]:
    """Playlists made by the service's editors (public playlists of admin accounts), newest
    first: the Home page's editorial shelf. No sign-in needed."""
    me = session.account_id if session else None
    found = playlists.editorial(limit, offset)
    return [PlaylistOut.of(p, me, playlists.get(p.id, me)[1]) for p in found]


@router.get("/playlists/{playlist_id}", response_model=PlaylistWithTracksOut)
def get_playlist(
    playlist_id: Id,
    playlists: PlaylistsDep,
    viewer: ViewerDep,
    session: OptionalSession,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PlaylistWithTracksOut:
    """A public playlist, or a private one the listener owns or follows (404 otherwise), with
    its first tracks as the viewer may see them."""
    me = session.account_id if session else None
    playlist, member = playlists.get(playlist_id, me)
    tracks = _tracks_page(playlists, playlist_id, me, viewer, limit, offset)
    return PlaylistWithTracksOut(**PlaylistOut.of(playlist, me, member).model_dump(), tracks=tracks)


@router.get("/playlists/{playlist_id}/tracks", response_model=CountedPage[PlaylistItemOut])
def playlist_tracks(
    playlist_id: Id,
    playlists: PlaylistsDep,
    viewer: ViewerDep,
    session: OptionalSession,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CountedPage[PlaylistItemOut]:
    me = session.account_id if session else None
    return _tracks_page(playlists, playlist_id, me, viewer, limit, offset)


@router.patch("/playlists/{playlist_id}", response_model=PlaylistOut)
def change_playlist(
    playlist_id: Id, body: PlaylistChangeIn, session: CurrentSession, playlists: PlaylistsDep
) -> PlaylistOut:
    """Rename, describe, make public or private, collaborative or not: the owner only."""
    me = session.account_id
    details = Details(body.name, body.description, body.public, body.collaborative)
    changed = playlists.change(me, playlist_id, details, body.snapshot_id)
    return PlaylistOut.of(changed, me, playlists.get(playlist_id, me)[1])


@router.delete("/playlists/{playlist_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_playlist(playlist_id: Id, session: CurrentSession, playlists: PlaylistsDep) -> None:
    """The owner deletes it for everyone; a follower unfollows instead."""
    playlists.delete(session.account_id, playlist_id)


@router.post(
    "/playlists/{playlist_id}/tracks",
    status_code=status.HTTP_201_CREATED,
    response_model=SnapshotOut,
)
def add_tracks(
    playlist_id: Id, body: AddTracksIn, session: CurrentSession, playlists: PlaylistsDep
) -> SnapshotOut:
    snapshot = playlists.add(
        session.account_id, playlist_id, body.track_ids, body.position, body.snapshot_id
    )
    return SnapshotOut(snapshot_id=snapshot)


@router.delete("/playlists/{playlist_id}/tracks", response_model=SnapshotOut)
def remove_tracks(
    playlist_id: Id, body: RemoveTracksIn, session: CurrentSession, playlists: PlaylistsDep
) -> SnapshotOut:
    """Remove tracks by id and position (a position names one of a duplicated track's
    places; it must still hold that track: 409 `track_not_at_position` otherwise)."""
    picks = [(p.track_id, p.position) for p in body.tracks]
    snapshot = playlists.remove(session.account_id, playlist_id, picks, body.snapshot_id)
    return SnapshotOut(snapshot_id=snapshot)


@router.put("/playlists/{playlist_id}/tracks", response_model=SnapshotOut)
def reorder_tracks(
    playlist_id: Id, body: ReorderIn, session: CurrentSession, playlists: PlaylistsDep
) -> SnapshotOut:
    """Move `range_length` tracks from `range_start` to stand before the track that is now
    at `insert_before` (the playlist's length: the end), as Spotify's API does."""
    snapshot = playlists.reorder(
        session.account_id,
        playlist_id,
        body.range_start,
        body.range_length,
        body.insert_before,
        body.snapshot_id,
    )
    return SnapshotOut(snapshot_id=snapshot)


@router.put("/playlists/{playlist_id}/followers", status_code=status.HTTP_204_NO_CONTENT)
def follow_playlist(playlist_id: Id, session: CurrentSession, playlists: PlaylistsDep) -> None:
    playlists.follow(session.account_id, playlist_id)


@router.delete("/playlists/{playlist_id}/followers", status_code=status.HTTP_204_NO_CONTENT)
def unfollow_playlist(playlist_id: Id, session: CurrentSession, playlists: PlaylistsDep) -> None:
    playlists.unfollow(session.account_id, playlist_id)


class FollowerOut(BaseModel):
    id: int
    display_name: str
    collaborator: bool  # edits while the playlist is collaborative
    invited: bool  # came through an invite: keeps the playlist when it is private
    followed_at: datetime


@router.get("/playlists/{playlist_id}/followers", response_model=CountedPage[FollowerOut])
def playlist_followers(
    playlist_id: Id,
    session: CurrentSession,
    playlists: PlaylistsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CountedPage[FollowerOut]:
    """Who follows the playlist: for its owner only (403 `not_playlist_owner`)."""
    found, total = playlists.followers(session.account_id, playlist_id, limit, offset)
    items = [
        FollowerOut(
            id=f.user_id,
            display_name=f.display_name,
            collaborator=f.collaborator,
            invited=f.invited,
            followed_at=f.followed_at,
        )
        for f in found
    ]
    return page_of(items, limit, offset, total, f"/api/v1/playlists/{playlist_id}/followers")


@router.delete(
    "/playlists/{playlist_id}/followers/{user_id}", status_code=status.HTTP_204_NO_CONTENT
)
def remove_follower(
    playlist_id: Id, user_id: Id, session: CurrentSession, playlists: PlaylistsDep
) -> None:
    """The owner takes a follower or collaborator off the playlist (private: they lose it)."""
    playlists.remove_follower(session.account_id, playlist_id, user_id)


@router.delete("/playlists/{playlist_id}/invites", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invites(playlist_id: Id, session: CurrentSession, playlists: PlaylistsDep) -> None:
    """The owner revokes every share link of the playlist; those who joined stay."""
    playlists.revoke_invites(session.account_id, playlist_id)


@router.post(
    "/playlists/{playlist_id}/invites",
    status_code=status.HTTP_201_CREATED,
    response_model=InviteOut,
)
def invite(
    playlist_id: Id, body: InviteIn, session: CurrentSession, playlists: PlaylistsDep
) -> InviteOut:
    """A share link (the owner's to make), good for 30 days: whoever accepts it follows the
    playlist, private or not, and with `collaborate` edits it while it is collaborative
    (409 `playlist_not_collaborative` for a playlist that is not)."""
    token = playlists.invite(session.account_id, playlist_id, body.collaborate)
    return InviteOut(
        token=token, collaborate=body.collaborate, url=f"/api/v1/playlist-invites/{token}"
    )


@router.post("/playlist-invites/{token}", response_model=PlaylistOut)
def accept_invite(
    token: Annotated[str, Field(min_length=10, max_length=100)],
    session: CurrentSession,
    playlists: PlaylistsDep,
) -> PlaylistOut:
    me = session.account_id
    playlist = playlists.accept(me, token)
    return PlaylistOut.of(playlist, me, playlists.get(playlist.id, me)[1])
