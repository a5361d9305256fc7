"""Remote control of an episode: the playing device says what it plays; another page of the
account pauses, plays, seeks or changes its speed (events on /me/player/stream and socket)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import Field

from cadenza.api.deps import CurrentSession, EpisodeRemoteDep
from cadenza.api.request_body import RequestBody
from cadenza.services.episode_remote import EpisodeCommand, EpisodePlayback

router = APIRouter(prefix="/api/v1", tags=["podcasts"])
MAX_MS = 48 * 3600 * 1000


class EpisodeStateIn(RequestBody):
    episode_id: int = Field(ge=1, le=2**31 - 1)
    device_id: str = Field(min_length=1, max_length=100)
    position_ms: int = Field(ge=0, le=MAX_MS)
    playing: bool
    speed: float = Field(default=1.0, ge=0.5, le=3.0)


class EpisodeCommandIn(RequestBody):
    episode_id: int = Field(ge=1, le=2**31 - 1)
    device_id: str = Field(min_length=1, max_length=100, description="The device playing it")
    action: Literal["play", "pause", "seek", "speed"]
    position_ms: int | None = Field(default=None, ge=0, le=MAX_MS)
    speed: float | None = Field(default=None, ge=0.5, le=3.0)
    from_device_id: str | None = Field(default=None, max_length=100)


@router.put("/me/episode-player", status_code=status.HTTP_204_NO_CONTENT)
def episode_playing(
    body: EpisodeStateIn, session: CurrentSession, remote: EpisodeRemoteDep
) -> Response:
    """This device plays (or paused) an episode: `episode_state` to every device of yours."""
    playback = EpisodePlayback(
        body.episode_id, body.device_id, body.position_ms, body.playing, body.speed
    )
    remote.playing(session.account_id, playback)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/episode-player/commands", status_code=status.HTTP_204_NO_CONTENT)
def episode_command(
    body: EpisodeCommandIn, session: CurrentSession, remote: EpisodeRemoteDep
) -> Response:
    """Pause, play, seek or change the speed of the episode another device of yours plays
    (`episode_command` to that device only)."""
    command = EpisodeCommand(
        body.episode_id, body.device_id, body.action, body.position_ms, body.speed
    )
    remote.command(session.account_id, command, body.from_device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
