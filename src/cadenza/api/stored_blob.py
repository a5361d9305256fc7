"""A stored blob as an HTTP answer, wherever the store keeps it.

A local store's file goes out as a file response (sendfile, byte ranges, the quick range of
api/audio_file.py). A blob in an S3-compatible store is either sent through Cadenza, a range
at a time from the store (`proxy`: exact length, one byte range, HEAD, 416, the same ETag), or,
for audio with CADENZA_S3_DELIVERY=redirect, answered with a 307 to a presigned URL valid a few
minutes (the grant's check has been made; the URL is as short-lived as a grant), so the bytes
flow from the store to the listener."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from anyio import to_thread
from starlette.concurrency import iterate_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from cadenza.api.metered import MeteredFileResponse
from cadenza.ports.blobs import BlobStore

_ONE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def stored_blob_response(
    blobs: BlobStore,
    digest: str,
    media_type: str,
    headers: dict[str, str],
    *,
    filename: str | None = None,
    on_sent: Callable[[int], None] | None = None,
    redirect_seconds: int | None = None,
) -> Response:
    """The blob's bytes (or a redirect to them). `redirect_seconds`: a remote store answers
    with a presigned URL valid that long (the audio of a stream), else it proxies;
    `on_sent` hears the bytes sent (for a redirect, those the request asked for)."""
    path = blobs.local_path(digest)
    if path is not None:
        if on_sent is None:
            return FileResponse(
                path,
                media_type=media_type,
                headers=headers,
                filename=filename,
                content_disposition_type="inline",
            )
        return MeteredFileResponse(
            path,
            media_type=media_type,
            headers=headers,
            filename=filename,
            content_disposition_type="inline",
            on_sent=on_sent,
        )
    size = blobs.size(digest)
    if size is None:
        return Response(status_code=404)
    disposition = _disposition(filename) if filename else None
    if redirect_seconds is not None:
        url = blobs.share_url(digest, redirect_seconds, media_type, disposition)
        if url is not None:
            return StoreRedirect(url, size, headers, on_sent)
    if disposition:
        headers = {**headers, "content-disposition": disposition}
    return ProxiedBlob(blobs, digest, size, media_type, headers, on_sent)


def _disposition(filename: str) -> str:
    name = quote(filename)
    if name == filename:
        return f'inline; filename="{filename}"'
    return f"inline; filename*=utf-8''{name}"


def asked_bytes(range_header: str | None, size: int) -> int:
    """The bytes a request asks for: one range, or the whole blob."""
    found = _ONE_RANGE.match(range_header or "")
    if found is None or not (found[1] or found[2]):
        return size
    if not found[1]:  # the last N bytes
        return min(int(found[2]), size)
    start = int(found[1])
    end = min(int(found[2]), size - 1) if found[2] else size - 1
    return max(0, end - start + 1)


class StoreRedirect(Response):
    """307 to the store's presigned URL; the rip watch hears what the request asked for."""

    def __init__(
        self, url: str, size: int, headers: dict[str, str], on_sent: Callable[[int], None] | None
    ) -> None:
        kept = {k: v for k, v in headers.items() if k.lower() == "etag"}
        super().__init__(
            status_code=307,
            headers={**kept, "location": url, "cache-control": "private, no-store"},
        )
        self.size, self.on_sent = size, on_sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.on_sent is not None and scope["method"] == "GET":
            asked = asked_bytes(Headers(scope=scope).get("range"), self.size)
            await to_thread.run_sync(self.on_sent, asked)  # may write the account's flag
        await super().__call__(scope, receive, send)


class ProxiedBlob(Response):
    """The blob's bytes streamed from the store as they arrive: one byte range at most (a
    request for several gets the whole blob, as HTTP allows), If-Range by ETag, HEAD."""

    def __init__(
        self,
        blobs: BlobStore,
        digest: str,
        size: int,
        media_type: str,
        headers: dict[str, str],
        on_sent: Callable[[int], None] | None,
    ) -> None:
        super().__init__(media_type=media_type, headers=headers)
        self.blobs, self.digest, self.size, self.on_sent = blobs, digest, size, on_sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Headers(scope=scope)
        size = self.size
        start, end, status = 0, size - 1, 200
        wanted = self._range(request)
        if isinstance(wanted, str):  # unsatisfiable
            await self._refuse(send)
            return
        if wanted is not None:
            start, end = wanted
            status = 206
            self.headers["content-range"] = f"bytes {start}-{end}/{size}"
        self.headers["accept-ranges"] = "bytes"
        self.headers["content-length"] = str(max(0, end - start + 1))
        await send({"type": "http.response.start", "status": status, "headers": self.raw_headers})
        if scope["method"] == "HEAD" or size == 0:
            await send({"type": "http.response.body", "body": b""})
            return
        sent = 0
        try:
            async for chunk in iterate_in_threadpool(self.blobs.read(self.digest, start, end)):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                sent += len(chunk)
            await send({"type": "http.response.body", "body": b""})
        finally:
            if self.on_sent is not None:
                await to_thread.run_sync(self.on_sent, sent)

    def _range(self, request: Headers) -> tuple[int, int] | str | None:
        """(start, end) of the one range asked for; None for the whole blob."""
        header = request.get("range")
        if not header:
            return None
        if_range = request.get("if-range")
        if if_range is not None and if_range != self.headers.get("etag"):
            return None  # the client's copy is another blob: send this one whole
        found = _ONE_RANGE.match(header)
        if found is None or not (found[1] or found[2]):
            return None
        size = self.size
        if not found[1]:
            length = int(found[2])
            if length == 0 or size == 0:
                return "unsatisfiable"
            return max(size - length, 0), size - 1
        start = int(found[1])
        end = min(int(found[2]), size - 1) if found[2] else size - 1
        if start >= size or start > end:
            return "unsatisfiable"
        return start, end

    async def _refuse(self, send: Send) -> None:
        headers = [(b"content-range", f"bytes */{self.size}".encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 416, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
