"""OAuth 2.0 for third-party apps and external sign-in: registered apps, consents, codes,
tokens, device codes, and identities at OpenID providers. Codes and tokens go in and out as
hashes only."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.scopes import (
    AppAccess,
    CodeRecord,
    ConsentRequest,
    DeviceRecord,
    ExternalIdentity,
    HttpAnswer,
    HttpCall,
    IdClaims,
    NewToken,
    OidcProvider,
    RegisteredApp,
    TokenHolder,
    TokenRecord,
)


class OAuthAppRepository(Protocol):
    """Apps developers registered."""

    def add_app(
        self,
        owner_id: int,
        name: str,
        description: str,
        client_id: str,
        secret_hash: str,
        redirect_uris: list[str],
        now: datetime,
    ) -> RegisteredApp: ...

    def apps_of(self, owner_id: int) -> list[RegisteredApp]: ...

    def all_apps(self, limit: int) -> list[tuple[RegisteredApp, int]]:
        """Every app, each with how many listeners it has access to."""
        ...

    def count_apps(self, owner_id: int) -> int: ...

    def app_by_client_id(self, client_id: str) -> tuple[RegisteredApp, str] | None:
        """The app and its secret's hash."""
        ...

    def update_app(
        self,
        app_id: int,
        name: str | None,
        description: str | None,
        redirect_uris: list[str] | None,
    ) -> None: ...

    def set_secret(self, app_id: int, secret_hash: str, now: datetime) -> None: ...

    def delete_app(self, app_id: int) -> None: ...


class OAuthGrantRepository(Protocol):
    """Listeners' consents, authorization codes and device codes."""

    def consent(self, account_id: int, app_id: int) -> list[str] | None: ...

    def save_consent(self, account_id: int, app_id: int, scopes: list[str], now: datetime) -> None:
        """Adds the scopes to the consent (made when there is none)."""
        ...

    def consents_of(self, account_id: int) -> list[AppAccess]: ...

    def drop_consent(self, account_id: int, app_id: int) -> bool: ...

    def drop_pending(self, account_id: int, app_id: int, now: datetime) -> None:
        """Codes not yet exchanged and device codes not yet collected: spent."""
        ...

    def add_code(self, code_hash: str, record: CodeRecord) -> None: ...

    def code(self, code_hash: str) -> CodeRecord | None: ...

    def spend_code(self, code_hash: str, now: datetime) -> bool:
        """True for the one call that marks an unused code used."""
        ...

    def add_device_code(
        self,
        device_hash: str,
        user_code_hash: str,
        app_id: int,
        scope: str,
        expires_at: datetime,
    ) -> None: ...

    def device_by_device_code(self, device_hash: str) -> DeviceRecord | None: ...

    def device_by_user_code(self, user_code_hash: str) -> DeviceRecord | None: ...

    def decide_device(self, device_id: int, account_id: int, decision: str) -> bool:
        """True when the code had no decision yet."""
        ...

    def polled(self, device_id: int, now: datetime) -> None: ...

    def spend_device(self, device_id: int, now: datetime) -> bool: ...

    def prune_grants(self, now: datetime) -> int:
        """Forget expired codes and device codes."""
        ...


class OAuthTokenRepository(Protocol):
    """Access and refresh tokens issued to apps."""

    def add_token(self, token: NewToken) -> None: ...

    def holder(self, access_hash: str, now: datetime) -> TokenHolder | None:
        """Who a live, unrevoked access token speaks for."""
        ...

    def by_refresh(self, refresh_hash: str) -> TokenRecord | None: ...

    def spend_refresh(self, token_id: int, now: datetime) -> bool:
        """True for the one call that marks a live refresh token used (rotation)."""
        ...

    def revoke_family(self, family: str, now: datetime) -> None: ...

    def revoke_app_tokens(self, app_id: int, account_id: int | None, now: datetime) -> None:
        """Every token of the app (for the listener, or for everyone with None)."""
        ...

    def revoke_token(self, token_hash: str, client_id: str, now: datetime) -> bool:
        """RFC 7009: the access or refresh token with this hash, if the app's."""
        ...

    def touch_consent(self, account_id: int, app_id: int, now: datetime) -> None: ...

    def prune_tokens(self, now: datetime) -> int: ...


class ExternalIdentityRepository(Protocol):
    """Accounts' identities at OpenID providers, and sign-ins under way."""

    def identity(self, provider: str, subject: str) -> ExternalIdentity | None: ...

    def identities_of(self, account_id: int) -> list[ExternalIdentity]: ...

    def link(
        self, provider: str, subject: str, account_id: int, email: str | None, now: datetime
    ) -> bool:
        """False when the identity is linked already."""
        ...

    def unlink(self, account_id: int, provider: str) -> bool: ...

    def add_step(
        self, kind: str, key_hash: str, provider: str, data: dict[str, str], expires: datetime
    ) -> None: ...

    def take_step(
        self, kind: str, key_hash: str, now: datetime
    ) -> tuple[str, dict[str, str]] | None:
        """The provider and data of a live step, deleted as it is read (used once)."""
        ...

    def prune_steps(self, now: datetime) -> int: ...


class OAuthProtocol(Protocol):
    """The OAuth 2.0 authorization server's endpoints (RFC 6749, 7636, 7009, 8628)."""

    def token(self, call: HttpCall) -> HttpAnswer: ...

    def device_authorization(self, call: HttpCall) -> HttpAnswer: ...

    def revoke(self, call: HttpCall) -> HttpAnswer: ...

    def consent_request(self, call: HttpCall, account_id: int) -> ConsentRequest:
        """Raises OAuthRefusal."""
        ...

    def decide(self, call: HttpCall, account_id: int, approve: bool) -> str:
        """The URL to send the listener's browser to (the app's redirect URI with a code, or
        with an error). Raises OAuthRefusal."""
        ...


class OpenIdClient(Protocol):
    """The relying party's side of OpenID Connect: discovery, the authorization URL, and the
    code exchanged for a checked ID token."""

    def authorization_url(
        self,
        provider: OidcProvider,
        redirect_uri: str,
        state: str,
        nonce: str,
        code_challenge: str,
    ) -> str: ...

    def exchange(
        self,
        provider: OidcProvider,
        code: str,
        code_verifier: str,
        redirect_uri: str,
        nonce: str,
    ) -> IdClaims:
        """Raises Unauthorized when the provider refuses or the ID token is not right."""
        ...


class OAuthRepositories(Protocol):
    """The unit of work's `oauth`: each part its own repository."""

    @property
    def apps(self) -> OAuthAppRepository: ...

    @property
    def grants(self) -> OAuthGrantRepository: ...

    @property
    def tokens(self) -> OAuthTokenRepository: ...

    @property
    def identities(self) -> ExternalIdentityRepository: ...
