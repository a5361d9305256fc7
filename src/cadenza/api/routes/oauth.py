"""OAuth 2.0 for third-party apps, on Spotify's paths: `POST /api/token` (every grant),
`POST /oauth/device/code` (RFC 8628), `POST /api/revoke` (RFC 7009), and for the web player's
consent page (/authorize) and device page (/link) the listener's side under /api/v1/oauth.

The protocol endpoints answer as RFC 6749 5.2 says (`{"error": "invalid_grant", ...}`); the
web player's endpoints answer as the rest of our API does."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cadenza.api.deps import CurrentSession, OAuthAppsDep, OAuthServerDep, SettingsDep
from cadenza.api.request_body import RequestBody
from cadenza.domain.scopes import SCOPES, HttpAnswer, HttpCall, OAuthRefusal

router = APIRouter(tags=["oauth"])

MAX_FIELDS = 20
MAX_QUERY = 4000


class ScopeOut(BaseModel):
    name: str
    description: str


def scopes_out(names: list[str]) -> list[ScopeOut]:
    return [ScopeOut(name=n, description=SCOPES[n]) for n in names if n in SCOPES]


class AppOut(BaseModel):
    client_id: str
    name: str
    description: str


class ConsentOut(BaseModel):
    app: AppOut
    scopes: list[ScopeOut]
    redirect_uri: str
    already_granted: bool = Field(description="every scope asked for was granted before")


class DecisionIn(RequestBody):
    query: str = Field(max_length=MAX_QUERY, description="the /authorize page's query string")
    approve: bool


class RedirectOut(BaseModel):
    redirect: str


class DeviceOut(BaseModel):
    app: AppOut
    scopes: list[ScopeOut]


class DeviceDecisionIn(RequestBody):
    user_code: str = Field(min_length=1, max_length=40)
    approve: bool


class DeviceDecisionOut(BaseModel):
    status: str


def _answer(answer: HttpAnswer) -> JSONResponse:
    headers = {k: v for k, v in answer.headers if k.lower() != "content-type"}
    headers.setdefault("Cache-Control", "no-store")
    # A single-page app on another site exchanges its code from the browser (PKCE, no secret):
    # it may read the answer. No cookies are involved, so no credentials are allowed.
    headers["Access-Control-Allow-Origin"] = "*"
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


def _oauth_error(error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=400,
        headers={"Cache-Control": "no-store"},
    )


async def _call(request: Request) -> HttpCall | JSONResponse:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _oauth_error("invalid_request", "send the parameters form-encoded")
    pairs = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    if len(pairs) > MAX_FIELDS or any(len(v) > MAX_QUERY for _, v in pairs):
        return _oauth_error("invalid_request", "too many or too long parameters")
    form = dict(pairs)
    if len(form) != len(pairs):  # RFC 6749 3.1, 3.2: no parameter twice
        return _oauth_error("invalid_request", "a parameter was sent more than once")
    return HttpCall("POST", str(request.url), dict(request.headers), form, {})


@router.post("/api/token", summary="The token endpoint (every grant)")
async def token(request: Request, server: OAuthServerDep) -> JSONResponse:
    """`grant_type` = authorization_code (with PKCE's code_verifier), refresh_token (answers a
    new refresh token; the old one stops working), client_credentials, or
    urn:ietf:params:oauth:grant-type:device_code. Clients authenticate with HTTP Basic or
    client_id + client_secret in the form; a public client sends only client_id."""
    call = await _call(request)
    if isinstance(call, JSONResponse):
        return call
    return _answer(await run_in_threadpool(server.token, call))


@router.post("/oauth/device/code", summary="Device authorization (RFC 8628)")
async def device_code(request: Request, server: OAuthServerDep) -> JSONResponse:
    """A TV, console, car or speaker asks for a code to show; the listener types it at /link."""
    call = await _call(request)
    if isinstance(call, JSONResponse):
        return call
    return _answer(await run_in_threadpool(server.device_authorization, call))


@router.post("/api/revoke", summary="Token revocation (RFC 7009)")
async def revoke(request: Request, server: OAuthServerDep) -> JSONResponse:
    call = await _call(request)
    if isinstance(call, JSONResponse):
        return call
    return _answer(await run_in_threadpool(server.revoke, call))


@router.get("/.well-known/oauth-authorization-server", include_in_schema=False)
def metadata(settings: SettingsDep) -> dict[str, object]:
    """RFC 8414: where everything is."""
    base = settings.public_url.rstrip("/")
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/api/token",
        "device_authorization_endpoint": f"{base}/oauth/device/code",
        "revocation_endpoint": f"{base}/api/revoke",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
    }


@router.get("/api/v1/oauth/scopes", response_model=list[ScopeOut])
def scopes() -> list[ScopeOut]:
    return scopes_out(list(SCOPES))


def _query_call(query: str) -> HttpCall:
    if len(query) > MAX_QUERY:
        raise OAuthRefusal("invalid_request", "the request is too long", None)
    pairs = parse_qsl(query, keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs):  # RFC 6749 3.1: no parameter twice
        raise OAuthRefusal("invalid_request", "a parameter was sent more than once", None)
    return HttpCall("GET", "https://cadenza/authorize", {}, {}, params)


def _refused(refusal: OAuthRefusal) -> JSONResponse:
    body: dict[str, object] = {
        "error": {
            "code": refusal.error,
            "message": refusal.description,
            "redirect": refusal.redirect,
        },
        "redirect": refusal.redirect,
    }
    return JSONResponse(body, status_code=400)


@router.get(
    "/api/v1/oauth/authorize",
    response_model=ConsentOut,
    summary="What the consent page shows for an authorization request",
)
async def consent(
    request: Request, session: CurrentSession, server: OAuthServerDep
) -> ConsentOut | JSONResponse:
    """The query string is the /authorize page's. A refusal answers 400 with `redirect`: where
    to send the browser with the error (RFC 6749 4.1.2.1), or null when the client or its
    redirect_uri is not right (then show the error, never redirect)."""
    try:
        call = _query_call(request.url.query)
        found = await run_in_threadpool(server.consent_request, call, session.account_id)
    except OAuthRefusal as refusal:
        return _refused(refusal)
    return ConsentOut(
        app=AppOut(
            client_id=found.client_id, name=found.app_name, description=found.app_description
        ),
        scopes=scopes_out(found.scopes),
        redirect_uri=found.redirect_uri,
        already_granted=found.already_granted,
    )


@router.post("/api/v1/oauth/authorize", response_model=RedirectOut)
async def decide(
    body: DecisionIn, session: CurrentSession, server: OAuthServerDep
) -> RedirectOut | JSONResponse:
    """The listener's answer: where to send the browser (with a code and the state, or with
    `error=access_denied`)."""
    try:
        call = _query_call(body.query)
        where = await run_in_threadpool(server.decide, call, session.account_id, body.approve)
    except OAuthRefusal as refusal:
        return _refused(refusal)
    return RedirectOut(redirect=where)


DEVICE_CODE_ANSWERS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such code, or it expired (device_code_not_found)"},
    422: {"description": "The code was answered already (device_code_used)"},
    429: {"description": "Ten wrong codes in 15 minutes: wait (too_many_attempts, Retry-After)"},
}


@router.get("/api/v1/oauth/device", response_model=DeviceOut, responses=DEVICE_CODE_ANSWERS)
def device(
    session: CurrentSession,
    apps: OAuthAppsDep,
    user_code: Annotated[str, Query(min_length=1, max_length=40)],
) -> DeviceOut:
    """The app behind the code a device shows, and what it asks for."""
    found = apps.device_request(session.account_id, user_code)
    return DeviceOut(
        app=AppOut(client_id=found.client_id, name=found.app_name, description=""),
        scopes=scopes_out(found.scopes),
    )


@router.post(
    "/api/v1/oauth/device", response_model=DeviceDecisionOut, responses=DEVICE_CODE_ANSWERS
)
def decide_device(
    body: DeviceDecisionIn, session: CurrentSession, apps: OAuthAppsDep
) -> DeviceDecisionOut:
    apps.decide_device(session.account_id, body.user_code, body.approve)
    return DeviceDecisionOut(status="approved" if body.approve else "denied")
