"""A track's audio: exact length, byte ranges, ETag; never read into memory.

Two ways in: a stream grant (`POST /me/player/stream-grants`, then the signed `/audio/...` URL,
valid a minute and served without a database lookup), or `GET /tracks/{id}/stream` with the
access token. Both are authorized by one service (services/stream_access.py). With
CADENZA_ACCEL_REDIRECT set, a grant's audio is sent by the front nginx: Cadenza checks the grant
and answers with `X-Accel-Redirect` to the blob and no body; or nginx checks the grant itself
(secure_link, docs/nginx-accel.conf) and Cadenza never sees the range requests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from cadenza.api.audio_path import PREFIX
from cadenza.api.deps import (
    AudioFilesDep,
    BlobsDep,
    CurrentSession,
    Id,
    RipWatchDep,
    StreamAccessDep,
)
from cadenza.api.granted_audio import audio_answer, blob_size, granted_audio_answer
from cadenza.api.request_body import RequestBody
from cadenza.domain.audio import Quality
from cadenza.services.stream_grants import StreamGrant

router = APIRouter(prefix="/api/v1", tags=["streaming"])

AUDIO_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"audio/ogg": {}, "audio/flac": {}}},
    206: {"description": "Partial content for a Range request"},
    304: {"description": "Not modified (If-None-Match)"},
    416: {"description": "Range not satisfiable"},
}


class GrantIn(RequestBody):
    track_id: int = Field(ge=1, le=2_147_483_647)
    quality: Quality | None = Field(
        None, description="Omitted: the plan's best lossy quality (very_high, or high)"
    )
    device_id: str = Field(
        min_length=1,
        max_length=32,
        description="This session's device that plays (POST /me/devices)",
    )


class GrantOut(BaseModel):
    url: str
    expires_at: datetime
    track_id: int
    quality: Quality
    media_type: str
    gain_db: float = Field(description="Normalisation gain to -14 LUFS, peak-limited")
    duration_ms: int

    @classmethod
    def of(cls, grant: StreamGrant) -> GrantOut:
        return cls(
            url=grant.url,
            expires_at=datetime.fromtimestamp(grant.expires, UTC),
            track_id=grant.track_id,
            quality=grant.quality,
            media_type=grant.media_type,
            gain_db=grant.gain_db,
            duration_ms=grant.duration_ms,
        )


@router.post(
    "/me/player/stream-grants",
    response_model=GrantOut,
    responses={
        403: {"description": "Refused by the plan (quality_not_in_plan, ...), device_not_yours"},
        404: {"description": "No such track or device (device_not_found)"},
        409: {"description": "The account plays on another device (device_not_active)"},
    },
)
def stream_grant(
    body: GrantIn, session: CurrentSession, stream_access: StreamAccessDep
) -> GrantOut:
    """A signed URL for this track at this quality on this device, valid for one minute: renew
    it as the track plays (every ~40 s), and ask ahead (when 30 s remain) for the next track so
    playback is gapless. Refused once the session ended, the plan no longer allows it, the
    device was forgotten, or the account plays on another device (`device_not_active`)."""
    grant = stream_access.grant(
        session.account_id, session.session_id, body.device_id, body.track_id, body.quality
    )
    return GrantOut.of(grant)


@router.get(
    "/audio/{name}",
    response_class=FileResponse,
    responses={
        **AUDIO_RESPONSES,
        403: {"description": "The grant has expired (grant_expired): ask for a fresh one"},
        404: {"description": "No such stream (a bad signature)"},
    },
)
async def granted_audio(
    name: Annotated[str, Path(max_length=80, description="The audio's content: {blob}.{ext}")],
    files: AudioFilesDep,
    play: Annotated[str | None, Query(max_length=200)] = None,
    expires: Annotated[str | None, Query(max_length=20)] = None,
    sig: Annotated[str | None, Query(max_length=40)] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    range: Annotated[str | None, Header()] = None,
) -> Response:
    """The audio a stream grant names: its signature and expiry are the whole check, and the
    account's pace (429 `stream_throttled` with Retry-After once it has outrun real time).
    Behind nginx with CADENZA_ACCEL_REDIRECT set, answers with `X-Accel-Redirect` and no body.
    (Answered by api/granted_audio.py's middleware ahead of FastAPI's routing, with the same
    function.)"""
    return granted_audio_answer(files, PREFIX + name, play, expires, sig, if_none_match, range)


@router.get(
    "/tracks/{track_id}/stream",
    response_class=FileResponse,
    responses={
        **AUDIO_RESPONSES,
        401: {"description": "Not signed in"},
        403: {"description": "Not in the listener's plan (quality_not_in_plan, ...)"},
        409: {"description": "The account plays on another device (device_not_active)"},
    },
)
def stream(
    track_id: Id,
    blobs: BlobsDep,
    rip_watch: RipWatchDep,
    stream_access: StreamAccessDep,
    session: CurrentSession,
    quality: Annotated[Quality | None, Query()] = None,
    device_id: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A track's audio for a signed-in listener, within what the listener's plan allows
    (Free and Plus up to high; explicit tracks refused where the plan's manager said so), on
    the device that plays (`device_not_active` while the account plays on another session's
    device). Checked in full on every request."""
    grant = stream_access.direct(
        session.account_id, session.session_id, track_id, quality, device_id
    )
    name = f"{track_id}-{grant.quality.value}.{grant.quality.extension}"
    size = blob_size(blobs, grant.blob)
    counted = rip_watch.counter(
        session.account_id, track_id, grant.quality, size, grant.duration_ms
    )
    return audio_answer(blobs, grant.blob, grant.media_type, name, if_none_match, on_sent=counted)
