"""A developer's registered apps (`/api/v1/me/apps`), and the apps a listener authorised
(`/api/v1/me/authorized-apps`), with revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from cadenza.api.deps import CurrentSession, OAuthAppsDep
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.oauth import ScopeOut, scopes_out
from cadenza.domain.scopes import (
    MAX_APP_NAME,
    MAX_DESCRIPTION,
    MAX_REDIRECT_URI,
    MAX_REDIRECT_URIS,
    RegisteredApp,
)
from cadenza.services.oauth_apps import AppWithSecret

router = APIRouter(prefix="/api/v1/me", tags=["oauth"])

ClientId = Annotated[str, Path(min_length=1, max_length=40)]
RedirectUri = Annotated[str, Field(max_length=MAX_REDIRECT_URI)]


class AppIn(RequestBody):
    name: str = Field(min_length=1, max_length=MAX_APP_NAME)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    redirect_uris: list[RedirectUri] = Field(default_factory=list, max_length=MAX_REDIRECT_URIS)


class AppPatch(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=MAX_APP_NAME)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    redirect_uris: list[RedirectUri] | None = Field(default=None, max_length=MAX_REDIRECT_URIS)


class RegisteredAppOut(BaseModel):
    client_id: str
    name: str
    description: str
    redirect_uris: list[str]
    created_at: datetime
    secret_rotated_at: datetime

    @classmethod
    def of(cls, app: RegisteredApp) -> RegisteredAppOut:
        return cls(
            client_id=app.client_id,
            name=app.name,
            description=app.description,
            redirect_uris=app.redirect_uris,
            created_at=app.created_at,
            secret_rotated_at=app.secret_rotated_at,
        )


class AppWithSecretOut(RegisteredAppOut):
    client_secret: str = Field(description="shown this once: keep it; rotate it if it leaks")

    @classmethod
    def with_secret(cls, made: AppWithSecret) -> AppWithSecretOut:
        return cls(**RegisteredAppOut.of(made.app).model_dump(), client_secret=made.client_secret)


class AuthorizedAppOut(BaseModel):
    client_id: str
    name: str
    scopes: list[ScopeOut]
    granted_at: datetime
    last_used: datetime | None


@router.get("/apps", response_model=list[RegisteredAppOut])
def my_apps(session: CurrentSession, apps: OAuthAppsDep) -> list[RegisteredAppOut]:
    return [RegisteredAppOut.of(a) for a in apps.apps(session.account_id)]


@router.post("/apps", response_model=AppWithSecretOut, status_code=status.HTTP_201_CREATED)
def register_app(body: AppIn, session: CurrentSession, apps: OAuthAppsDep) -> AppWithSecretOut:
    """A new app: its client id, and its secret shown this once."""
    made = apps.register(session.account_id, body.name, body.description, body.redirect_uris)
    return AppWithSecretOut.with_secret(made)


@router.patch("/apps/{client_id}", response_model=RegisteredAppOut)
def update_app(
    client_id: ClientId, body: AppPatch, session: CurrentSession, apps: OAuthAppsDep
) -> RegisteredAppOut:
    found = apps.update(
        session.account_id, client_id, body.name, body.description, body.redirect_uris
    )
    return RegisteredAppOut.of(found)


@router.post("/apps/{client_id}/secret", response_model=AppWithSecretOut)
def rotate_secret(
    client_id: ClientId, session: CurrentSession, apps: OAuthAppsDep
) -> AppWithSecretOut:
    """A new secret, shown once; the old one stops working at once."""
    return AppWithSecretOut.with_secret(apps.rotate_secret(session.account_id, client_id))


@router.delete("/apps/{client_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_app(client_id: ClientId, session: CurrentSession, apps: OAuthAppsDep) -> None:
    """The app and every listener's access to it (their tokens stop working at once)."""
    apps.delete(session.account_id, client_id)


@router.get("/authorized-apps", response_model=list[AuthorizedAppOut])
def authorized_apps(session: CurrentSession, apps: OAuthAppsDep) -> list[AuthorizedAppOut]:
    """Apps with access to this account: what each may do, since when."""
    return [
        AuthorizedAppOut(
            client_id=a.client_id,
            name=a.app_name,
            scopes=scopes_out(a.scopes),
            granted_at=a.granted_at,
            last_used=a.last_used,
        )
        for a in apps.with_access(session.account_id)
    ]


@router.delete("/authorized-apps/{client_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_app(client_id: ClientId, session: CurrentSession, apps: OAuthAppsDep) -> None:
    """The app loses access: its tokens for this account stop working at once."""
    apps.revoke(session.account_id, client_id)
