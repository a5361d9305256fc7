"""The web player as an installable app: its manifest, and its service worker at the root scope.

`/sw.js` is web/sw.js with the app shell's version and file list written in: the version is a
digest of every shell file's content, so any change to the player gives the browser a new
service worker, which caches the new shell beside the old one and drops the old one only once
it takes over (no page ever mixes two versions). The deployment's licence-signing key is
written in as it is served. It is sent `no-cache` (browsers revalidate it
on every visit anyway) with `Service-Worker-Allowed: /`, so it controls every page.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response

from cadenza.api.web import REVALIDATE, WEB_ROOT, _revalidated

SHELL_FOLDERS = ("js", "css")
SHELL_FILES = ("icon.svg", "icon-192.png", "icon-512.png")


def shell_files(root: Path = WEB_ROOT) -> list[Path]:
    """Everything the player needs to start: its modules, styles and icons."""
    found = [root / name for name in SHELL_FILES]
    for folder in SHELL_FOLDERS:
        found += sorted(
            p for p in (root / folder).rglob("*") if p.is_file() and p.suffix in {".js", ".css"}
        )
    return found


def worker_source(root: Path = WEB_ROOT) -> bytes:
    files = shell_files(root)
    digest = hashlib.sha256()
    for path in [root / "index.html", root / "manifest.webmanifest", root / "sw.js", *files]:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    urls = ["/", "/manifest.webmanifest"] + [
        f"/static/{p.relative_to(root).as_posix()}" for p in files
    ]
    text = (root / "sw.js").read_text(encoding="utf-8")
    text = text.replace('"__SHELL_VERSION__"', json.dumps(digest.hexdigest()[:16]), 1)
    text = text.replace('["__SHELL_FILES__"]', json.dumps(urls), 1)
    return text.encode("utf-8")


def service_worker(request: Request) -> Response:
    """The worker, with the key that signs download licences written in (it plays a download
    only under a licence that verifies: one rewritten on the device does not). The App is
    taken from the request, not through api.deps, which would load the request machinery
    into a server before its first request."""
    keys = request.app.state.cadenza.offline_keys
    key = base64.urlsafe_b64encode(keys.public_key()).decode().rstrip("=")
    body = worker_source().replace(b'"__LICENCE_KEY__"', f'"{key}"'.encode(), 1)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {
        **REVALIDATE,
        "etag": etag,
        "service-worker-allowed": "/",
        "content-type": "text/javascript; charset=utf-8",
    }
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, headers=headers)


def manifest(request: Request) -> Response:
    path = WEB_ROOT / "manifest.webmanifest"
    answer = _revalidated(path, path.stat(), request.headers)
    answer.headers["content-type"] = "application/manifest+json"
    return answer


def mount_installable(api: FastAPI) -> None:
    api.add_api_route("/sw.js", service_worker, methods=["GET"], include_in_schema=False)
    api.add_api_route("/manifest.webmanifest", manifest, methods=["GET"], include_in_schema=False)
