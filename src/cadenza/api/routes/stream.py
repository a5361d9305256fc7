"""A track's audio: exact length, byte ranges, ETag; never read into memory.

Two ways in: a stream grant (`POST /me/player/stream-grants`, then the signed `/audio/...` URL,
served without a database lookup), or `GET /tracks/{id}/stream` with the access token.
With CADENZA_ACCEL_REDIRECT set, a grant's audio is sent by the front nginx: Cadenza checks the
grant and answers with `X-Accel-Redirect` to the blob and no body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from cadenza.api.deps import (
    AdBreaksDep,
    AudioFilesDep,
    BlobsDep,
    CatalogDep,
    ClockDep,
    CurrentSession,
    EntitlementsDep,
    Id,
    RipWatchDep,
    StreamGrantsDep,
    SubscriptionsDep,
)
from cadenza.api.granted_audio import audio_answer, granted_audio_answer
from cadenza.domain.audio import Quality
from cadenza.domain.catalog import Viewer
from cadenza.domain.entitlements import Listening, require
from cadenza.services.stream_grants import StreamGrant

router = APIRouter(prefix="/api/v1", tags=["streaming"])

AUDIO_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"audio/ogg": {}, "audio/flac": {}}},
    206: {"description": "Partial content for a Range request"},
    304: {"description": "Not modified (If-None-Match)"},
    416: {"description": "Range not satisfiable"},
}


class GrantIn(BaseModel):
    track_id: int = Field(ge=1, le=2_147_483_647)
    quality: Quality = Quality.HIGH


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
            url=f"/api/v1/audio/{grant.token}",
            expires_at=datetime.fromtimestamp(grant.expires, UTC),
            track_id=grant.track_id,
            quality=grant.quality,
            media_type=grant.media_type,
            gain_db=grant.gain_db,
            duration_ms=grant.duration_ms,
        )


@router.post("/me/player/stream-grants", response_model=GrantOut)
def stream_grant(
    body: GrantIn, session: CurrentSession, stream_grants: StreamGrantsDep
) -> GrantOut:
    """A signed URL for this track at this quality, as the plan allows; ask ahead (when 30 s
    remain) for the next track so playback is gapless."""
    return GrantOut.of(stream_grants.grant(session.account_id, body.track_id, body.quality))


@router.get("/audio/{token}", response_class=FileResponse, responses=AUDIO_RESPONSES)
async def granted_audio(
    token: Annotated[str, Path(max_length=600)],
    files: AudioFilesDep,
    if_none_match: Annotated[str | None, Header()] = None,
    range: Annotated[str | None, Header()] = None,
) -> Response:
    """The audio a stream grant names: its signature and expiry are the whole check, and the
    account's pace (429 `stream_throttled` with Retry-After once it has outrun real time). Carries
    the grant's normalisation gain as `X-Cadenza-Gain-Db`; behind nginx with
    CADENZA_ACCEL_REDIRECT set, answers with `X-Accel-Redirect` and no body. (Answered by
    api/granted_audio.py's middleware ahead of FastAPI's routing, with the same function.)"""
    return granted_audio_answer(files, token, if_none_match, range)


@router.get(
    "/tracks/{track_id}/stream",
    response_class=FileResponse,
    responses={
        **AUDIO_RESPONSES,
        401: {"description": "Not signed in"},
        403: {"description": "Not in the listener's plan (quality_not_in_plan, ...)"},
    },
)
def stream(
    track_id: Id,
    blobs: BlobsDep,
    subscriptions: SubscriptionsDep,
    rip_watch: RipWatchDep,
    ads: AdBreaksDep,
    catalog: CatalogDep,
    clock: ClockDep,
    entitlements: EntitlementsDep,
    session: CurrentSession,
    quality: Annotated[Quality, Query()] = Quality.HIGH,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A track's audio for a signed-in listener, within what the listener's plan allows
    (Free and Plus up to high; explicit tracks refused where the plan's manager said so)."""
    listener = subscriptions.listener(session.account_id)
    rip_watch.admit(session.account_id, clock.now())  # 429 stream_throttled when outrun
    ads.hold_for_ads(session.account_id)  # 403 ad_break_due until the break has played
    viewer = Viewer(country=listener.country, now=clock.now())
    playable = catalog.playable(track_id, quality, viewer)
    require(entitlements.stream(listener, Listening(), quality, explicit=playable.explicit))
    name = f"{track_id}-{quality.value}.{quality.extension}"
    counted = rip_watch.counter(
        session.account_id, track_id, quality, playable.size, playable.duration_ms
    )
    return audio_answer(
        blobs, playable.blob, playable.media_type, name, if_none_match, on_sent=counted
    )
