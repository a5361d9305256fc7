"""A listener's keys and passwords for Subsonic apps (OpenSubsonic under /rest): make one for
each app, see them listed by name, revoke one. The secret is shown once, when it is made."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from cadenza.api.deps import AppAccessDep, CurrentSession, Id
from cadenza.api.request_body import RequestBody
from cadenza.domain.app_access import AppCredential, AppCredentialKind

router = APIRouter(prefix="/api/v1/me", tags=["app access"])


class AppCredentialIn(RequestBody):
    name: str = Field(min_length=1, max_length=100, description="The app it is for, e.g. DSub")


class AppCredentialOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="Its first characters, to tell it apart")
    created_at: datetime
    last_used: datetime | None

    @classmethod
    def of(cls, found: AppCredential) -> AppCredentialOut:
        return cls(
            id=found.id,
            name=found.name,
            prefix=found.prefix,
            created_at=found.created_at,
            last_used=found.last_used,
        )


class NewAppKeyOut(AppCredentialOut):
    key: str = Field(description="The API key (OpenSubsonic `apiKey`): shown only now")


class NewAppPasswordOut(AppCredentialOut):
    password: str = Field(description="The app password (Subsonic `u` + `t` + `s`): shown only now")
    username: str = Field(description="What the app signs in as: the account's e-mail")


@router.get("/app-keys", response_model=list[AppCredentialOut])
def app_keys(session: CurrentSession, access: AppAccessDep) -> list[AppCredentialOut]:
    """The listener's live API keys for apps (their prefixes: the keys are kept as hashes)."""
    return [AppCredentialOut.of(k) for k in access.list(session.account_id, AppCredentialKind.KEY)]


@router.post("/app-keys", status_code=status.HTTP_201_CREATED, response_model=NewAppKeyOut)
def create_app_key(
    body: AppCredentialIn, session: CurrentSession, access: AppAccessDep
) -> NewAppKeyOut:
    """A new API key for a Subsonic app (`apiKey=`), shown in full only in this answer."""
    made, plain = access.create(session.account_id, AppCredentialKind.KEY, body.name)
    return NewAppKeyOut(**AppCredentialOut.of(made).model_dump(), key=plain)


@router.delete("/app-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_app_key(key_id: Id, session: CurrentSession, access: AppAccessDep) -> None:
    access.revoke(session.account_id, AppCredentialKind.KEY, key_id)


@router.get("/app-passwords", response_model=list[AppCredentialOut])
def app_passwords(session: CurrentSession, access: AppAccessDep) -> list[AppCredentialOut]:
    found = access.list(session.account_id, AppCredentialKind.PASSWORD)
    return [AppCredentialOut.of(p) for p in found]


@router.post(
    "/app-passwords", status_code=status.HTTP_201_CREATED, response_model=NewAppPasswordOut
)
def create_app_password(
    body: AppCredentialIn, session: CurrentSession, access: AppAccessDep
) -> NewAppPasswordOut:
    """A new app password for a Subsonic app that signs in with a user name and password
    (token authentication), shown in full only in this answer. Not the account's password:
    revoking it signs out that app alone."""
    made, plain = access.create(session.account_id, AppCredentialKind.PASSWORD, body.name)
    username = access.username(session.account_id)
    return NewAppPasswordOut(
        **AppCredentialOut.of(made).model_dump(), password=plain, username=username
    )


@router.delete("/app-passwords/{password_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_app_password(password_id: Id, session: CurrentSession, access: AppAccessDep) -> None:
    access.revoke(session.account_id, AppCredentialKind.PASSWORD, password_id)
