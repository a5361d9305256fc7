"""Refuse request bodies over their route's limit before reading further: a small one for JSON
and forms, the configured upload limit only on routes that take files. Counted as the body
arrives, so a body without Content-Length (chunked) is cut off as soon as it passes the limit."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.params import File
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_BODY_MAX_BYTES = 1024 * 1024
# JSON routes that take more, as the protocol they speak documents (ListenBrainz: 10,240,000).
LARGER_BODIES = {"/1/submit-listens": 10_240_000}


class BodyTooLarge(HTTPException):
    """Raised while a route reads the body; FastAPI passes HTTPExceptions through."""

    def __init__(self, max_bytes: int, code: str) -> None:
        super().__init__(413, f"the request is over {max_bytes} bytes")
        self.max_bytes, self.code = max_bytes, code

    def body(self, path: str = "") -> dict[str, object]:
        if path.startswith("/v1/"):  # the Spotify-shaped API's own error shape
            return {"error": {"status": 413, "message": self.detail, "code": self.code}}
        return {"error": {"code": self.code, "message": self.detail, "file": None}}


def takes_files(route: APIRoute) -> bool:
    return any(isinstance(p.field_info, File) for p in route.dependant.body_params)


class BodySizeLimit:
    def __init__(
        self, app: ASGIApp, uploads: list[APIRoute], upload_max_bytes: Callable[[], int]
    ) -> None:
        self.app, self.uploads, self.upload_max_bytes = app, uploads, upload_max_bytes

    def limit_of(self, scope: Scope) -> BodyTooLarge:
        """The refusal this request gets past its route's limit."""
        if any(r.matches(scope)[0] is Match.FULL for r in self.uploads):
            return BodyTooLarge(self.upload_max_bytes(), "upload_too_large")
        larger = LARGER_BODIES.get(scope.get("path", ""))
        return BodyTooLarge(larger or JSON_BODY_MAX_BYTES, "request_too_large")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.limit_of(scope)
        max_bytes = refusal.max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await _refuse(send, refusal, scope["path"])
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                raise refusal
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send, refusal, scope["path"])


async def _refuse(send: Send, refusal: BodyTooLarge, path: str) -> None:
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(refusal.body(path)).encode()})
