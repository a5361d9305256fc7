"""GET a track's audio: exact length, byte ranges, ETag; never read into memory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import FileResponse

from cadenza.api.deps import AppDep, Id, OptionalSession, ViewerDep
from cadenza.domain.audio import Quality

router = APIRouter(prefix="/api/v1", tags=["streaming"])


@router.get(
    "/tracks/{track_id}/stream",
    response_class=FileResponse,
    responses={
        200: {"content": {"audio/ogg": {}, "audio/flac": {}}},
        206: {"description": "Partial content for a Range request"},
        304: {"description": "Not modified (If-None-Match)"},
        416: {"description": "Range not satisfiable"},
    },
)
def stream(
    track_id: Id,
    app: AppDep,
    viewer: ViewerDep,
    session: OptionalSession,
    quality: Annotated[Quality, Query()] = Quality.HIGH,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    if session is not None:
        app.ads.hold_for_ads(session.account_id)  # 403 ad_break_due until the break has played
    playable = app.catalog.playable(track_id, quality, viewer)
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
