"""Only You (`/me/taste`) and Your year (`/me/year/{year}`, with share cards as PNG images).
Each answers about the signed-in listener only; what others play shows as counts, never names.
Only You's mixes play through the player with a `taste_mix` context."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from cadenza.api.deps import CurrentSession, Id, TasteDep
from cadenza.api.schemas import ArtistRefOut, ReleaseSummaryOut, TrackOut, TrackWithReleaseOut
from cadenza.services.taste import Picked

router = APIRouter(prefix="/api/v1/me", tags=["only you"])
YearNumber = Annotated[int, Path(ge=1, le=9999)]


class RarePairOut(BaseModel):
    artists: list[ArtistRefOut]
    shared_by: int  # how many other listeners play both: a count, never who
    your_plays: int


class PartOfDayOut(BaseModel):
    name: str
    plays: int
    minutes: int
    genres: list[str]
    artists: list[ArtistRefOut]


class GuestOut(BaseModel):
    artist: ArtistRefOut
    role: str
    reason: str


class TasteMixSummaryOut(BaseModel):
    number: int
    name: str
    theme: str
    tracks: int
    context: dict[str, str | int]


class TasteOut(BaseModel):
    since: datetime
    plays: int
    rare_pairs: list[RarePairOut]
    parts_of_day: list[PartOfDayOut]
    dream_dinner: list[GuestOut]
    mixes: list[TasteMixSummaryOut]


class TasteMixOut(BaseModel):
    number: int
    name: str
    context: dict[str, str | int]
    tracks: list[TrackWithReleaseOut]


class PlayedArtistOut(BaseModel):
    artist: ArtistRefOut
    plays: int


class PlayedTrackOut(BaseModel):
    track: TrackWithReleaseOut
    plays: int


class GenreOut(BaseModel):
    genre: str
    plays: int


class YearOut(BaseModel):
    year: int
    plays: int
    minutes: int
    new_artists: int
    top_artists: list[PlayedArtistOut]
    top_tracks: list[PlayedTrackOut]
    top_genres: list[GenreOut]
    cards: dict[str, str]


def _track(picked: Picked) -> TrackWithReleaseOut:
    track, release = picked
    return TrackWithReleaseOut(
        **TrackOut.of(track).model_dump(), release=ReleaseSummaryOut.of(release)
    )


@router.get("/taste", response_model=TasteOut)
def only_you(session: CurrentSession, taste: TasteDep) -> TasteOut:
    """Only You, over your last year: the artist pairs you play that few other listeners here
    share (how many, never who), what you play mornings, afternoons, evenings and nights, your
    dream dinner of three artists, and themed mixes to play or save. 404
    `not_enough_listening` until you have 20 counted plays of 3 artists."""
    made = taste.only_you(session.account_id)
    return TasteOut(
        since=made.since,
        plays=made.plays,
        rare_pairs=[
            RarePairOut(
                artists=[ArtistRefOut.of(a) for a in p.artists],
                shared_by=p.pair.shared_by,
                your_plays=p.pair.your_plays,
            )
            for p in made.rare_pairs
        ],
        parts_of_day=[
            PartOfDayOut(
                name=p.part.name,
                plays=p.part.plays,
                minutes=p.part.minutes,
                genres=list(p.part.genres),
                artists=[ArtistRefOut.of(a) for a in p.artists],
            )
            for p in made.parts_of_day
        ],
        dream_dinner=[
            GuestOut(artist=ArtistRefOut.of(g.artist), role=g.guest.role, reason=g.reason)
            for g in made.dream_dinner
        ],
        mixes=[
            TasteMixSummaryOut(
                number=m.mix.number,
                name=m.name,
                theme=m.mix.theme,
                tracks=len(m.mix.track_ids),
                context={"kind": "taste_mix", "id": m.mix.number},
            )
            for m in made.mixes
        ],
    )


@router.get("/taste/mixes/{number}", response_model=TasteMixOut)
def taste_mix(number: Id, session: CurrentSession, taste: TasteDep) -> TasteMixOut:
    """One of Only You's mixes with its tracks. Play it with context
    `{"kind": "taste_mix", "id": NUMBER}`, or save its tracks to a playlist."""
    name, picked = taste.mix(session.account_id, number)
    return TasteMixOut(
        number=number,
        name=name,
        context={"kind": "taste_mix", "id": number},
        tracks=[_track(p) for p in picked],
    )


@router.get("/year/{year}", response_model=YearOut)
def your_year(year: YearNumber, session: CurrentSession, taste: TasteDep) -> YearOut:
    """Your year (in your time zone): top 5 artists and tracks, top genres, minutes listened
    and the artists you first played that year. A year without plays answers zeros and empty
    lists; one still to come is 422 `year_not_started`."""
    made = taste.year(session.account_id, year)
    s = made.summary
    base = f"/api/v1/me/year/{year}/card.png"
    return YearOut(
        year=year,
        plays=s.plays,
        minutes=s.minutes,
        new_artists=s.new_artists,
        top_artists=[
            PlayedArtistOut(artist=ArtistRefOut.of(a), plays=n) for a, n in made.top_artists
        ],
        top_tracks=[PlayedTrackOut(track=_track(p), plays=n) for p, n in made.top_tracks],
        top_genres=[GenreOut(genre=g, plays=n) for g, n in s.top_genres],
        cards={kind: f"{base}?kind={kind}" for kind in ("artists", "tracks", "minutes")},
    )


@router.get(
    "/year/{year}/card.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The card as a PNG"}},
)
def year_card(
    year: YearNumber,
    session: CurrentSession,
    taste: TasteDep,
    kind: Literal["artists", "tracks", "minutes"] = "artists",
    size: Annotated[Literal["square", "wide"], Query()] = "square",
) -> Response:
    """A shareable image of your year: `square` is 1080x1080 (chat apps, stories), `wide`
    1200x630 (link previews). Private to you: never cached by shared caches."""
    png = taste.card(session.account_id, year, kind, size)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})
