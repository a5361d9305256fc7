"""The audio a stream grant names, answered ahead of FastAPI's routing.

`GET /api/v1/audio/{blob}.{ext}?play=...&expires=...&sig=...` needs no database and no login:
the grant's signature and expiry are the whole check (services/stream_grants.py). It is also the request a listening client makes most (a range every few
seconds per listener), so the middleware here answers it before FastAPI's routing, dependency
injection and other middleware, which cost more than the grant check and the file read
together. The FastAPI route (api/routes/stream.py) answers with the same function, and
documents the endpoint in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from cadenza.api.audio_path import PREFIX, takes
from cadenza.api.errors import error_response
from cadenza.api.quick_range import answer_range, one_range
from cadenza.api.stored_blob import asked_bytes, stored_blob_response
from cadenza.config import Settings
from cadenza.domain.errors import CadenzaError
from cadenza.ports.blobs import BlobStore
from cadenza.services.rip_watch import RipWatch
from cadenza.services.stream_grants import AUDIO_PATH, GrantedFile, StreamGrants

if TYPE_CHECKING:
    from cadenza.bootstrap import App

if PREFIX != AUDIO_PATH:  # the fast path's gate (api/audio_path.py) and the grants agree
    raise RuntimeError(f"api/audio_path.py's PREFIX must be {AUDIO_PATH}")


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
    redirect_seconds: int | None = None,
) -> Response:
    """A stored audio file: exact length, byte ranges, ETag (its digest), If-None-Match; the
    bytes it really sent go to `on_sent` (the rip watch). `redirect_seconds`: a blob in a
    remote store is answered by a presigned URL valid that long (api/stored_blob.py)."""
    etag = f'"{blob}"'
    headers = {"etag": etag, "cache-control": "private, max-age=86400", **(extra or {})}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return stored_blob_response(
        blobs,
        blob,
        media_type,
        headers,
        filename=filename,
        on_sent=on_sent,
        redirect_seconds=redirect_seconds,
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
    grant = checked_grant(files, path, play, expires, sig)
    return answer_for(files, grant, if_none_match, range_header)


def checked_grant(
    files: AudioFiles, path: str, play: str | None, expires: str | None, sig: str | None
) -> GrantedFile:
    """The file the URL grants, once its signature, its expiry and the account's pace allow
    it (404 stream_not_found, 403 grant_expired, 429 stream_throttled)."""
    grant = files.grants.check(path, play, expires, sig)
    files.rip_watch.admit(grant.account_id, grant.issued_at)  # 429 stream_throttled if outrun
    return grant


def file_name(grant: GrantedFile) -> str:
    return f"{grant.track_id}-{grant.quality.value}.{grant.extension}"


def answer_for(
    files: AudioFiles, grant: GrantedFile, if_none_match: str | None, range_header: str | None
) -> Response:
    name = file_name(grant)
    size = blob_size(files.blobs, grant.blob)
    counted = files.rip_watch.counter(
        grant.account_id, grant.track_id, grant.quality, size, grant.duration_ms
    )
    accel = files.settings.accel_redirect
    if accel is not None:  # nginx sends the bytes: count what was asked for
        counted(asked_bytes(range_header, size))
        return Response(
            media_type=grant.media_type,
            headers={
                "x-accel-redirect": accel + files.blobs.relative_path(grant.blob),
                "content-disposition": f'inline; filename="{name}"',
                "cache-control": "private, max-age=86400",
            },
        )
    return audio_answer(
        files.blobs,
        grant.blob,
        grant.media_type,
        name,
        if_none_match,
        on_sent=counted,
        redirect_seconds=redirect_seconds(files.settings),
    )


def redirect_seconds(settings: Settings) -> int | None:
    """How long a presigned URL to a stream's audio lives; None: the bytes go through us."""
    if settings.blob_url and settings.s3_delivery == "redirect":
        return settings.s3_presign_seconds
    return None


def blob_size(blobs: BlobStore, blob: str) -> int:
    return blobs.size(blob) or 0  # the response answers for a missing file


class GrantedAudioFastPath:
    """GET and HEAD of /api/v1/audio/{blob}.{ext}, answered before FastAPI sees the request
    (the app's own `__call__` asks `takes` first: api/app.py)."""

    def __init__(self, files: Callable[[], AudioFiles]) -> None:
        self.files = files
        self._files: AudioFiles | None = None  # made on the first request: services are lazy

    takes = staticmethod(takes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        files = self._files = self._files or self.files()
        raw = _raw_headers(scope)
        query = _query(scope.get("query_string", b""))
        try:
            grant = checked_grant(
                files, scope["path"], query.get("play"), query.get("expires"), query.get("sig")
            )
            wanted = None
            if (
                scope["method"] == "GET"
                and files.settings.accel_redirect is None
                and b"if-range" not in raw
                and b"if-none-match" not in raw
                and b"range" in raw
            ):
                wanted = one_range(raw[b"range"])
            if wanted is not None and await answer_range(
                send,
                grant.blob,
                files.blobs.local_path,
                grant.media_type,
                file_name(grant),
                wanted,
                _meter(files, grant),
            ):
                return
            headers = Headers(scope=scope)
            response = answer_for(files, grant, headers.get("if-none-match"), headers.get("range"))
        except CadenzaError as exc:
            response = error_response(exc)
        await response(scope, receive, send)


def _raw_headers(scope: Scope) -> dict[bytes, bytes]:
    """The request's headers this path looks at (the first of each, as Headers.get)."""
    found: dict[bytes, bytes] = {}
    for key, value in scope["headers"]:
        if key in _LOOKED_AT and key not in found:
            found[key] = value
    return found


_LOOKED_AT = frozenset((b"range", b"if-range", b"if-none-match"))


def _query(query_string: bytes) -> dict[str, str]:
    """play, expires and sig; the last of each, as QueryParams.get. Anything escaped goes
    through the full parser."""
    if b"%" in query_string or b"+" in query_string:
        return dict(QueryParams(query_string))
    found: dict[str, str] = {}
    for part in query_string.split(b"&"):
        key, _, value = part.partition(b"=")
        if key in _QUERY_KEYS:
            found[key.decode()] = value.decode("latin-1")
    return found


_QUERY_KEYS = frozenset((b"play", b"expires", b"sig"))


def _meter(files: AudioFiles, grant: GrantedFile) -> Callable[[int, int], None]:
    """The rip watch hears what a quick range sent (bytes, of the file's size)."""
    key = (grant.track_id, grant.quality.value)
    duration_s = grant.duration_ms / 1000
    streamed = files.rip_watch.streamed

    def sent(length: int, size: int) -> None:
        streamed(grant.account_id, key, length, size, duration_s)

    return sent


def audio_files_of(app: App) -> AudioFiles:
    return AudioFiles(app.stream_grants, app.rip_watch, app.blobs, app.settings)
