"""Sign-in with an OpenID provider, beside e-mail: the login page's buttons, the round trip
through the provider, the confirmation before linking an existing account, and the account's
list of sign-in methods."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cadenza.api.deps import CurrentSession, ExternalSignInDep, client_ip
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.auth import TokenOut, _https, _tokens_out
from cadenza.domain.errors import CadenzaError
from cadenza.services.external_sign_in import Linked, LinkNeeded

router = APIRouter(tags=["auth"])

STATE_COOKIE = "cadenza_oidc_state"
STATE_PATH = "/api/v1/auth/oidc"
Name = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]


class ProviderOut(BaseModel):
    name: str
    display_name: str
    start: str = Field(description="where the login page's button goes")


class LinkIn(RequestBody):
    ticket: str = Field(min_length=1, max_length=200)
    totp: str | None = Field(
        default=None, max_length=40, description="for an account with two-factor on"
    )


class StartOut(BaseModel):
    url: str = Field(description="send the browser here (the provider's sign-in)")


class IdentityOut(BaseModel):
    provider: str
    display_name: str
    email: str | None
    linked_at: datetime


@router.get("/api/v1/auth/providers", response_model=list[ProviderOut])
def providers(external: ExternalSignInDep) -> list[ProviderOut]:
    """The OpenID providers the operator configured (none by default)."""
    return [
        ProviderOut(name=p.name, display_name=p.display_name, start=f"{STATE_PATH}/{p.name}/start")
        for p in external.listed()
    ]


@router.get("/api/v1/auth/oidc/{name}/start", include_in_schema=False)
async def start(
    name: Name,
    request: Request,
    external: ExternalSignInDep,
    next: Annotated[str, Query(max_length=500)] = "/",
) -> Response:
    try:
        url, state = await run_in_threadpool(external.start, name, next)
    except CadenzaError as error:
        return _to_login(error.code)
    response = RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
    _state_cookie(response, state, request)
    return response


def _state_cookie(response: Response, state: str, request: Request) -> None:
    # Lax: the provider's redirect back is a top-level navigation from another site.
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=600,
        path=STATE_PATH,
        httponly=True,
        samesite="lax",
        secure=_https(request),
    )


@router.get("/api/v1/auth/oidc/{name}/callback", include_in_schema=False)
async def callback(
    name: Name,
    request: Request,
    external: ExternalSignInDep,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The provider sends the browser back here; the browser goes on to the page it started
    from, signed in (the refresh cookie set), or to the page that asks to confirm linking."""
    if error or not code or not state:
        return _to_login("external_sign_in_cancelled")
    try:
        outcome = await run_in_threadpool(
            external.finish,
            name,
            code,
            state,
            request.cookies.get(STATE_COOKIE),
            client_ip(request),
        )
    except CadenzaError as failed:
        response = _to_login(failed.code)
    else:
        if isinstance(outcome, Linked):
            query = urlencode({"linked": outcome.provider})
            response = RedirectResponse(f"/account/apps?{query}", status_code=303)
        elif isinstance(outcome, LinkNeeded):
            query = urlencode(
                {
                    "ticket": outcome.ticket,
                    "provider": outcome.provider,
                    "email": outcome.email,
                    "mode": "link" if outcome.link else "two-factor",
                }
            )
            response = RedirectResponse(f"/login/link?{query}", status_code=303)
        else:
            query = urlencode({"next": outcome.next})
            response = RedirectResponse(f"/login/external?{query}", status_code=303)
            _tokens_out(outcome.tokens, request, response, web=True)
    response.delete_cookie(STATE_COOKIE, path=STATE_PATH, httponly=True, samesite="lax")
    return response


@router.post("/api/v1/auth/oidc/link", response_model=TokenOut)
def confirm_link(
    body: LinkIn, request: Request, response: Response, external: ExternalSignInDep
) -> TokenOut:
    """The listener confirmed: link the provider's identity to the account with its verified
    address, and sign in (the browser's refresh cookie)."""
    done = external.confirm_link(body.ticket, client_ip(request), body.totp)
    return _tokens_out(done.tokens, request, response, web=True)


@router.get("/api/v1/me/sign-in-methods", response_model=list[IdentityOut])
def sign_in_methods(session: CurrentSession, external: ExternalSignInDep) -> list[IdentityOut]:
    names = {p.name: p.display_name for p in external.listed()}
    return [
        IdentityOut(
            provider=i.provider,
            display_name=names.get(i.provider, i.provider),
            email=i.email,
            linked_at=i.linked_at,
        )
        for i in external.identities(session.account_id)
    ]


@router.post("/api/v1/me/sign-in-methods/{name}", response_model=StartOut)
def link_start(
    name: Name,
    request: Request,
    response: Response,
    session: CurrentSession,
    external: ExternalSignInDep,
) -> StartOut:
    """Link a provider to this signed-in account: the browser goes to the provider and comes
    back to Account, Apps."""
    url, state = external.start(name, "/account/apps", linking_account=session.account_id)
    _state_cookie(response, state, request)
    return StartOut(url=url)


@router.delete("/api/v1/me/sign-in-methods/{name}", status_code=status.HTTP_204_NO_CONTENT)
def unlink(name: Name, session: CurrentSession, external: ExternalSignInDep) -> None:
    external.unlink(session.account_id, name)


def _to_login(code: str) -> RedirectResponse:
    return RedirectResponse(f"/login?{urlencode({'external_error': code})}", status_code=303)
