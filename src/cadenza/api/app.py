"""The ASGI application: routes, errors as JSON with stable codes, the body size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cadenza import __version__
from cadenza.api.errors import error_response
from cadenza.api.granted_audio import GrantedAudioFastPath
from cadenza.api.limits import BodySizeLimit, BodyTooLarge
from cadenza.api.routes import (
    admin,
    ads,
    auth,
    catalog,
    devices,
    distributor,
    library,
    listening,
    me,
    members,
    mixes,
    offline,
    plans,
    player,
    player_stream,
    playlists,
    rip_flags,
    search,
    spoken,
    stream,
    students,
    takedowns,
)
from cadenza.api.web import mount_web_player
from cadenza.bootstrap import App, bootstrap
from cadenza.domain.errors import CadenzaError


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

    api = FastAPI(
        title="Cadenza",
        version=__version__,
        description="Self-hosted music streaming: catalog, deliveries and audio.",
        lifespan=lifespan,
    )
    api.state.cadenza = cadenza
    api.add_middleware(BodySizeLimit, max_bytes=lambda: cadenza.settings.max_upload_bytes)
    api.add_middleware(GrantedAudioFastPath, cadenza=cadenza)  # added last: runs first

    @api.exception_handler(CadenzaError)
    async def cadenza_error(_: Request, exc: CadenzaError) -> JSONResponse:
        return error_response(exc)

    @api.exception_handler(BodyTooLarge)
    async def body_too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
        body = {"error": {"code": "upload_too_large", "message": exc.detail, "file": None}}
        return JSONResponse(body, status_code=413)

    @api.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        with cadenza.uow() as uow:
            uow.catalog.release_id_of_upc("0")  # proves the database answers
        return {"status": "ok", "version": __version__}

    @api.get("/api/v1/demo/progress", tags=["ops"])
    def demo_progress() -> dict[str, object]:
        """While `serve --demo` builds the demo catalog: how many of its releases play yet."""
        found = cadenza.demo_progress.read()
        if found is None:
            return {"preparing": False, "done": 0, "total": 0}
        return {"preparing": found.preparing, "done": found.done, "total": found.total}

    api.include_router(catalog.router)
    api.include_router(stream.router)
    api.include_router(distributor.router)
    api.include_router(auth.router)
    api.include_router(me.router)
    api.include_router(plans.router)
    api.include_router(plans.pages)
    api.include_router(members.router)
    api.include_router(students.router)
    api.include_router(listening.router)
    api.include_router(player.router)
    api.include_router(player_stream.router)
    api.include_router(devices.router)
    api.include_router(spoken.router)
    api.include_router(ads.router)
    api.include_router(admin.router)
    api.include_router(search.router)
    api.include_router(mixes.router)
    api.include_router(library.router)
    api.include_router(playlists.router)
    api.include_router(offline.router)
    api.include_router(rip_flags.router)
    api.include_router(takedowns.router)
    mount_web_player(api)  # last: unknown page addresses get the shell from its 404 handler
    return api


def create_worker_app() -> FastAPI:
    """For uvicorn's worker processes (`serve --workers N`): each builds its own App from the
    environment the parent left it, with the background work off."""
    return create_app(bootstrap(worker=True))
