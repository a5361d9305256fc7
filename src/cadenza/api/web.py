"""The web player: static ES modules and CSS, and the app shell for every page's address.

The browser routes pages itself (history API), so a GET for an address no route answers, that is
not the API, the docs or a file, gets the same shell; a reload or a link from an e-mail
(`/verify-email?token=`, `/reset-password?token=`, `/join?token=`, `/account/plan`) lands on
the page it names. The API keeps its own answers (404, 405) untouched.

Plain ES modules import each other by fixed names, so nothing here is content-hashed in its URL:
instead every file, the shell included, is sent with `Cache-Control: no-cache` and an ETag of
its content, and the browser revalidates each use (a 304 with no body when unchanged). After an
upgrade it fetches exactly the files that changed, even when a package build gave them the same
modification time and size as before (which a modification-time ETag would call unchanged).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from html import escape
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.staticfiles import NotModifiedResponse
from starlette.types import Scope

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
REVALIDATE = {"cache-control": "no-cache", "x-content-type-options": "nosniff"}


@lru_cache(maxsize=1024)
def _digest(path: str, version: tuple[int, int, int, int]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:32]


def content_etag(path: Path, stat: os.stat_result) -> str:
    """A strong ETag of the file's bytes, hashed once per version of the file: any write or
    reinstall changes its inode or change time (which, unlike the modification time, no
    package can set)."""
    version = (stat.st_ino, stat.st_ctime_ns, stat.st_mtime_ns, stat.st_size)
    return f'"{_digest(str(path), version)}"'


def _revalidated(path: Path, stat: os.stat_result, request: Headers, **extra: str) -> Response:
    """The file, or 304 when the browser's copy has its ETag. No Last-Modified: a modification
    time can stay the same across versions, so only the content decides."""
    headers = {**REVALIDATE, **extra, "etag": content_etag(path, stat)}
    response = FileResponse(path, stat_result=stat, headers=headers)
    del response.headers["last-modified"]
    wanted = request.get("if-none-match", "")
    if headers["etag"] in [tag.strip().removeprefix("W/") for tag in wanted.split(",")]:
        return NotModifiedResponse(response.headers)
    return response


class WebFiles(StaticFiles):
    """The player's modules, styles and images, revalidated against their content's ETag."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        return _revalidated(Path(full_path), stat_result, Headers(scope=scope))


def is_page(request: Request) -> bool:
    path = request.url.path
    return (
        request.method in {"GET", "HEAD"}
        and not path.startswith(NOT_PAGES)
        and "." not in path.rsplit("/", 1)[-1]
    )


def shell(request: Request) -> Response:
    page = WEB_ROOT / "index.html"
    headers = {**SHELL_HEADERS, "content-type": "text/html; charset=utf-8"}
    return _revalidated(page, page.stat(), request.headers, **headers)


def shell_with_head(request: Request, title: str, meta: dict[str, str]) -> Response:
    """The shell with its own title and `<meta property=...>` tags (Open Graph), for crawlers
    that read the page's head without running its scripts. Values are escaped."""
    page = (WEB_ROOT / "index.html").read_text(encoding="utf-8")
    tags = "".join(
        f'\n  <meta property="{escape(key)}" content="{escape(value)}">'
        for key, value in meta.items()
    )
    head = f"<title>{escape(title)}</title>{tags}"
    body = page.replace("<title>Cadenza</title>", head, 1).encode("utf-8")
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {**SHELL_HEADERS, "content-type": "text/html; charset=utf-8", "etag": etag}
    wanted = request.headers.get("if-none-match", "")
    if etag in [tag.strip().removeprefix("W/") for tag in wanted.split(",")]:
        return Response(status_code=304, headers={"etag": etag, **REVALIDATE})
    return Response(body, headers=headers)


def mount_web_player(api: FastAPI) -> None:
    """Serve the player at `/`, its files under `/static/`, and the shell for unknown pages."""
    api.mount("/static", WebFiles(directory=WEB_ROOT), name="static")
    from cadenza.api.installable import mount_installable  # it imports this module

    mount_installable(api)  # /sw.js and /manifest.webmanifest
    api.add_api_route("/", shell, methods=["GET"], include_in_schema=False)

    @api.exception_handler(HTTPException)
    async def not_a_route(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and is_page(request):
            return shell(request)
        return await http_exception_handler(request, exc)
