"""Made for you at sign-up and every Friday: the artists a new listener picks ("pick three
artists you like"), and Release Radar. Play the radar with the player's `release_radar`
context (on demand on every plan)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cadenza.api.deps import CurrentSession, ReleaseRadarDep, TastePicksDep
from cadenza.api.request_body import RequestBody
from cadenza.api.schemas import ArtistRefOut, ReleaseSummaryOut, TrackOut, TrackWithReleaseOut

router = APIRouter(prefix="/api/v1", tags=["made for you"])


class ReleaseRadarOut(BaseModel):
    name: str
    week_of: datetime  # the Friday midnight (your time zone) it came out, in UTC
    tracks: list[TrackWithReleaseOut]


class TastePicksIn(RequestBody):
    artist_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(
        min_length=1, max_length=10
    )


class TastePicksOut(BaseModel):
    artists: list[ArtistRefOut]


@router.get("/me/release-radar", response_model=ReleaseRadarOut)
def release_radar(session: CurrentSession, radar: ReleaseRadarDep) -> ReleaseRadarOut:
    """Up to 30 new songs (the last 14 days) by the artists you follow or play most (the ones
    you picked at sign-up, before you have played anything), made every Friday at midnight in
    your time zone and the same until the next."""
    made = radar.radar(session.account_id)
    return ReleaseRadarOut(
        name=made.name,
        week_of=made.week_of,
        tracks=[
            TrackWithReleaseOut(**TrackOut.of(t).model_dump(), release=ReleaseSummaryOut.of(r))
            for t, r in made.tracks
        ],
    )


@router.get("/onboarding/artists", response_model=list[ArtistRefOut])
def artists_to_pick(
    session: CurrentSession,
    picks: TastePicksDep,
    q: Annotated[str, Query(max_length=100, description="part of the artist's name")] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[ArtistRefOut]:
    """Artists to pick from after signing up: the most played in your country first."""
    found = picks.artists_to_pick(session.account_id, q, limit, offset)
    return [ArtistRefOut.of(a) for a in found]


@router.put("/me/taste-picks", response_model=TastePicksOut)
def pick_artists(
    body: TastePicksIn, session: CurrentSession, picks: TastePicksDep
) -> TastePicksOut:
    """Keep 1 to 10 artists you like (three is the suggestion), each one you may hear (404
    otherwise): until you have played music, what is made for you starts from them."""
    picked = picks.pick(session.account_id, body.artist_ids)
    return TastePicksOut(artists=[ArtistRefOut.of(a) for a in picked])


@router.get("/me/taste-picks", response_model=TastePicksOut)
def my_picks(session: CurrentSession, picks: TastePicksDep) -> TastePicksOut:
    return TastePicksOut(artists=[ArtistRefOut.of(a) for a in picks.picks(session.account_id)])
