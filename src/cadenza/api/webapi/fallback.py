"""Anything else under /v1: a path with a trailing slash is answered as the one without (as
clients written for Spotify ask for `me/`); the rest is 404 in the Web API's shape, not the
web player's page."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from cadenza.api.webapi.errors import answer

router = APIRouter(include_in_schema=False)


class Elsewhere:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path.endswith("/") and path.rstrip("/") != "/v1":
            bare = path.rstrip("/")
            again = dict(scope, path=bare, raw_path=bare.encode())
            await scope["app"](again, receive, send)
            return
        response = answer(404, "Service not found", "service_not_found", path)
        await response(scope, receive, send)


router.routes.append(
    Route(
        "/v1/{rest:path}",
        endpoint=Elsewhere(),
        methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
        include_in_schema=False,
    )
)
