"""Who calls the Spotify-shaped API under `/v1`: the listener's own first-party session (which
may do everything the listener may), or an app the listener authorised through OAuth (which
may do only what the granted scopes, named as Spotify names them, allow).

Routes ask for the scopes they need with `needs("user-read-private", ...)`; the plan's rules
and every per-object check stay in the services, whoever calls.

An app's token (`cza_...`, from POST /api/token) is looked up by its hash: a revoked app's
tokens stop working at once. A client-credentials token speaks for the app alone: `app_caller`
(and so `needs`) refuses it with 403 `user_token_required`; catalog routes that serve apps
without a listener take `AppViewer` (a catalog Viewer for whoever calls) or `CatalogListener`
(the listener's id, or None) instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query

from cadenza.api.deps import (
    ClockDep,
    OAuthAppsDep,
    SessionsDep,
    SettingsDep,
    SubscriptionsDep,
    _bearer,
)
from cadenza.domain.catalog import Viewer
from cadenza.domain.errors import Forbidden, InvalidRequest, Unauthorized
from cadenza.domain.scopes import ACCESS_PREFIX
from cadenza.domain.territories import ISO_COUNTRIES


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


def catalog_caller(
    sessions: SessionsDep,
    apps: OAuthAppsDep,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> AppCaller | None:
    """For catalog routes: the caller, or None for an app's client-credentials token (which
    reads the catalog as nobody in particular)."""
    found = _caller(sessions, apps, authorization)
    return None if isinstance(found, str) else found


CatalogCaller = Annotated[AppCaller | None, Depends(catalog_caller)]


def app_viewer(
    sessions: SessionsDep,
    apps: OAuthAppsDep,
    subscriptions: SubscriptionsDep,
    clock: ClockDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
    market: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=2,
            description="ISO country for an app's client-credentials token; a listener's "
            "token uses the listener's own country, as Spotify's `from_token`",
        ),
    ] = None,
) -> Viewer:
    """Who looks at the catalog through /v1: the listener an app (or the web player) speaks
    for, with their country and content setting (their private playlists only with
    playlist-read-private), or, for a client-credentials token, an anonymous viewer in
    `market` (else the server's default country)."""
    found = _caller(sessions, apps, authorization)
    now = clock.now()
    if isinstance(found, AppCaller):
        listener = subscriptions.listener(found.account_id)
        return Viewer(
            country=listener.country,
            now=now,
            allow_explicit=listener.allow_explicit,
            listener_id=found.account_id if found.may("playlist-read-private") else None,
        )
    code = (market or settings.default_country or "").upper() or None
    if code is not None and code not in ISO_COUNTRIES:
        raise InvalidRequest(f"unknown market {code!r}", code="unknown_country")
    return Viewer(country=code, now=now)


AppViewer = Annotated[Viewer, Depends(app_viewer)]


AppCallerDep = Annotated[AppCaller, Depends(app_caller)]


def needs(*scopes: str) -> Callable[[AppCaller], AppCaller]:
    """A dependency: the caller, refused with 403 `insufficient_scope` without every scope."""

    def check(caller: AppCallerDep) -> AppCaller:
        caller.require(*scopes)
        return caller

    return check
