"""Made for you: Radio stations, Daily Mixes and the Duo / Family Mix. Playing one goes through
the player (`PUT /api/v1/me/player/play` with a `radio`, `daily_mix` or `plan_mix` context)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cadenza.api.deps import CurrentSession, Id, MixesDep
from cadenza.api.schemas import ReleaseSummaryOut, TrackOut, TrackWithReleaseOut
from cadenza.domain.errors import InvalidRequest
from cadenza.services.mixes import Picked

router = APIRouter(prefix="/api/v1/me", tags=["made for you"])
OptionalId = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


class StationOut(BaseModel):
    name: str
    seed: dict[str, int | str]
    tracks: list[TrackWithReleaseOut]


class MixOut(BaseModel):
    number: int
    name: str
    genre: str
    artists: list[str]
    tracks: list[TrackWithReleaseOut]


class PlanMixOut(BaseModel):
    name: str
    members: list[str]
    tracks: list[TrackWithReleaseOut]


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
) -> StationOut:
    """A station of up to 50 tracks from one seed: a track, an artist or a release. Premium only
    (`premium_required`); each call is a new draw. Play it with `track_ids` and a `radio`
    context, or from a track with context `{"kind": "radio", "id": TRACK_ID}`."""
    if sum(x is not None for x in (track_id, artist_id, release_id)) != 1:
        raise InvalidRequest(
            "give one of track_id, artist_id or release_id", code="radio_seed_required"
        )
    station = mixes.radio(
        session.account_id, track_id=track_id, artist_id=artist_id, release_id=release_id
    )
    seed_id = track_id or artist_id or release_id
    assert seed_id is not None
    return StationOut(
        name=station.name,
        seed={"kind": station.seed_kind, "id": seed_id},
        tracks=_tracks(station.tracks),
    )


@router.get("/daily-mixes", response_model=list[MixOut])
def daily_mixes(session: CurrentSession, mixes: MixesDep) -> list[MixOut]:
    """Up to six Daily Mixes, one per genre you play most, the same all day; none until you
    have played at least three songs of a genre."""
    return [
        MixOut(
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
        number=m.number, name=m.name, genre=m.genre, artists=m.artists, tracks=_tracks(m.tracks)
    )


@router.get("/plan-mix", response_model=PlanMixOut)
def plan_mix(session: CurrentSession, mixes: MixesDep) -> PlanMixOut:
    """The Duo Mix or Family Mix: what the plan's members play, blended (403
    `duo_or_family_required` on other plans)."""
    made = mixes.plan_mix(session.account_id)
    return PlanMixOut(name=made.name, members=made.members, tracks=_tracks(made.tracks))
