"""Pitch to editors: the artist (a linked account) or the release's distributor pitches one
unreleased track; the editors (admins) see the queue, listen, and playlist it; editorial
playlists are made and changed by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import FileResponse, Response
from pydantic import Field

from cadenza.api.artist_schemas import (
    ComingReleaseOut,
    EditorialTrackOut,
    PitchFormOut,
    PitchIn,
    PitchOut,
    PitchTrackOut,
)
from cadenza.api.deps import (
    AdminSession,
    BlobsDep,
    CurrentSession,
    DistributorId,
    Id,
    PitchesDep,
    ReadingDistributorId,
)
from cadenza.api.library_schemas import PlaylistOut
from cadenza.api.request_body import RequestBody
from cadenza.api.stored_blob import stored_blob_response
from cadenza.domain import playlists as playlist_rules
from cadenza.domain.artists import Pitch, PitchDraft, PitchStatus
from cadenza.domain.catalog import ReleaseView, TrackView
from cadenza.domain.playlists import Playlist, PlaylistAccess
from cadenza.services.pitches import Pitcher

router = APIRouter(prefix="/api/v1", tags=["editorial"])


class ReviewIn(RequestBody):
    playlist_id: int | None = Field(
        default=None, ge=1, le=2_147_483_647, description="null: passed on, not playlisted"
    )


class EditorialPlaylistIn(RequestBody):
    name: str = Field(min_length=1, max_length=playlist_rules.MAX_NAME)
    description: str = Field(default="", max_length=playlist_rules.MAX_DESCRIPTION)


class EditorialChangeIn(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=playlist_rules.MAX_NAME)
    description: str | None = Field(default=None, max_length=playlist_rules.MAX_DESCRIPTION)


class EditorialTracksIn(RequestBody):
    track_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(
        min_length=1, max_length=playlist_rules.MAX_TRACKS_PER_EDIT
    )


class PositionIn(RequestBody):
    position: int = Field(ge=0, le=2_147_483_647, description="The new place, 0 the first")


def _tracks(tracks: list[TrackView]) -> list[EditorialTrackOut]:
    return [
        EditorialTrackOut(
            position=i,
            id=t.id,
            title=t.title,
            artists=[a.name for a in t.artists],
            duration_ms=t.duration_ms,
        )
        for i, t in enumerate(tracks)
    ]


def _form(found: tuple[ReleaseView, Pitch | None]) -> PitchFormOut:
    release, pitch = found
    return PitchFormOut(
        release_id=release.id,
        title=release.title,
        release_date=release.release_at,
        tracks=[
            PitchTrackOut(id=t.id, title=t.title, duration_ms=t.duration_ms) for t in release.tracks
        ],
        pitch=PitchOut.of(pitch) if pitch else None,
    )


def _draft(body: PitchIn) -> PitchDraft:
    return PitchDraft(body.track_id, tuple(body.genres), tuple(body.moods), body.story)


def _editorial(p: Playlist, admin_id: int) -> PlaylistOut:
    return PlaylistOut.of(p, admin_id, PlaylistAccess())


# -- artists -------------------------------------------------------------------------------
@router.get("/me/releases/{release_id}/pitch", response_model=PitchFormOut)
def my_pitch_form(release_id: Id, session: CurrentSession, pitches: PitchesDep) -> PitchFormOut:
    """A release of an artist linked to this account, with its tracks and its pitch."""
    return _form(pitches.form(Pitcher(account_id=session.account_id), release_id))


@router.post(
    "/me/releases/{release_id}/pitch", status_code=status.HTTP_201_CREATED, response_model=PitchOut
)
def pitch_as_artist(
    release_id: Id, body: PitchIn, session: CurrentSession, pitches: PitchesDep
) -> PitchOut:
    """One unreleased track per release, at least 7 days before its release date."""
    who = Pitcher(account_id=session.account_id)
    return PitchOut.of(pitches.pitch(who, release_id, _draft(body)))


@router.get("/me/artists/{artist_id}/pitches", response_model=list[PitchOut])
def my_pitches(artist_id: Id, session: CurrentSession, pitches: PitchesDep) -> list[PitchOut]:
    """The artist's pitches, each with whether (and where) the editors playlisted it."""
    return [PitchOut.of(p) for p in pitches.of_artist(session.account_id, artist_id)]


# -- distributors --------------------------------------------------------------------------
@router.get("/distributor/releases/{release_id}/pitch", response_model=PitchFormOut)
def distributor_pitch_form(
    release_id: Id, distributor: ReadingDistributorId, pitches: PitchesDep
) -> PitchFormOut:
    return _form(pitches.form(Pitcher(distributor_id=distributor), release_id))


@router.post(
    "/distributor/releases/{release_id}/pitch",
    status_code=status.HTTP_201_CREATED,
    response_model=PitchOut,
)
def pitch_as_distributor(
    release_id: Id, body: PitchIn, distributor: DistributorId, pitches: PitchesDep
) -> PitchOut:
    who = Pitcher(distributor_id=distributor)
    return PitchOut.of(pitches.pitch(who, release_id, _draft(body)))


@router.get("/distributor/pitches", response_model=list[PitchOut])
def distributor_pitches(distributor: ReadingDistributorId, pitches: PitchesDep) -> list[PitchOut]:
    return [PitchOut.of(p) for p in pitches.of_distributor(distributor)]


