"""Errors as HTTP answers: {"error": {"code", "message", "file", ...}} with the rule's status."""

from __future__ import annotations

import math

from fastapi.responses import JSONResponse

from cadenza.domain.errors import CadenzaError, ChallengeRequired, TooManyAttempts


def error_response(exc: CadenzaError) -> JSONResponse:
    error: dict[str, object] = {"code": exc.code, "message": exc.message, "file": exc.file}
    if isinstance(exc, ChallengeRequired):
        error |= {"challenge": exc.challenge, "difficulty": exc.difficulty}
    headers = {}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(math.ceil(exc.retry_after))
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": error}, status_code=exc.status, headers=headers)
