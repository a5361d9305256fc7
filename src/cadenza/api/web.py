"""The web player: static ES modules and CSS, and the app shell for every page's address.

The browser routes pages itself (history API), so a GET for an address no route answers, that is
not the API, the docs or a file, gets the same shell; a reload or a link from an e-mail
(`/verify-email?token=`, `/reset-password?token=`, `/join?token=`, `/account/plan`) lands on
the page it names. The API keeps its own answers (404, 405) untouched.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
NOT_PAGES = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/payments/", "/static/")

# Only this server's own scripts, styles, images and audio; no inline script, no framing.
SHELL_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-cache",
}


def is_page(request: Request) -> bool:
    path = request.url.path
    return (
        request.method in {"GET", "HEAD"}
        and not path.startswith(NOT_PAGES)
        and "." not in path.rsplit("/", 1)[-1]
    )


def shell() -> FileResponse:
    return FileResponse(WEB_ROOT / "index.html", media_type="text/html", headers=SHELL_HEADERS)


def mount_web_player(api: FastAPI) -> None:
    """Serve the player at `/`, its files under `/static/`, and the shell for unknown pages."""
    api.mount("/static", StaticFiles(directory=WEB_ROOT), name="static")
    api.add_api_route("/", shell, methods=["GET"], include_in_schema=False)

    @api.exception_handler(HTTPException)
    async def not_a_route(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and is_page(request):
            return shell()
        return await http_exception_handler(request, exc)
