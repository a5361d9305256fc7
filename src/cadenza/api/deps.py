"""Request dependencies: the wired App, who is looking, and distributor authentication."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from cadenza.bootstrap import App
from cadenza.domain.catalog import Viewer
from cadenza.domain.errors import InvalidRequest, Unauthorized
from cadenza.domain.territories import ISO_COUNTRIES
from cadenza.services.access_tokens import AccessClaims


def get_app(request: Request) -> App:
    app: App = request.app.state.cadenza
    return app


AppDep = Annotated[App, Depends(get_app)]


def distributor_id_or_none(
    app: AppDep,
    x_distributor_key: Annotated[str | None, Header()] = None,
) -> int | None:
    if x_distributor_key is None:
        return None
    if not hmac.compare_digest(x_distributor_key.encode(), app.distributor_key.encode()):
        raise Unauthorized("the distributor key is not valid", code="bad_distributor_key")
    return app.distributor_id()


def distributor_id(distributor: Annotated[int | None, Depends(distributor_id_or_none)]) -> int:
    if distributor is None:
        raise Unauthorized(
            "send your distributor key in the X-Distributor-Key header",
            code="distributor_key_required",
        )
    return distributor


DistributorId = Annotated[int, Depends(distributor_id)]


def viewer(
    app: AppDep,
    distributor: Annotated[int | None, Depends(distributor_id_or_none)],
    country: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=2,
            description="ISO country of the listener (stands in until accounts exist)",
        ),
    ] = None,
) -> Viewer:
    code = (country or app.settings.default_country or "").upper() or None
    if code is not None and code not in ISO_COUNTRIES:
        raise InvalidRequest(f"unknown country code {code!r}", code="unknown_country")
    return Viewer(country=code, now=app.clock.now(), distributor_id=distributor)


ViewerDep = Annotated[Viewer, Depends(viewer)]


def current_session(
    app: AppDep, authorization: Annotated[str | None, Header()] = None
) -> AccessClaims:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "send an access token: Authorization: Bearer <token>", code="authentication_required"
        )
    return app.sessions.authenticate(token.strip())


CurrentSession = Annotated[AccessClaims, Depends(current_session)]
