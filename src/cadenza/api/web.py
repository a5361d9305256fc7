"""The web player: static ES modules and CSS, and the app shell for every page's address.

The browser routes pages itself (history API), so any address that is not the API, the docs or
a static file answers the same shell; a reload or a link from an e-mail (`/verify-email?token=`,
`/reset-password?token=`, `/join?token=`, `/account/plan`) lands on the page it names.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
NOT_PAGES = ("api/", "docs", "redoc", "openapi.json", "healthz", "payments/", "static/")

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


def mount_web_player(api: FastAPI) -> None:
    """Serve the player at `/` and its files under `/static/` (added after every API route)."""
    api.mount("/static", StaticFiles(directory=WEB_ROOT), name="static")
    shell = WEB_ROOT / "index.html"

    @api.get("/", include_in_schema=False)
    def home() -> Response:
        return FileResponse(shell, media_type="text/html", headers=SHELL_HEADERS)

    @api.get("/{page:path}", include_in_schema=False)
    def page(page: str) -> Response:
        if page.startswith(NOT_PAGES) or "." in page.rsplit("/", 1)[-1]:
            body = {"error": {"code": "not_found", "message": "no such address", "file": None}}
            return JSONResponse(body, status_code=404)
        return FileResponse(shell, media_type="text/html", headers=SHELL_HEADERS)
