"""The audio a stream grant names, answered ahead of FastAPI's routing.

`GET /api/v1/audio/{blob}.{ext}?play=...&expires=...&sig=...` needs no database and no login:
the grant's signature and expiry are the whole check (services/stream_grants.py). It is also the request a listening client makes most (a range every few
seconds per listener), so the middleware here answers it before FastAPI's routing, dependency
injection and other middleware, which cost more than the grant check and the file read
together. The FastAPI route (api/routes/stream.py) answers with the same function, and
documents the endpoint in the OpenAPI schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from cadenza.api.errors import error_response
from cadenza.api.metered import MeteredFileResponse
from cadenza.config import Settings
from cadenza.domain.errors import CadenzaError
from cadenza.ports.blobs import BlobStore
from cadenza.services.rip_watch import RipWatch
from cadenza.services.stream_grants import AUDIO_PATH, StreamGrants

PREFIX = AUDIO_PATH
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class AudioFiles:
    """What answering with a grant's audio needs: the grant's check, the account's pace, the
    stored files, and the settings (the front nginx's location when it sends the bytes)."""

    grants: StreamGrants
    rip_watch: RipWatch
    blobs: BlobStore
    settings: Settings


def audio_answer(
    blobs: BlobStore,
    blob: str,
    media_type: str,
    filename: str,
    if_none_match: str | None,
    extra: dict[str, str] | None = None,
    *,
    on_sent: Callable[[int], None],
) -> Response:
    """A stored audio file: exact length, byte ranges, ETag (its digest), If-None-Match; the
    bytes it really sent go to `on_sent` (the rip watch)."""
    etag = f'"{blob}"'
    headers = {"etag": etag, "cache-control": "private, max-age=86400", **(extra or {})}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return MeteredFileResponse(
        blobs.path_of(blob),
        media_type=media_type,
        headers=headers,
        filename=filename,
        content_disposition_type="inline",
        on_sent=on_sent,
    )


def granted_audio_answer(
    files: AudioFiles,
    path: str,
    play: str | None,
    expires: str | None,
    sig: str | None,
    if_none_match: str | None,
    range_header: str | None = None,
) -> Response:
    """The grant's audio, or with CADENZA_ACCEL_REDIRECT set, `X-Accel-Redirect` to its blob
    and no body (the front nginx sends the bytes). Raises the grant's refusal
    (stream_not_found, grant_expired)."""
    grant = files.grants.check(path, play, expires, sig)
    files.rip_watch.admit(grant.account_id, grant.issued_at)  # 429 stream_throttled if outrun
    name = f"{grant.track_id}-{grant.quality.value}.{grant.extension}"
    size = blob_size(files.blobs, grant.blob)
    counted = files.rip_watch.counter(
        grant.account_id, grant.track_id, grant.quality, size, grant.duration_ms
    )
    accel = files.settings.accel_redirect
    if accel is not None:  # nginx sends the bytes: count what was asked for
        counted(_asked(range_header, size))
        return Response(
            media_type=grant.media_type,
            headers={
                "x-accel-redirect": accel + files.blobs.relative_path(grant.blob),
                "content-disposition": f'inline; filename="{name}"',
                "cache-control": "private, max-age=86400",
            },
        )
    return audio_answer(
        files.blobs, grant.blob, grant.media_type, name, if_none_match, on_sent=counted
    )


def blob_size(blobs: BlobStore, blob: str) -> int:
    try:
        return blobs.path_of(blob).stat().st_size
    except OSError:  # the response answers for a missing file
        return 0


_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def _asked(range_header: str | None, size: int) -> int:
    """The bytes a request asks for: one range, or the whole file."""
    found = _RANGE.match(range_header or "")
    if found is None or not (found[1] or found[2]):
        return size
    if not found[1]:  # the last N bytes
        return min(int(found[2]), size)
    start = int(found[1])
    end = min(int(found[2]), size - 1) if found[2] else size - 1
    return max(0, end - start + 1)


class GrantedAudioFastPath:
    """GET and HEAD of /api/v1/audio/{blob}.{ext}; everything else goes on to FastAPI."""

    def __init__(self, app: ASGIApp, files: Callable[[], AudioFiles]) -> None:
        self.app, self.files = app, files
        self._files: AudioFiles | None = None  # made on the first request: services are lazy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        name = path[len(PREFIX) :]
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not path.startswith(PREFIX)
            or not name
            or "/" in name
            or len(name) > MAX_NAME_CHARS
        ):
            await self.app(scope, receive, send)
            return
        try:
            headers = Headers(scope=scope)
            self._files = self._files or self.files()
            query = QueryParams(scope.get("query_string", b""))
            response = granted_audio_answer(
                self._files,
                path,
                query.get("play"),
                query.get("expires"),
                query.get("sig"),
                headers.get("if-none-match"),
                headers.get("range"),
            )
        except CadenzaError as exc:
            response = error_response(exc)
        await response(scope, receive, send)
