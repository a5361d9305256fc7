"""A track's audio: exact length, byte ranges, ETag; never read into memory.

Two ways in: a stream grant (`POST /me/player/stream-grants`, then the signed `/audio/...` URL,
served without a database lookup), or `GET /tracks/{id}/stream` with the access token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from cadenza.api.deps import AppDep, CurrentSession, Id
from cadenza.api.metered import MeteredFileResponse
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


def _audio(
    app: AppDep,
    blob: str,
    media_type: str,
    filename: str,
    if_none_match: str | None,
    on_sent: Callable[[int], None],
) -> Response:
    etag = f'"{blob}"'
    headers = {"etag": etag, "cache-control": "private, max-age=86400"}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return MeteredFileResponse(
        app.blobs.path_of(blob),
        media_type=media_type,
        headers=headers,
        filename=filename,
        content_disposition_type="inline",
        on_sent=on_sent,
    )


def file_size(app: AppDep, blob: str) -> int:
    try:
        return app.blobs.path_of(blob).stat().st_size
    except OSError:  # FileResponse answers for a missing file
        return 0


def _streamed(
    app: AppDep,
    account_id: int,
    track_id: int,
    quality: Quality,
    size: int,
    duration_ms: int,
) -> Callable[[int], None]:
    """What the rip watch counts once the response has gone out."""
    key = (track_id, quality.value)
    return lambda sent: app.rip_watch.streamed(account_id, key, sent, size, duration_ms / 1000)


@router.post("/me/player/stream-grants", response_model=GrantOut)
def stream_grant(body: GrantIn, session: CurrentSession, app: AppDep) -> GrantOut:
    """A signed URL for this track at this quality, as the plan allows; ask ahead (when 30 s
    remain) for the next track so playback is gapless."""
    return GrantOut.of(app.stream_grants.grant(session.account_id, body.track_id, body.quality))


@router.get("/audio/{token}", response_class=FileResponse, responses=AUDIO_RESPONSES)
def granted_audio(
    token: Annotated[str, Path(max_length=600)],
    app: AppDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The audio a stream grant names: its signature and expiry are the whole check, and the
    account's pace (429 `stream_throttled` with Retry-After once it has outrun real time)."""
    grant = app.stream_grants.check(token)
    app.rip_watch.admit(grant.account_id, grant.issued_at)
    name = f"{grant.track_id}-{grant.quality.value}.{grant.quality.extension}"
    size = file_size(app, grant.blob)
    counted = _streamed(
        app, grant.account_id, grant.track_id, grant.quality, size, grant.duration_ms
    )
    return _audio(app, grant.blob, grant.media_type, name, if_none_match, counted)


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
    app: AppDep,
    session: CurrentSession,
    quality: Annotated[Quality, Query()] = Quality.HIGH,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """A track's audio for a signed-in listener, within what the listener's plan allows
    (Free and Plus up to high; explicit tracks refused where the plan's manager said so)."""
    listener = app.subscriptions.listener(session.account_id)
    app.rip_watch.admit(session.account_id, app.clock.now())
    app.ads.hold_for_ads(session.account_id)  # 403 ad_break_due until the break has played
    viewer = Viewer(country=listener.country, now=app.clock.now())
    playable = app.catalog.playable(track_id, quality, viewer)
    require(app.entitlements.stream(listener, Listening(), quality, explicit=playable.explicit))
    name = f"{track_id}-{quality.value}.{quality.extension}"
    counted = _streamed(
        app,
        session.account_id,
        track_id,
        quality,
        playable.size,
        playable.duration_ms,
    )
    return _audio(app, playable.blob, playable.media_type, name, if_none_match, counted)
