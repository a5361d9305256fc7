"""Hosted shows (like Spotify for Podcasters): create a show, upload episodes, see the
dashboard; and the show's public RSS feed and audio, for other podcast apps."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Response, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from cadenza.api.deps import BlobsDep, CurrentSession, Id, PodcastHostingDep, SettingsDep
from cadenza.api.granted_audio import audio_answer
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.podcasts import EpisodeOut, ShowOut
from cadenza.domain.catalog import as_utc
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.podcasts import MAX_CHAPTERS, MAX_DESCRIPTION, MAX_TITLE, Chapter

router = APIRouter(tags=["podcaster"])
UPLOAD_CHUNK = 1 << 20


class NewShowIn(RequestBody):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    language: str = Field(default="en", max_length=20)
    explicit: bool = False
    category: str = Field(default="", max_length=100)


class HostedShowOut(ShowOut):
    feed: str = Field(description="The public RSS feed other podcast apps subscribe to")


class EpisodeFiguresOut(BaseModel):
    episode_id: int
    title: str
    plays: int
    listeners: int
    completion: list[float] = Field(
        description="Per tenth of the episode: share of listeners past it"
    )


class DashboardOut(BaseModel):
    show: HostedShowOut
    plays: int
    listeners: int
    episodes: list[EpisodeFiguresOut]


def _hosted(show: object, base: str) -> HostedShowOut:
    out = ShowOut.of(show)  # type: ignore[arg-type]
    return HostedShowOut(**out.model_dump(), feed=f"{base}/podcasts/{out.id}/feed.xml")


@router.post(
    "/api/v1/podcaster/shows", response_model=HostedShowOut, status_code=status.HTTP_201_CREATED
)
def create_show(
    body: NewShowIn, session: CurrentSession, hosting: PodcastHostingDep, settings: SettingsDep
) -> HostedShowOut:
    show = hosting.create_show(
        session.account_id,
        body.title,
        body.description,
        body.language,
        body.explicit,
        body.category,
    )
    return _hosted(show, settings.public_url)


@router.get("/api/v1/podcaster/shows", response_model=list[HostedShowOut])
def my_shows(
    session: CurrentSession, hosting: PodcastHostingDep, settings: SettingsDep
) -> list[HostedShowOut]:
    return [
        _hosted(s, settings.public_url)
        for s in hosting.shows(session.account_id)
        if s.feed_url is None
    ]


@router.post(
    "/api/v1/podcaster/shows/{show_id}/episodes",
    response_model=EpisodeOut,
    status_code=status.HTTP_201_CREATED,
)
def upload_episode(
    show_id: Id,
    session: CurrentSession,
    hosting: PodcastHostingDep,
    settings: SettingsDep,
    audio: Annotated[
        UploadFile, File(description="The episode's audio (any format the ingest takes)")
    ],
    title: Annotated[str, Form(min_length=1, max_length=MAX_TITLE)],
    notes: Annotated[str, Form(max_length=MAX_DESCRIPTION)] = "",
    chapters: Annotated[
        str, Form(max_length=100_000, description='JSON: [{"start_ms": 0, "title": "Intro"}]')
    ] = "[]",
    publish_at: Annotated[
        datetime | None, Form(description="When it is listed (now without)")
    ] = None,
    season: Annotated[int | None, Form(ge=1, le=9999)] = None,
    number: Annotated[int | None, Form(ge=1, le=99999)] = None,
) -> EpisodeOut:
    """Upload an episode: validated and put on the Opus ladder now (a file that is not audio is
    refused: episode_not_audio); listed, and in the RSS feed, from `publish_at`."""
    marks = _chapters(chapters)
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.work_dir) as folder:
        source = Path(folder) / "upload"
        with source.open("wb") as out:
            shutil.copyfileobj(audio.file, out, UPLOAD_CHUNK)
        when = as_utc(publish_at) if publish_at else None
        episode = hosting.upload(
            session.account_id, show_id, source, title, notes, marks, when, season, number
        )
    return EpisodeOut.of(episode, None)


@router.get("/api/v1/podcaster/shows/{show_id}/dashboard", response_model=DashboardOut)
def dashboard(
    show_id: Id, session: CurrentSession, hosting: PodcastHostingDep, settings: SettingsDep
) -> DashboardOut:
    """Plays, listeners, and the completion curve of each episode."""
    found = hosting.dashboard(session.account_id, show_id)
    return DashboardOut(
        show=_hosted(found.show, settings.public_url),
        plays=found.plays,
        listeners=found.listeners,
        episodes=[
            EpisodeFiguresOut(
                episode_id=e.episode_id,
                title=e.title,
                plays=e.plays,
                listeners=e.listeners,
                completion=e.completion,
            )
            for e in found.episodes
        ],
    )


@router.get("/podcasts/{show_id}/feed.xml", response_class=Response)
def hosted_feed(show_id: Id, hosting: PodcastHostingDep, settings: SettingsDep) -> Response:
    """The hosted show's RSS 2.0 feed (iTunes and Podcasting 2.0 namespaces), public."""
    return Response(
        hosting.feed(show_id, settings.public_url.rstrip("/")),
        media_type="application/rss+xml",
        headers={"cache-control": "public, max-age=300"},
    )


@router.get("/podcasts/{show_id}/audio/{episode_id}.opus", response_class=FileResponse)
def hosted_audio(
    show_id: Id,
    episode_id: Id,
    hosting: PodcastHostingDep,
    blobs: BlobsDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A published episode's audio for other podcast apps (96 kbit/s Opus, byte ranges)."""
    blob = hosting.public_audio(show_id, episode_id)
    return audio_answer(
        blobs,
        blob,
        "audio/ogg",
        f"episode-{episode_id}.opus",
        if_none_match,
        on_sent=lambda n: None,
    )


def _chapters(raw: str) -> tuple[Chapter, ...]:
    try:
        found = json.loads(raw or "[]")
        if not isinstance(found, list) or len(found) > MAX_CHAPTERS:
            raise ValueError("not a list")
        marks = [Chapter(int(c["start_ms"]), str(c["title"])[:300]) for c in found]
    except (ValueError, KeyError, TypeError):
        raise InvalidRequest(
            'chapters are JSON: [{"start_ms": 0, "title": "Intro"}, ...]', code="invalid_chapters"
        ) from None
    if any(c.start_ms < 0 for c in marks):
        raise InvalidRequest("a chapter starts at 0 ms or later", code="invalid_chapters")
    return tuple(sorted(marks, key=lambda c: c.start_ms))
