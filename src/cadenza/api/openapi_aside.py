"""A server's /openapi.json, written by a child process.

Building the schema of every route imports every route module and leaves about 15 MB in the
process that did it, for a document a server is seldom asked for (API docs, client
generators). The first request for it starts a child that builds the same app and prints the
document; the server keeps the bytes (about 0.5 MB) and answers from them from then on.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import anyio
import anyio.to_thread
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

log = logging.getLogger(__name__)
PROGRAM = "from cadenza.api.openapi_aside import print_document; print_document()"


class OpenApiAside:
    def __init__(self) -> None:
        self._document: bytes | None = None
        self._lock = anyio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._document is None:
            async with self._lock:
                if self._document is None:
                    self._document = await anyio.to_thread.run_sync(written_aside)
        answer = Response(self._document, media_type="application/json")
        await answer(scope, receive, send)


def written_aside() -> bytes:
    """The document as a child process of this server prints it (same code, same settings)."""
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, env=os.environ.copy(), check=False
    )
    if done.returncode != 0:
        log.error("the OpenAPI document could not be written: %s", done.stderr[-2000:])
        raise RuntimeError("the OpenAPI document could not be written")
    return done.stdout


def document_bytes(schema: dict[str, object]) -> bytes:
    """As FastAPI's JSONResponse renders it."""
    text = json.dumps(schema, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode()


def print_document() -> None:
    """In the child: the app a server builds, without opening its database."""
    from cadenza.api.app import create_app
    from cadenza.bootstrap import unopened_app

    sys.stdout.buffer.write(document_bytes(create_app(unopened_app(), lazy=False).openapi()))
    sys.stdout.flush()
