"""Podcasts for listeners: shows and their episodes, follows, Your Episodes, where you stopped
(synced to your other devices), played or not, and an episode's audio (free on every plan)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from cadenza.api.deps import (
    BlobsDep,
    CurrentSession,
    Id,
    OptionalSession,
    PodcastListeningDep,
    PodcastsDep,
)
from cadenza.api.granted_audio import audio_answer
from cadenza.api.library_schemas import CountedPage, page_of
from cadenza.api.request_body import RequestBody
from cadenza.domain.audio import Quality
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.podcasts import MAX_FEED_URL, Episode, Progress, Show, find_in_transcript

router = APIRouter(prefix="/api/v1", tags=["podcasts"])
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
IdList = Annotated[
    str,
    Query(
        max_length=600,
        pattern=r"^\d{1,10}(,\d{1,10}){0,49}$",
        description="Comma-separated show ids, at most 50",
    ),
]


def show_ids(ids: str) -> list[int]:
    """The ids of `ids=`; one beyond any id a show can have (a database integer) is refused
    with 422 `invalid_id`, not taken to the database."""
    found = [int(i) for i in ids.split(",")]
    if any(not 1 <= i <= 2_147_483_647 for i in found):
        raise InvalidRequest("show ids are whole numbers from 1 to 2147483647", code="invalid_id")
    return found


class PersonOut(BaseModel):
    name: str
    role: str
    href: str | None


class ShowOut(BaseModel):
    id: int
    title: str
    publisher: str
    description_html: str = Field(description="Sanitised HTML")
    feed_url: str | None = Field(description="None for a show hosted here")
    link: str | None
    language: str | None
    explicit: bool
    image_url: str | None
    image_generated: bool
    categories: list[str]
    persons: list[PersonOut]
    episode_count: int
    hosted: bool
    following: bool = False
    unplayed: int = 0
    last_fetched_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, s: Show, following: bool = False, unplayed: int = 0) -> ShowOut:
        return cls(
            id=s.id,
            title=s.title,
            publisher=s.publisher,
            description_html=s.description_html,
            feed_url=s.feed_url,
            link=s.link,
            language=s.language,
            explicit=s.explicit,
            image_url=f"/api/v1/images/{s.artwork_blob}" if s.artwork_blob else None,
            image_generated=s.artwork_generated,
            categories=list(s.categories),
            persons=[PersonOut(name=p.name, role=p.role, href=p.href) for p in s.persons],
            episode_count=s.episode_count,
            hosted=s.feed_url is None,
            following=following,
            unplayed=unplayed,
            last_fetched_at=s.last_fetched_at,
            last_error=s.last_error,
        )


class ProgressOut(BaseModel):
    position_ms: int
    played: bool
    updated_at: datetime

    @classmethod
    def of(cls, p: Progress | None) -> ProgressOut | None:
        return (
            None
            if p is None
            else cls(position_ms=p.position_ms, played=p.played, updated_at=p.updated_at)
        )


class ChapterOut(BaseModel):
    start_ms: int
    title: str
    url: str | None


class CueOut(BaseModel):
    start_ms: int
    text: str
    speaker: str | None


class EpisodeOut(BaseModel):
    id: int
    show_id: int
    title: str
    description_html: str
    published_at: datetime | None
    duration_ms: int | None
    explicit: bool
    season: int | None
    number: int | None
    playable: bool
    audio: str = Field(description="pending, ready or refused")
    audio_error: str | None
    has_chapters: bool
    has_transcript: bool
    persons: list[PersonOut]
    progress: ProgressOut | None
    show_title: str | None = None

    @classmethod
    def of(cls, e: Episode, p: Progress | None, show: Show | None = None) -> EpisodeOut:
        return cls(
            id=e.id,
            show_id=e.show_id,
            title=e.title,
            description_html=e.description_html,
            published_at=e.published_at,
            duration_ms=e.duration_ms,
            explicit=e.explicit,
            season=e.season,
            number=e.number,
            playable=e.audio.value == "ready",
            audio=e.audio.value,
            audio_error=e.audio_error,
            has_chapters=bool(e.chapters),
            has_transcript=bool(e.transcript),
            persons=[PersonOut(name=x.name, role=x.role, href=x.href) for x in e.persons],
            progress=ProgressOut.of(p),
            show_title=show.title if show else None,
        )


class EpisodeDetailOut(EpisodeOut):
    show: ShowOut
    chapters: list[ChapterOut]
    transcript: list[CueOut]


class AddShowIn(RequestBody):
    feed_url: str = Field(min_length=8, max_length=MAX_FEED_URL)


class PositionIn(RequestBody):
    position_ms: int = Field(ge=0, le=48 * 3600 * 1000)
    device_id: str | None = Field(default=None, max_length=100)


class PlayedIn(RequestBody):
    played: bool = True


class EpisodeStreamIn(RequestBody):
    quality: Quality = Quality.NORMAL
    starting: bool = Field(default=True, description="False for a renewal: not counted again")


class EpisodeGrantOut(BaseModel):
    url: str
    quality: Quality
    expires: int
    gain_db: float
    duration_ms: int | None
    media_type: str


class YourEpisodesOut(CountedPage[EpisodeOut]):
    unplayed: dict[int, int] = Field(description="Per followed show id: episodes not played yet")


class FollowedShowOut(BaseModel):
    items: list[ShowOut]


@router.post("/shows", response_model=ShowOut, status_code=status.HTTP_201_CREATED)
def add_show(body: AddShowIn, session: CurrentSession, podcasts: PodcastsDep) -> ShowOut:
    """Add a show by its RSS feed (admins and podcasters). A feed that is hostile or broken is
    refused with its code (feed_entities_forbidden, feed_too_large, feed_address_private,
    enclosure_not_audio, feed_malformed, ...) and nothing is kept."""
    return ShowOut.of(podcasts.add_by(session.account_id, body.feed_url))


@router.get("/shows/{show_id}", response_model=ShowOut)
def get_show(show_id: Id, session: OptionalSession, listening: PodcastListeningDep) -> ShowOut:
    show, following, unplayed = listening.show(show_id, session.account_id if session else None)
    return ShowOut.of(show, following, unplayed)


@router.get("/shows/{show_id}/episodes", response_model=CountedPage[EpisodeOut])
def show_episodes(
    show_id: Id,
    session: OptionalSession,
    listening: PodcastListeningDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CountedPage[EpisodeOut]:
    """Newest first, each with where you stopped."""
    found, total = listening.episodes(
        show_id, session.account_id if session else None, limit, offset
    )
    items = [EpisodeOut.of(e, p) for e, p in found]
    return page_of(items, limit, offset, total, f"/api/v1/shows/{show_id}/episodes")


@router.get("/episodes/{episode_id}", response_model=EpisodeDetailOut)
def get_episode(
    episode_id: Id,
    session: OptionalSession,
    listening: PodcastListeningDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Only the transcript lines saying these words"),
    ] = None,
) -> EpisodeDetailOut:
    episode, show, progress = listening.episode(episode_id, session.account_id if session else None)
    cues = find_in_transcript(episode.transcript, q) if q else list(episode.transcript)
    return EpisodeDetailOut(
        **EpisodeOut.of(episode, progress, show).model_dump(),
        show=ShowOut.of(show),
        chapters=[
            ChapterOut(start_ms=c.start_ms, title=c.title, url=c.url) for c in episode.chapters
        ],
        transcript=[CueOut(start_ms=c.start_ms, text=c.text, speaker=c.speaker) for c in cues],
    )


@router.get("/me/shows", response_model=FollowedShowOut)
def followed_shows(session: CurrentSession, listening: PodcastListeningDep) -> FollowedShowOut:
    found = listening.followed(session.account_id)
    return FollowedShowOut(items=[ShowOut.of(s, True, u) for s, u in found])


@router.put("/me/shows", status_code=status.HTTP_204_NO_CONTENT)
def follow_shows(ids: IdList, session: CurrentSession, listening: PodcastListeningDep) -> Response:
    listening.follow(session.account_id, show_ids(ids))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/me/shows", status_code=status.HTTP_204_NO_CONTENT)
def unfollow_shows(
    ids: IdList, session: CurrentSession, listening: PodcastListeningDep
) -> Response:
    listening.unfollow(session.account_id, show_ids(ids))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/episodes", response_model=YourEpisodesOut)
def your_episodes(
    session: CurrentSession, listening: PodcastListeningDep, limit: Limit = 50, offset: Offset = 0
) -> YourEpisodesOut:
    """Your Episodes: new episodes of the shows you follow, newest first, the ones you have
    finished left out; with the unplayed count of each show."""
    found = listening.your_episodes(session.account_id, limit, offset)
    items = [EpisodeOut.of(e, p, found.shows.get(e.show_id)) for e, p in found.episodes]
    page = page_of(items, limit, offset, found.total, "/api/v1/me/episodes")
    return YourEpisodesOut(**page.model_dump(), unplayed=found.unplayed)


@router.put("/me/episodes/{episode_id}/position", response_model=ProgressOut)
def save_position(
    episode_id: Id, body: PositionIn, session: CurrentSession, listening: PodcastListeningDep
) -> ProgressOut:
    """Where you are in the episode: kept, and sent at once to your other devices (the event
    `episode_position` on /me/player/events)."""
    found = listening.set_position(session.account_id, episode_id, body.position_ms, body.device_id)
    out = ProgressOut.of(found)
    assert out is not None
    return out


@router.put("/me/episodes/{episode_id}/played", response_model=ProgressOut)
def mark_played(
    episode_id: Id, body: PlayedIn, session: CurrentSession, listening: PodcastListeningDep
) -> ProgressOut:
    out = ProgressOut.of(listening.mark_played(session.account_id, episode_id, body.played))
    assert out is not None
    return out


@router.post("/episodes/{episode_id}/stream", response_model=EpisodeGrantOut)
def episode_stream(
    episode_id: Id, body: EpisodeStreamIn, session: CurrentSession, listening: PodcastListeningDep
) -> EpisodeGrantOut:
    """A signed URL to the episode's audio, valid for a minute (renew it as you play). Free on
    every plan; a starting play is counted as a podcast play, never as a music stream."""
    grant = listening.stream(session.account_id, episode_id, body.quality, body.starting)
    return EpisodeGrantOut(
        url=grant.url,
        quality=grant.quality,
        expires=grant.expires,
        gain_db=grant.gain_db,
        duration_ms=grant.duration_ms,
        media_type=grant.media_type,
    )


@router.get("/episode-audio/{name}", response_class=FileResponse)
def episode_audio(
    name: Annotated[str, Path(max_length=80)],
    listening: PodcastListeningDep,
    blobs: BlobsDep,
    play: Annotated[str | None, Query(max_length=60)] = None,
    expires: Annotated[str | None, Query(max_length=20)] = None,
    sig: Annotated[str | None, Query(max_length=40)] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The audio an episode grant names: exact length, byte ranges, ETag."""
    granted = listening.check(name, play, expires, sig)
    return audio_answer(
        blobs,
        granted.blob,
        "audio/ogg",
        f"episode-{granted.episode_id}.opus",
        if_none_match,
        on_sent=lambda n: None,
    )