@router.get("/distributor/coming-releases", response_model=list[ComingReleaseOut])
def distributor_coming_releases(
    distributor: ReadingDistributorId, pitches: PitchesDep
) -> list[ComingReleaseOut]:
    """The distributor's releases not out yet, soonest first: each with its pitch, or whether
    it may be pitched now."""
    return [
        ComingReleaseOut(
            release_id=c.release_id,
            title=c.title,
            release_date=c.release_at,
            delivered_at=c.delivered_at,
            pitchable=pitchable,
            pitch=PitchOut.of(c.pitch) if c.pitch else None,
        )
        for c, pitchable in pitches.coming(distributor)
    ]


# -- the editors (admins) ------------------------------------------------------------------
@router.get("/admin/editorial/pitches", response_model=list[PitchOut])
def editorial_queue(
    session: AdminSession,
    pitches: PitchesDep,
    state: Annotated[PitchStatus | None, Query(alias="status")] = PitchStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[PitchOut]:
    """Pitches waiting for the editors, the soonest release first."""
    return [PitchOut.of(p) for p in pitches.queue(session.account_id, state, limit, offset)]


@router.get(
    "/admin/editorial/pitches/{pitch_id}/audio",
    response_class=FileResponse,
    responses={200: {"content": {"audio/ogg": {}, "audio/flac": {}}}},
)
def pitch_audio(
    pitch_id: Id, session: AdminSession, pitches: PitchesDep, blobs: BlobsDep
) -> Response:
    """The pitched track's audio, before its release: for the editors only."""
    found = pitches.review_audio(session.account_id, pitch_id)
    return stored_blob_response(
        blobs, found.blob, found.quality.media_type, {"cache-control": "private, no-store"}
    )


@router.post("/admin/editorial/pitches/{pitch_id}/review", response_model=PitchOut)
def review_pitch(
    pitch_id: Id, body: ReviewIn, session: AdminSession, pitches: PitchesDep
) -> PitchOut:
    """Add the pitched track to an editorial playlist, or (playlist_id null) pass on it."""
    return PitchOut.of(pitches.review(session.account_id, pitch_id, body.playlist_id))


@router.get("/admin/editorial/playlists", response_model=list[PlaylistOut])
def editorial_playlists(session: AdminSession, pitches: PitchesDep) -> list[PlaylistOut]:
    found = pitches.editorial_playlists(session.account_id)
    return [_editorial(p, session.account_id) for p in found]


@router.post(
    "/admin/editorial/playlists", status_code=status.HTTP_201_CREATED, response_model=PlaylistOut
)
def create_editorial_playlist(
    body: EditorialPlaylistIn, session: AdminSession, pitches: PitchesDep
) -> PlaylistOut:
    """A public playlist owned by the service's editors, marked `editorial`."""
    made = pitches.create_playlist(session.account_id, body.name, body.description)
    return _editorial(made, session.account_id)


@router.patch("/admin/editorial/playlists/{playlist_id}", response_model=PlaylistOut)
def change_editorial_playlist(
    playlist_id: Id, body: EditorialChangeIn, session: AdminSession, pitches: PitchesDep
) -> PlaylistOut:
    changed = pitches.change_playlist(session.account_id, playlist_id, body.name, body.description)
    return _editorial(changed, session.account_id)


@router.post("/admin/editorial/playlists/{playlist_id}/tracks", response_model=PlaylistOut)
def add_editorial_tracks(
    playlist_id: Id, body: EditorialTracksIn, session: AdminSession, pitches: PitchesDep
) -> PlaylistOut:
    changed = pitches.add_tracks(session.account_id, playlist_id, body.track_ids)
    return _editorial(changed, session.account_id)


@router.get(
    "/admin/editorial/playlists/{playlist_id}/tracks", response_model=list[EditorialTrackOut]
)
def editorial_tracks(
    playlist_id: Id, session: AdminSession, pitches: PitchesDep
) -> list[EditorialTrackOut]:
    """The playlist's tracks in order, those not out yet included."""
    return _tracks(pitches.playlist_tracks(session.account_id, playlist_id))


@router.put(
    "/admin/editorial/playlists/{playlist_id}/tracks/{track_id}/position",
    response_model=list[EditorialTrackOut],
)
def move_editorial_track(
    playlist_id: Id, track_id: Id, body: PositionIn, session: AdminSession, pitches: PitchesDep
) -> list[EditorialTrackOut]:
    """Move a track to another place (0 the first; one up is its position less one): the
    playlist's tracks in their new order."""
    moved = pitches.move_track(session.account_id, playlist_id, track_id, body.position)
    return _tracks(moved)


@router.delete(
    "/admin/editorial/playlists/{playlist_id}/tracks/{track_id}", response_model=PlaylistOut
)
def remove_editorial_track(
    playlist_id: Id, track_id: Id, session: AdminSession, pitches: PitchesDep
) -> PlaylistOut:
    changed = pitches.remove_track(session.account_id, playlist_id, track_id)
    return _editorial(changed, session.account_id)


@router.delete("/admin/editorial/playlists/{playlist_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_editorial_playlist(playlist_id: Id, session: AdminSession, pitches: PitchesDep) -> None:
    pitches.delete_playlist(session.account_id, playlist_id)
