"""The ASGI application: routes, errors as JSON with stable codes, the body size limit."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from cadenza import __version__
from cadenza.api.audio_path import takes
from cadenza.api.errors import error_response, invalid_request_response
from cadenza.api.lazy_routes import LazyRoutes
from cadenza.api.limits import BodySizeLimit, BodyTooLarge
from cadenza.api.operations import Operations
from cadenza.api.pydantic_v1_check import check_v1_only_when_imported
from cadenza.api.web import mount_web_player
from cadenza.api.webapi import errors as web_api_errors
from cadenza.bootstrap import App, bootstrap
from cadenza.domain.errors import CadenzaError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from cadenza.api.granted_audio import GrantedAudioFastPath
    from cadenza.api.openapi_aside import OpenApiAside

check_v1_only_when_imported()


class AudioOnFirstRequest:
    """The granted-audio fast path (api/granted_audio.py), imported with the first request it
    takes: its services (grants, the rip watch, the catalog's rules) are not the start's."""

    takes = staticmethod(takes)

    def __init__(self, cadenza: App) -> None:
        self._cadenza = cadenza
        self._path: GrantedAudioFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._path is None:
            from cadenza.api.granted_audio import GrantedAudioFastPath, audio_files_of

            cadenza = self._cadenza
            self._path = GrantedAudioFastPath(lambda: audio_files_of(cadenza))
        await self._path(scope, receive, send)


class CadenzaApi(FastAPI):
    """FastAPI, with granted audio answered before any of it (routing, middleware, telemetry):
    the request a listening client makes most, and one that needs none of them
    (api/granted_audio.py). Route modules are imported when a request first needs them
    (api/lazy_routes.py); a server's OpenAPI document is written by a process of its own
    (api/openapi_aside.py)."""

    granted_audio: AudioOnFirstRequest | None = None
    lazy_routes: LazyRoutes | None = None
    openapi_aside: OpenApiAside | None = None
    operations: Operations | None = None  # counts every request, audio too; its request id
    answered: threading.Event | None = None  # set once the first request is answered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if self.operations is not None:
                await self.operations(scope, receive, send, self._dispatch)
            else:
                await self._dispatch(scope, receive, send)
        finally:
            if self.answered is not None and scope["type"] == "http":
                self.answered.set()  # the background work's start waited for it
                self.answered = None

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
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


def _database_unavailable() -> JSONResponse:
    """The database went away mid-request (a restart, a failover) or did not come back within
    the connection wait: 503 with a stable code, never a 500."""
    return JSONResponse(
        {
            "error": {
                "code": "database_unavailable",
                "message": "The database is not answering; try again in a moment.",
            }
        },
        status_code=503,
        headers={"retry-after": "2"},
    )


def _answer_database_errors(api: FastAPI) -> None:
    """SQLAlchemy's OperationalError answered as 503 `database_unavailable`: registered when
    the App first opens the database (SQLAlchemy is not imported at a server's start), on the
    app and, once built, on its exception middleware."""
    from sqlalchemy.exc import OperationalError
    from starlette.middleware.exceptions import ExceptionMiddleware

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        log.warning("database unavailable on %s %s", request.method, request.url.path)
        return _database_unavailable()

    api.add_exception_handler(OperationalError, database_unavailable)
    layer = api.middleware_stack
    while layer is not None and not isinstance(layer, ExceptionMiddleware):
        layer = getattr(layer, "app", None)
    if layer is not None:
        layer.add_exception_handler(OperationalError, database_unavailable)


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
        if "live_rooms" in cadenza.__dict__:  # live audio rooms end, their recordings kept
            await cadenza.live_rooms.close()
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
    api.granted_audio = AudioOnFirstRequest(cadenza)
    api.operations = Operations()
    api.answered = cadenza.first_answer
    api.state.tally = api.operations.tally

    @api.exception_handler(CadenzaError)
    async def cadenza_error(request: Request, exc: CadenzaError) -> JSONResponse:
        if web_api_errors.is_web_api(request.url.path):
            return web_api_errors.cadenza_error(exc, request.url.path)
        return error_response(exc)

    cadenza.when_database_opened(lambda: _answer_database_errors(api))

    @api.exception_handler(BodyTooLarge)
    async def body_too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        body = exc.body(request.url.path)
        return JSONResponse(body, status_code=413, headers={"connection": "close"})

    @api.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        if web_api_errors.is_web_api(request.url.path):
            return web_api_errors.invalid_request(exc.errors(), request.url.path)
        return invalid_request_response(exc.errors())

    @api.get("/healthz", tags=["ops"], response_model=dict[str, str])
    def healthz() -> dict[str, str] | Response:
        # proves the database answers, without the ORM's tables (a server answers it first)
        if not cadenza.database_answers():
            return _database_unavailable()
        return {"status": "ok", "version": __version__}

    metrics_registry: list[CollectorRegistry] = []  # made on the first scrape

    @api.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    def metrics(request: Request) -> Response:
        """Prometheus metrics (text format): from this machine, or with `Authorization: Bearer
        <CADENZA_METRICS_TOKEN>`; 403 `metrics_forbidden` to anyone else."""
        from cadenza.api.metrics_page import metrics_answer, new_registry
        from cadenza.services.queue_depths import QueueReport

        def registry() -> CollectorRegistry:
            if not metrics_registry:
                tally = api.state.tally
                metrics_registry.append(new_registry(tally, QueueReport(cadenza.uow).depths))
            return metrics_registry[0]

        token = cadenza.settings.metrics_token
        return metrics_answer(request, token.get_secret_value() if token else None, registry)

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
