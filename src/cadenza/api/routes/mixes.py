"""Made for you: Radio stations, Daily Mixes and the Duo / Family Mix. Playing one goes through
the player (`PUT /api/v1/me/player/play` with a `radio`, `daily_mix` or `plan_mix` context)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cadenza.api.deps import CurrentSession, Id, MixesDep
from cadenza.api.library_schemas import OwnerOut
from cadenza.api.schemas import ReleaseSummaryOut, TrackOut, TrackWithReleaseOut
from cadenza.domain.errors import InvalidRequest
from cadenza.services.mixes import Picked

router = APIRouter(prefix="/api/v1/me", tags=["made for you"])
OptionalId = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


class StationOut(BaseModel):
    name: str
    seed: dict[str, int | str]
    basis: str = Field(description='"model" (nearest neighbours) or "popular" (no model yet)')
    tracks: list[TrackWithReleaseOut]


class MixOut(BaseModel):
    basis: str = "popular"
    number: int
    name: str
    genre: str
    artists: list[str]
    tracks: list[TrackWithReleaseOut]


class PlanMixTrackOut(TrackWithReleaseOut):
    from_member: OwnerOut = Field(description="The member whose taste put it there")


class PlanMixOut(BaseModel):
    name: str
    members: list[str]
    tracks: list[PlanMixTrackOut]


def _tracks(picked: list[Picked]) -> list[TrackWithReleaseOut]:
    return [
        TrackWithReleaseOut(**TrackOut.of(t).model_dump(), release=ReleaseSummaryOut.of(r))
        for t, r in picked
    ]


@router.get("/radio", response_model=StationOut)
def radio(
    session: CurrentSession,
    mixes: MixesDep,
    track_id: OptionalId = None,
    artist_id: OptionalId = None,
    release_id: OptionalId = None,
    playlist_id: OptionalId = None,
    genre: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> StationOut:
    """A station of up to 50 tracks from one seed: a track, an artist, a release, a playlist
    or a genre. Premium only (`premium_required`); each call is a new draw, steered by what you
    skipped (an artist skipped twice fades out) and saved in the last hours, none of your last
    50 plays, never the same artist twice in a row. Play it with `track_ids` and a `radio`
    context, or from a track with context `{"kind": "radio", "id": TRACK_ID}`."""
    seeds = (track_id, artist_id, release_id, playlist_id, genre)
    if sum(x is not None for x in seeds) != 1:
        raise InvalidRequest(
            "give one of track_id, artist_id, release_id, playlist_id or genre",
            code="radio_seed_required",
        )
    station = mixes.radio(
        session.account_id,
        track_id=track_id,
        artist_id=artist_id,
        release_id=release_id,
        playlist_id=playlist_id,
        genre=genre,
    )
    seed: int | str = int(station.seed_id) if station.seed_kind != "genre" else station.seed_id
    return StationOut(
        name=station.name,
        seed={"kind": station.seed_kind, "id": seed},
        basis=station.basis,
        tracks=_tracks(station.tracks),
    )


@router.get("/daily-mixes", response_model=list[MixOut])
def daily_mixes(session: CurrentSession, mixes: MixesDep) -> list[MixOut]:
    """Up to six Daily Mixes, one per genre you play most, the same all day; none until you
    have played at least three songs of a genre."""
    return [
        MixOut(
            basis=m.basis,
            number=m.number,
            name=m.name,
            genre=m.genre,
            artists=m.artists,
            tracks=_tracks(m.tracks),
        )
        for m in mixes.daily_mixes(session.account_id)
    ]


@router.get("/daily-mixes/{number}", response_model=MixOut)
def daily_mix(number: Id, session: CurrentSession, mixes: MixesDep) -> MixOut:
    m = mixes.daily_mix(session.account_id, number)
    return MixOut(
        basis=m.basis,
        number=m.number,
        name=m.name,
        genre=m.genre,
        artists=m.artists,
        tracks=_tracks(m.tracks),
    )


@router.get("/plan-mix", response_model=PlanMixOut)
def plan_mix(session: CurrentSession, mixes: MixesDep) -> PlanMixOut:
    """The Duo Mix or Family Mix: what the plan's members play, blended (403
    `duo_or_family_required` on other plans)."""
    made = mixes.plan_mix(session.account_id)
    tracks = [
        PlanMixTrackOut(
            **track.model_dump(), from_member=OwnerOut(id=member_id, display_name=member)
        )
        for track, (member_id, member) in zip(_tracks(made.tracks), made.from_members, strict=True)
    ]
    return PlanMixOut(name=made.name, members=made.members, tracks=tracks)
