"""Errors under `/v1` in the Web API's shape: `{"error": {"status": N, "message": "..."}}`,
with Cadenza's stable `code` beside them, and for player commands Spotify's `reason`
(`PREMIUM_REQUIRED` where the plan refuses, `NO_ACTIVE_DEVICE` where nothing plays).
Invalid input is 400 here, as Spotify answers it, where the native API says 422."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from cadenza.api.errors import excerpt
from cadenza.domain.errors import CadenzaError, TooManyAttempts

PREFIX = "/v1"
# The plan's refusals: what Premium would allow.
PREMIUM_CODES = frozenset(
    {
        "shuffle_only",
        "skip_limit_reached",
        "premium_required",
        "premium_only_release",
        "quality_not_in_plan",
    }
)
NO_DEVICE_CODES = frozenset({"nothing_playing", "device_not_found", "no_active_device"})


def is_web_api(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def reason_of(code: str) -> str:
    if code in PREMIUM_CODES:
        return "PREMIUM_REQUIRED"
    if code in NO_DEVICE_CODES:
        return "NO_ACTIVE_DEVICE"
    return "UNKNOWN"


def answer(
    status: int,
    message: str,
    code: str,
    path: str,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, object] = {"status": status, "message": excerpt(message, 1000), "code": code}
    if path.startswith(PREFIX + "/me/player") or code in PREMIUM_CODES:
        error["reason"] = reason_of(code)
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def cadenza_error(exc: CadenzaError, path: str) -> JSONResponse:
    status = 400 if exc.status == 422 else exc.status
    if exc.code in NO_DEVICE_CODES:
        status = 404  # as Spotify answers a command with nothing to act on
    headers: dict[str, str] = {}
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(math.ceil(exc.retry_after))
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return answer(status, exc.message, exc.code, path, headers)


def invalid_request(problems: Sequence[Any], path: str) -> JSONResponse:
    first = problems[0] if problems else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    message = f"{excerpt(where) or 'request'}: {excerpt(str(first.get('msg', 'invalid')))}"
    return answer(400, message, "invalid_request", path)


class WebApiErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status, repeated")
    message: str = Field(description="For people: what went wrong")
    code: str = Field(description="Cadenza's stable code, e.g. `not_found`, `shuffle_only`")
    reason: str | None = Field(
        None, description="Player commands: `PREMIUM_REQUIRED`, `NO_ACTIVE_DEVICE`, `UNKNOWN`"
    )


class WebApiError(BaseModel):
    """Every error answer under /v1."""

    error: WebApiErrorDetail


_DESCRIPTIONS = {
    "400": "Invalid input (`invalid_request`, `invalid_id`, ...)",
    "401": "No valid access token",
    "403": "The token lacks a scope (`insufficient_scope`), or the plan refuses "
    "(reason `PREMIUM_REQUIRED`)",
    "404": "No such object, or none this listener may see",
    "409": "The object changed meanwhile (a stale `snapshot_id`)",
    "413": "The body is over the limit",
    "429": "Too many requests",
}


def document(api: FastAPI) -> None:
    """In the OpenAPI schema, /v1 operations answer errors in the Web API's shape (and 400
    where the native API documents 422)."""
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is not None:
            return api.openapi_schema
        schema = generate()
        body = WebApiError.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(body.pop("$defs", {}))
        components["WebApiError"] = body
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/WebApiError"}}}
        for path, operations in schema.get("paths", {}).items():
            if not is_web_api(path):
                continue
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                for status in ("400", "401", "403", "404", "429"):
                    responses.setdefault(status, {"description": _DESCRIPTIONS[status]})
                for status, described in responses.items():
                    if status[0] in "45":
                        described["content"] = ref
                        described.setdefault("description", _DESCRIPTIONS.get(status, "Error"))
        return schema

    api.openapi = openapi  # type: ignore[method-assign]
