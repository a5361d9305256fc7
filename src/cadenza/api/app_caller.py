"""Who calls the Spotify-shaped API under `/v1`: the listener's own first-party session (which
may do everything the listener may), or an app the listener authorised through OAuth (which
may do only what the granted scopes, named as Spotify names them, allow).

Routes ask for the scopes they need with `needs("user-read-private", ...)`; the plan's rules
and every per-object check stay in the services, whoever calls.

An app's token (`cza_...`, from POST /api/token) is looked up by its hash: a revoked app's
tokens stop working at once. A client-credentials token speaks for the app alone: `app_caller`
(and so `needs`) refuses it with 403 `user_token_required`; catalog routes that serve apps
without a listener take `CatalogListener` instead (the listener's id, or None)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header

from cadenza.api.deps import OAuthAppsDep, SessionsDep, _bearer
from cadenza.domain.errors import Forbidden, Unauthorized
from cadenza.domain.scopes import ACCESS_PREFIX


@dataclass(frozen=True)
class AppCaller:
    account_id: int
    scopes: frozenset[str] | None  # None: the listener's own session, every scope
    client_id: str | None = None  # the authorised app, when an app calls

    def may(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    def require(self, *scopes: str) -> None:
        missing = [s for s in scopes if not self.may(s)]
        if missing:
            raise Forbidden(
                f"this app was not granted {', '.join(missing)}",
                code="insufficient_scope",
            )


def _caller(
    sessions: SessionsDep, apps: OAuthAppsDep, authorization: str | None
) -> AppCaller | str:
    """The caller, or the client id of an app calling with a client-credentials token."""
    token = _bearer(authorization)
    if token is None:
        raise Unauthorized(
            "send an access token: Authorization: Bearer <token>", code="authentication_required"
        )
    if token.startswith(ACCESS_PREFIX):
        holder = apps.holder(token)
        if holder.account_id is None:
            return holder.client_id
        return AppCaller(holder.account_id, holder.scopes, holder.client_id)
    claims = sessions.authenticate(token)
    return AppCaller(claims.account_id, None)


def app_caller(
    sessions: SessionsDep,
    apps: OAuthAppsDep,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> AppCaller:
    found = _caller(sessions, apps, authorization)
    if isinstance(found, str):
        raise Forbidden(
            "this needs a listener's authorisation: a client-credentials token reads only the "
            "catalog",
            code="user_token_required",
        )
    return found


def catalog_listener(
    sessions: SessionsDep,
    apps: OAuthAppsDep,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> int | None:
    """For catalog routes: the listener an app (or the web player) speaks for, or None for an
    app's client-credentials token."""
    found = _caller(sessions, apps, authorization)
    return None if isinstance(found, str) else found.account_id


CatalogListener = Annotated[int | None, Depends(catalog_listener)]


AppCallerDep = Annotated[AppCaller, Depends(app_caller)]


def needs(*scopes: str) -> Callable[[AppCaller], AppCaller]:
    """A dependency: the caller, refused with 403 `insufficient_scope` without every scope."""

    def check(caller: AppCallerDep) -> AppCaller:
        caller.require(*scopes)
        return caller

    return check
