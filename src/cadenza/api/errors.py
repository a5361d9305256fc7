"""Errors as HTTP answers: {"error": {"code", "message", "file", ...}} with the rule's status.

An answer never carries more than a short excerpt of what the client sent, and always encodes
(text with lone surrogates is written with escapes)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse

from cadenza.domain.errors import CadenzaError, ChallengeRequired, TooManyAttempts

EXCERPT_CHARS = 200  # of the client's own text, at most, in an error answer
MAX_FIELD_ERRORS = 20


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str | None:
    """`text` cut to `limit` characters and made encodable as UTF-8."""
    if text is None:
        return None
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return cut.encode("utf-8", "backslashreplace").decode("utf-8")


def error_response(exc: CadenzaError) -> JSONResponse:
    error: dict[str, object] = {
        "code": exc.code,
        "message": excerpt(exc.message, 1000),
        "file": excerpt(exc.file),
    }
    if isinstance(exc, ChallengeRequired):
        error |= {"challenge": exc.challenge, "difficulty": exc.difficulty}
    headers = {}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(math.ceil(exc.retry_after))
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": error}, status_code=exc.status, headers=headers)


def invalid_request_response(problems: Sequence[Any]) -> JSONResponse:
    """422 `invalid_request`: where each problem is and what is wrong, never the input itself."""
    fields = [
        {
            "field": excerpt(".".join(str(p) for p in e.get("loc", ()) if p != "body")) or "body",
            "code": str(e.get("type", "invalid")),
            "message": excerpt(str(e.get("msg", ""))),
        }
        for e in list(problems)[:MAX_FIELD_ERRORS]
    ]
    first = fields[0] if fields else {"field": "body", "message": "the request is not valid"}
    error = {
        "code": "invalid_request",
        "message": f"{first['field']}: {first['message']}",
        "file": None,
        "fields": fields,
    }
    return JSONResponse({"error": error}, status_code=422)
