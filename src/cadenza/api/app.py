"""The ASGI application: routes, errors as JSON with stable codes, the body size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from cadenza import __version__
from cadenza.api.deps import audio_files_of
from cadenza.api.errors import error_response, invalid_request_response
from cadenza.api.granted_audio import GrantedAudioFastPath
from cadenza.api.limits import BodySizeLimit, BodyTooLarge, takes_files
from cadenza.api.openapi_errors import document_errors
from cadenza.api.routes import (
    admin,
    ads,
    app_access,
    artist_stats,
    artists,
    auth,
    blends,
    catalog,
    charts,
    devices,
    discovery,
    distributor,
    editorial,
    external_auth,
    fraud,
    history,
    library,
    listenbrainz,
    listening,
    me,
    members,
    mixes,
    oauth,
    oauth_apps,
    offline,
    plans,
    player,
    player_stream,
    playlists,
    recommendations,
    rip_flags,
    royalties,
    search,
    share,
    social,
    spoken,
    stream,
    students,
    takedowns,
    taste,
)
from cadenza.api.subsonic import routes as subsonic
from cadenza.api.web import mount_web_player
from cadenza.api.webapi import ROUTERS as WEB_API_ROUTERS
from cadenza.api.webapi import errors as web_api_errors
from cadenza.bootstrap import App, bootstrap
from cadenza.domain.errors import CadenzaError

ROUTERS: tuple[APIRouter, ...] = (
    catalog.router,
    stream.router,
    distributor.router,
    auth.router,
    me.router,
    app_access.router,
    plans.router,
    plans.pages,
    members.router,
    students.router,
    listening.router,
    player.router,
    player_stream.router,
    devices.router,
    spoken.router,
    ads.router,
    admin.router,
    search.router,
    mixes.router,
    taste.router,
    charts.router,
    discovery.router,
    recommendations.router,
    library.router,
    playlists.router,
    social.router,
    blends.router,
    offline.router,
    rip_flags.router,
    fraud.router,
    takedowns.router,
    royalties.router,
    artists.router,
    editorial.router,
    artist_stats.router,
    history.router,
    listenbrainz.router,
    *WEB_API_ROUTERS,  # the Spotify-shaped API under /v1
    subsonic.router,  # OpenSubsonic under /rest (api/subsonic/)
    oauth.router,
    oauth_apps.router,
    external_auth.router,
    share.router,  # shared links' pages, before the shell answers the rest
)


class CadenzaApi(FastAPI):
    """FastAPI, with granted audio answered before any of it (routing, middleware, telemetry):
    the request a listening client makes most, and one that needs none of them
    (api/granted_audio.py)."""

    granted_audio: GrantedAudioFastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        audio = self.granted_audio
        if audio is not None and audio.takes(scope):
            await audio(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(cadenza: App) -> FastAPI:
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
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    uploads = [r for r in routes if takes_files(r)]
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

    for router in ROUTERS:
        api.include_router(router)
    document_errors(api, routes)
    web_api_errors.document(api)
    mount_web_player(api)  # last: unknown page addresses get the shell from its 404 handler
    return api


def create_worker_app() -> FastAPI:
    """For uvicorn's worker processes (`serve --workers N`): each builds its own App from the
    environment the parent left it, with the background work off."""
    return create_app(bootstrap(worker=True))
