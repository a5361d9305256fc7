"""Request dependencies: the wired App, who is looking, and distributor authentication."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request

from cadenza.bootstrap import App
from cadenza.domain.accounts import Scope
from cadenza.domain.catalog import Viewer
from cadenza.domain.errors import Forbidden, InvalidRequest, Unauthorized
from cadenza.domain.territories import ISO_COUNTRIES
from cadenza.services.access_tokens import AccessClaims


async def get_app(request: Request) -> App:  # no I/O: on the event loop, no thread hop
    app: App = request.app.state.cadenza
    return app


AppDep = Annotated[App, Depends(get_app)]
# Ids in paths fit the database's 32-bit integers; anything else is a clear 422, never a 500.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _distributor(
    app: App, key: str | None, authorization: str | None, scope: Scope, *, required: bool
) -> int | None:
    """Who delivers: an API key (X-Distributor-Key), or a distributor account's access token."""
    if key is not None:
        return app.distributor_by_key(key, scope)
    token = _bearer(authorization)
    if token is None:
        if required:
            raise Unauthorized(
                "send a distributor API key in X-Distributor-Key, or a distributor account's "
                "access token",
                code="distributor_key_required",
            )
        return None
    claims = app.sessions.authenticate(token)
    try:
        return app.distributors.by_account(claims.account_id)
    except Forbidden:
        if required:
            raise
        return None


def reading_distributor(
    app: AppDep,
    x_distributor_key: Annotated[str | None, Header(max_length=200)] = None,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> int | None:
    return _distributor(app, x_distributor_key, authorization, Scope.RELEASES_READ, required=False)


def delivering_distributor(
    app: AppDep,
    x_distributor_key: Annotated[str | None, Header(max_length=200)] = None,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> int:
    found = _distributor(app, x_distributor_key, authorization, Scope.RELEASES_WRITE, required=True)
    assert found is not None
    return found


def listing_distributor(
    app: AppDep,
    x_distributor_key: Annotated[str | None, Header(max_length=200)] = None,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> int:
    found = _distributor(app, x_distributor_key, authorization, Scope.RELEASES_READ, required=True)
    assert found is not None
    return found


DistributorId = Annotated[int, Depends(delivering_distributor)]
ReadingDistributorId = Annotated[int, Depends(listing_distributor)]


def viewer(
    app: AppDep,
    distributor: Annotated[int | None, Depends(reading_distributor)],
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
    country: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=2,
            description="ISO country of an anonymous listener; a signed-in one's is their own",
        ),
    ] = None,
) -> Viewer:
    token = _bearer(authorization)
    if token is not None and distributor is None:
        listener = app.subscriptions.listener(app.sessions.authenticate(token).account_id)
        return Viewer(
            country=listener.country, now=app.clock.now(), allow_explicit=listener.allow_explicit
        )
    code = (country or app.settings.default_country or "").upper() or None
    if code is not None and code not in ISO_COUNTRIES:
        raise InvalidRequest(f"unknown country code {code!r}", code="unknown_country")
    return Viewer(country=code, now=app.clock.now(), distributor_id=distributor)


ViewerDep = Annotated[Viewer, Depends(viewer)]


def current_session(
    app: AppDep, authorization: Annotated[str | None, Header()] = None
) -> AccessClaims:
    token = _bearer(authorization)
    if token is None:
        raise Unauthorized(
            "send an access token: Authorization: Bearer <token>", code="authentication_required"
        )
    return app.sessions.authenticate(token)


CurrentSession = Annotated[AccessClaims, Depends(current_session)]


def admin_session(session: CurrentSession, app: AppDep) -> AccessClaims:
    """A signed-in admin: 401 without a session, 403 for anyone else."""
    app.admin.require_admin(session.account_id)
    return session


AdminSession = Annotated[AccessClaims, Depends(admin_session)]


def optional_session(
    app: AppDep, authorization: Annotated[str | None, Header()] = None
) -> AccessClaims | None:
    """The signed-in account when the request carries a token; None for anonymous requests."""
    return current_session(app, authorization) if _bearer(authorization) else None


OptionalSession = Annotated[AccessClaims | None, Depends(optional_session)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


ClientIp = Annotated[str | None, Depends(client_ip)]
