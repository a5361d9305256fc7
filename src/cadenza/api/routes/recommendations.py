"""Recommendations: Discover Weekly, similar songs, Fans also like and an artist's top tracks.
Each answer says its `basis`: "model" (the trained model) or "popular" (popularity in the
listener's country and the songs' artists and genres, while there is no model yet)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from cadenza.api.deps import CurrentSession, Id, RecommendationsDep, ViewerDep
from cadenza.api.schemas import ArtistRefOut, ReleaseSummaryOut, TrackOut, TrackWithReleaseOut
from cadenza.domain.catalog import ArtistRef
from cadenza.services.recommendations import Picked

router = APIRouter(prefix="/api/v1", tags=["recommendations"])
BASIS = Field(description='"model" or "popular" (no model yet, or too little listening)')


class WeeklyTrackOut(TrackWithReleaseOut):
    reason: str = Field(description='Why it is here: "Because you play ARTIST"')


class DiscoverWeeklyOut(BaseModel):
    name: str
    week_start: datetime
    basis: str = BASIS
    tracks: list[WeeklyTrackOut]


class RecommendedTracksOut(BaseModel):
    basis: str = BASIS
    tracks: list[TrackWithReleaseOut]


class RelatedArtistsOut(BaseModel):
    basis: str = BASIS
    artists: list[ArtistRefOut]


def _with_release(picked: Picked) -> dict[str, Any]:
    track, release = picked
    return TrackOut.of(track).model_dump() | {"release": ReleaseSummaryOut.of(release)}


@router.get("/me/discover-weekly", response_model=DiscoverWeeklyOut)
def discover_weekly(session: CurrentSession, recs: RecommendationsDep) -> DiscoverWeeklyOut:
    """30 songs new to you for the week from Monday (UTC), the same all week, on every plan:
    none you played or saved, at most 2 per artist, new songs by artists you know between
    artists new to you; each says why."""
    weekly = recs.discover_weekly(session.account_id)
    return DiscoverWeeklyOut(
        name="Discover Weekly",
        week_start=weekly.week_start,
        basis=weekly.basis,
        tracks=[WeeklyTrackOut(**_with_release(p), reason=why) for p, why in weekly.tracks],
    )


@router.get("/tracks/{track_id}/similar", response_model=RecommendedTracksOut)
def similar_tracks(
    track_id: Id, recs: RecommendationsDep, viewer: ViewerDep
) -> RecommendedTracksOut:
    """Up to 20 songs like this one (what "Go to song radio" starts from)."""
    found = recs.similar_tracks(track_id, viewer)
    return RecommendedTracksOut(
        basis=found.basis, tracks=[TrackWithReleaseOut(**_with_release(p)) for p in found.tracks]
    )


@router.get("/artists/{artist_id}/related-artists", response_model=RelatedArtistsOut)
def related_artists(
    artist_id: Id, recs: RecommendationsDep, viewer: ViewerDep
) -> RelatedArtistsOut:
    """Fans also like: up to 20 artists."""
    found = recs.related_artists(artist_id, viewer)
    return RelatedArtistsOut(
        basis=found.basis, artists=[ArtistRefOut.of(ArtistRef(i, n)) for i, n in found.artists]
    )


@router.get("/artists/{artist_id}/top-tracks", response_model=RecommendedTracksOut)
def top_tracks(artist_id: Id, recs: RecommendationsDep, viewer: ViewerDep) -> RecommendedTracksOut:
    """The artist's 10 most streamed songs among listeners of your country, then everyone."""
    found = recs.top_tracks(artist_id, viewer)
    return RecommendedTracksOut(
        basis=found.basis, tracks=[TrackWithReleaseOut(**_with_release(p)) for p in found.tracks]
    )
