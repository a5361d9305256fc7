"""Who calls the Spotify-shaped API under `/v1`: the listener's own first-party session (which
may do everything the listener may), or an app the listener authorised through OAuth (which
may do only what the granted scopes, named as Spotify names them, allow).

Routes ask for the scopes they need with `needs("user-read-private", ...)`; the plan's rules
and every per-object check stay in the services, whoever calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header

from cadenza.api.deps import SessionsDep, _bearer
from cadenza.domain.errors import Forbidden, Unauthorized


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


def app_caller(
    sessions: SessionsDep, authorization: Annotated[str | None, Header(max_length=4000)] = None
) -> AppCaller:
    token = _bearer(authorization)
    if token is None:
        raise Unauthorized(
            "send an access token: Authorization: Bearer <token>", code="authentication_required"
        )
    claims = sessions.authenticate(token)
    return AppCaller(claims.account_id, None)


AppCallerDep = Annotated[AppCaller, Depends(app_caller)]


def needs(*scopes: str) -> Callable[[AppCaller], AppCaller]:
    """A dependency: the caller, refused with 403 `insufficient_scope` without every scope."""

    def check(caller: AppCallerDep) -> AppCaller:
        caller.require(*scopes)
        return caller

    return check
