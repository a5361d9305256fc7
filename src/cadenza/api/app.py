"""The ASGI application: routes, errors as JSON with stable codes, the body size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from cadenza import __version__
from cadenza.api.errors import error_response, invalid_request_response
from cadenza.api.granted_audio import GrantedAudioFastPath, audio_files_of
from cadenza.api.lazy_routes import LazyRoutes
from cadenza.api.limits import BodySizeLimit, BodyTooLarge
from cadenza.api.web import mount_web_player
from cadenza.api.webapi import errors as web_api_errors
from cadenza.bootstrap import App, bootstrap
from cadenza.domain.errors import CadenzaError

if TYPE_CHECKING:
    from cadenza.api.openapi_aside import OpenApiAside


class CadenzaApi(FastAPI):
    """FastAPI, with granted audio answered before any of it (routing, middleware, telemetry):
    the request a listening client makes most, and one that needs none of them
    (api/granted_audio.py). Route modules are imported when a request first needs them
    (api/lazy_routes.py); a server's OpenAPI document is written by a process of its own
    (api/openapi_aside.py)."""

    granted_audio: GrantedAudioFastPath | None = None
    lazy_routes: LazyRoutes | None = None
    openapi_aside: OpenApiAside | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        audio = self.granted_audio
        if audio is not None and audio.takes(scope):
            await audio(scope, receive, send)
            return
        if scope["type"] in ("http", "websocket"):
            aside = self.openapi_aside
            if aside is not None and scope["path"] == self.openapi_url and _reads(scope):
                await aside(scope, receive, send)
                return
            if self.lazy_routes is not None:
                self.lazy_routes.ensure(scope["path"])
        await super().__call__(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        """Every route's operation, with the error answers each can give (api/openapi_errors)."""
        if self.openapi_schema is None:
            from cadenza.api.openapi_errors import add_errors

            lazy = self.lazy_routes
            if lazy is not None:
                lazy.load_all()
            schema = super().openapi()
            add_errors(schema, lazy.routes if lazy is not None else [])
            self.openapi_schema = schema
        return self.openapi_schema


def _reads(scope: Scope) -> bool:
    return scope["type"] == "http" and scope["method"] in ("GET", "HEAD")


def create_app(cadenza: App, *, lazy: bool = True, openapi_aside: bool = False) -> FastAPI:
    """The API over `cadenza`. `lazy`: route modules imported on first need. `openapi_aside`
    (a server): /openapi.json written by a child process, so this one never builds the schema
    of every route (about 15 MB that would stay)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Off on the worker processes of `serve --workers N` (their parent does it) and on HTTP
        # nodes whose deployment runs it elsewhere (CADENZA_BACKGROUND=false).
        stop = cadenza.start_background() if cadenza.settings.background else None
        yield
        if stop is not None:
            stop()
        cadenza.close()

    api = CadenzaApi(
        title="Cadenza",
        version=__version__,
        description="Self-hosted music streaming: catalog, deliveries and audio.",
        lifespan=lifespan,
    )
    api.state.cadenza = cadenza
    routes: list[APIRoute] = []
    uploads: list[APIRoute] = []  # filled as route modules arrive
    api.add_middleware(
        BodySizeLimit, uploads=uploads, upload_max_bytes=lambda: cadenza.settings.max_upload_bytes
    )
    api.granted_audio = GrantedAudioFastPath(lambda: audio_files_of(cadenza))

    @api.exception_handler(CadenzaError)
    async def cadenza_error(request: Request, exc: CadenzaError) -> JSONResponse:
        if web_api_errors.is_web_api(request.url.path):
            return web_api_errors.cadenza_error(exc, request.url.path)
        return error_response(exc)

    @api.exception_handler(BodyTooLarge)
    async def body_too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        body = exc.body(request.url.path)
        return JSONResponse(body, status_code=413, headers={"connection": "close"})

    @api.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        if web_api_errors.is_web_api(request.url.path):
            return web_api_errors.invalid_request(exc.errors(), request.url.path)
        return invalid_request_response(exc.errors())

    @api.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        with cadenza.uow() as uow:
            uow.supply.release_id_of_upc("0")  # proves the database answers
        return {"status": "ok", "version": __version__}

    @api.get("/api/v1/demo/progress", tags=["ops"])
    def demo_progress() -> dict[str, object]:
        """While `serve --demo` builds the demo catalog: how many of its releases play yet."""
        found = cadenza.demo_progress.read()
        if found is None:
            return {"preparing": False, "done": 0, "total": 0}
        return {"preparing": found.preparing, "done": found.done, "total": found.total}

    api.lazy_routes = LazyRoutes(api, routes, uploads, lazy=lazy)
    web_api_errors.document(api)  # /v1's operations answer errors in the Web API's shape
    if openapi_aside:
        from cadenza.api.openapi_aside import OpenApiAside

        api.openapi_aside = OpenApiAside()
    mount_web_player(api)  # last: unknown page addresses get the shell from its 404 handler
    return api


def create_worker_app() -> FastAPI:
    """For uvicorn's worker processes (`serve --workers N`): each builds its own App from the
    environment the parent left it, with the background work off."""
    return create_app(bootstrap(worker=True), openapi_aside=True)
