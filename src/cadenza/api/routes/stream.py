"""GET a track's audio: exact length, byte ranges, ETag; never read into memory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import FileResponse

from cadenza.api.deps import AppDep, CurrentSession, Id
from cadenza.domain.audio import Quality
from cadenza.domain.catalog import Viewer
from cadenza.domain.entitlements import Listening, require

router = APIRouter(prefix="/api/v1", tags=["streaming"])


@router.get(
    "/tracks/{track_id}/stream",
    response_class=FileResponse,
    responses={
        200: {"content": {"audio/ogg": {}, "audio/flac": {}}},
        206: {"description": "Partial content for a Range request"},
        304: {"description": "Not modified (If-None-Match)"},
        401: {"description": "Not signed in"},
        403: {"description": "Not in the listener's plan (quality_not_in_plan, ...)"},
        416: {"description": "Range not satisfiable"},
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
    viewer = Viewer(country=listener.country, now=app.clock.now())
    playable = app.catalog.playable(track_id, quality, viewer)
    require(app.entitlements.stream(listener, Listening(), quality, explicit=playable.explicit))
    etag = f'"{playable.blob}"'
    headers = {"etag": etag, "cache-control": "private, max-age=86400"}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return FileResponse(
        app.blobs.path_of(playable.blob),
        media_type=playable.media_type,
        headers=headers,
        filename=f"{track_id}-{quality.value}.{quality.extension}",
        content_disposition_type="inline",
    )
