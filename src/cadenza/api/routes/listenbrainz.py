"""A ListenBrainz-compatible API, so scrobbling apps (Pano Scrobbler, Web Scrobbler, multi-scrobbler,
Navidrome-style clients...) can send plays to Cadenza: point the app's ListenBrainz URL at this
server and give it your scrobbling token (account page). Answers and errors in ListenBrainz's
shapes. Matched listens join your imported history, never counted streams; `playing_now` is
checked and keeps nothing."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from cadenza.api.deps import ScrobblingDep
from cadenza.services.scrobbling import (
    MAX_LISTEN_PAYLOAD_SIZE,
    ListenRefused,
    Scrobbler,
    Scrobbling,
)

router = APIRouter(prefix="/1", tags=["listenbrainz"])


def _token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "token" else ""


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "error": message}, status_code=code)


def _who(request: Request, scrobbling: Scrobbling) -> Scrobbler | JSONResponse:
    token = _token(request)
    if not token:
        return _error(401, "You need to provide an Authorization header.")
    found = scrobbling.scrobbler(token)
    if found is None:
        return _error(401, "Invalid authorization token.")
    return found


@router.post("/submit-listens", response_model=None)
async def submit_listens(request: Request, scrobbling: ScrobblingDep) -> JSONResponse:
    """Submit listens (`listen_type` single, playing_now or import), with `Authorization: Token
    <your scrobbling token>`: at most 1,000 listens and 10,240,000 bytes a request, 10,240 bytes
    a listen, as ListenBrainz documents."""
    who = _who(request, scrobbling)
    if isinstance(who, JSONResponse):
        return who
    raw = await request.body()
    if len(raw) > MAX_LISTEN_PAYLOAD_SIZE:
        return _error(413, "Payload too large.")
    try:
        body: Any = json.loads(raw)
    except ValueError:
        return _error(400, "Cannot parse JSON document.")
    try:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(scrobbling.submit, who.account_id, body)
    except ListenRefused as exc:
        return _error(400, str(exc))
    return JSONResponse({"status": "ok"})


@router.get("/validate-token", response_model=None)
def validate_token(
    request: Request,
    scrobbling: ScrobblingDep,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    """Whether a token is valid, as ListenBrainz answers: `{code, message, valid, user_name}`
    (the token in `Authorization: Token ...` or, as older clients send it, `?token=`)."""
    given = _token(request) or (token or "")
    if not given:
        return _error(400, "You need to provide an Authorization token.")
    found = scrobbling.scrobbler(given)
    if found is None:
        return JSONResponse({"code": 200, "message": "Token invalid.", "valid": False})
    return JSONResponse(
        {"code": 200, "message": "Token valid.", "valid": True, "user_name": found.user_name}
    )
