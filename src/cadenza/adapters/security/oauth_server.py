"""The OAuth 2.0 authorization server, built on Authlib's protocol code: authorization code with
PKCE (S256; a public client without a secret must use it), refresh tokens (rotated: a replayed
one revokes every token of its approval), client credentials (the app alone, no listener),
device authorization (RFC 8628) and token revocation (RFC 7009).

Authlib does the protocol (parameters, client authentication, PKCE, error answers per RFC 6749
5.2 and 4.1.2.1); this module stores what it hands over, through the unit of work, as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8628 import (
    DEVICE_CODE_GRANT_TYPE,
    DeviceAuthorizationEndpoint,
    DeviceCodeGrant,
)

from cadenza.domain.scopes import (
    ACCESS_PREFIX,
    ACCESS_TOKEN_TTL,
    AUTHORIZATION_CODE_TTL,
    DEVICE_CODE_TTL,
    DEVICE_POLL_INTERVAL,
    REFRESH_PREFIX,
    REFRESH_TOKEN_TTL,
    SCOPES,
    CodeRecord,
    ConsentRequest,
    DeviceRecord,
    HttpAnswer,
    HttpCall,
    NewToken,
    OAuthRefusal,
    RegisteredApp,
    TokenRecord,
    normalise_user_code,
    parse_scopes,
)
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork


def token_hash(token: str) -> str:
    """SHA-256, as services.access_tokens.token_hash: the services look tokens up by it."""
    return hashlib.sha256(token.encode()).hexdigest()


GRANT_TYPES = {"authorization_code", "refresh_token", "client_credentials", DEVICE_CODE_GRANT_TYPE}
SECRET_METHODS = ["client_secret_basic", "client_secret_post"]
ANY_METHOD = [*SECRET_METHODS, "none"]


class Listener:
    """The resource owner, as Authlib passes it around."""

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id

    def get_user_id(self) -> int:
        return self.account_id


class Client:
    def __init__(self, app: RegisteredApp, secret_hash: str) -> None:
        self.app, self.secret_hash = app, secret_hash

    def get_client_id(self) -> str:
        return self.app.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # redirect_uri is required, as at Spotify

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(parse_scopes(scope))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.app.redirect_uris  # exactly, character for character

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(token_hash(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ANY_METHOD

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES


class Code:
    def __init__(self, record: CodeRecord) -> None:
        self.record = record
        self.code_challenge = record.code_challenge
        self.code_challenge_method = record.code_challenge_method

    def get_redirect_uri(self) -> str | None:
        return self.record.redirect_uri

    def get_scope(self) -> str:
        return self.record.scope


class Refresh:
    def __init__(self, record: TokenRecord, now: datetime) -> None:
        self.record, self.now = record, now

    def check_client(self, client: Client) -> bool:
        return self.record.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.record.scope

    def is_expired(self) -> bool:
        expires = self.record.refresh_expires_at
        return expires is None or expires <= self.now

    def is_revoked(self) -> bool:
        return self.record.revoked_at is not None


class DeviceCredential:
    def __init__(self, record: DeviceRecord, now: datetime) -> None:
        self.record, self.now = record, now

    def get_client_id(self) -> str:
        return self.record.client_id

    def get_scope(self) -> str:
        return self.record.scope

    def get_user_code(self) -> str:
        return str(self.record.id)

    def is_expired(self) -> bool:
        return self.record.expires_at <= self.now


class Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, data: dict[str, str]) -> None:
        self._data = data

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> Any:
        return {key: [value] for key, value in self._data.items()}


class Headers(dict[str, str]):
    """Header names in any case, as HTTP has them."""

    def __init__(self, given: dict[str, str]) -> None:
        super().__init__({k.lower(): v for k, v in given.items()})

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


class Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, call: HttpCall) -> None:
        # Authlib refuses plain http unless told otherwise; TLS is the reverse proxy's business
        # here (a self-hosted server on a LAN), so the library sees an https address.
        uri = "https://" + call.url.split("://", 1)[-1]
        super().__init__(call.method, uri, headers=Headers(call.headers))
        self.call = call
        self.payload = Payload({**call.query, **call.form})
        self.family: str | None = None

    @property
    def args(self) -> dict[str, str]:
        return self.call.query

    @property
    def form(self) -> dict[str, str]:
        return self.call.form


class S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE with S256 only: `plain` would hand the verifier to whoever saw the request."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)


class CadenzaAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, store: Store) -> None:
        super().__init__(scopes_supported=set(SCOPES))
        self.store = store
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                lambda *_a, **_k: ACCESS_PREFIX + secrets.token_urlsafe(32),
                lambda *_a, **_k: REFRESH_PREFIX + secrets.token_urlsafe(32),
                lambda _client, _grant: int(ACCESS_TOKEN_TTL.total_seconds()),
            ),
        )

    def query_client(self, client_id: str) -> Client | None:
        return self.store.client(client_id)

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        self.store.save_token(token, request)

    def create_oauth2_request(self, request: Any) -> Request:
        return request if isinstance(request, Request) else Request(request)

    def create_json_request(self, request: Any) -> Any:
        # Authlib's hook for endpoints that take a JSON body; every endpoint here takes form
        # parameters (RFC 6749), so a JSON request is an invalid one.
        raise InvalidRequestError("send form parameters (application/x-www-form-urlencoded)")

    def handle_response(self, status: int, body: Any, headers: Any) -> HttpAnswer:
        return HttpAnswer(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None


class Store:
    """What the grants read and write, each call its own transaction."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def client(self, client_id: str) -> Client | None:
        if not client_id or len(client_id) > 40:
            return None
        with self.uow() as uow:
            found = uow.oauth.apps.app_by_client_id(client_id)
        return None if found is None else Client(*found)

    def listener(self, account_id: int) -> Listener | None:
        """The account, unless it is locked or disabled (then no app gets a token for it)."""
        with self.uow() as uow:
            creds = uow.accounts.credentials(account_id)
        if creds is None or creds.disabled or creds.locked:
            return None
        return Listener(account_id)

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        now = self.clock.now()
        client: Client = request.client
        user = request.user
        refresh = token.get("refresh_token")
        family = request.family or secrets.token_hex(16)
        with self.uow() as uow:
            uow.oauth.tokens.add_token(
                NewToken(
                    access_hash=token_hash(token["access_token"]),
                    refresh_hash=token_hash(refresh) if refresh else None,
                    app_id=client.app.id,
                    account_id=user.account_id if user else None,
                    scope=token.get("scope") or "",
                    family=family,
                    issued_at=now,
                    access_expires_at=now + ACCESS_TOKEN_TTL,
                    refresh_expires_at=now + REFRESH_TOKEN_TTL if refresh else None,
                )
            )
            if user:
                uow.oauth.tokens.touch_consent(user.account_id, client.app.id, now)
            uow.commit()


class AuthorizationCode(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ANY_METHOD
    store: Store

    def save_authorization_code(self, code: str, request: Request) -> None:
        data = request.payload.data
        client: Client = request.client
        now = self.store.clock.now()
        record = CodeRecord(
            app_id=client.app.id,
            client_id=client.app.client_id,
            account_id=request.user.account_id,
            redirect_uri=data.get("redirect_uri"),
            scope=request.scope or "",
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            family=secrets.token_hex(16),
            expires_at=now + AUTHORIZATION_CODE_TTL,
            used_at=None,
        )
        with self.store.uow() as uow:
            uow.oauth.grants.add_code(token_hash(code), record)
            uow.commit()

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        now = self.store.clock.now()
        key = token_hash(code)
        with self.store.uow() as uow:
            record = uow.oauth.grants.code(key)
            if record is None or record.client_id != client.get_client_id():
                return None
            if not uow.oauth.grants.spend_code(key, now):
                # Used before: RFC 6749 4.1.2 asks to revoke what the code gave.
                uow.oauth.tokens.revoke_family(record.family, now)
                uow.commit()
                return None
            uow.commit()
        if record.expires_at <= now:
            return None
        self.request.family = record.family
        return Code(record)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        return None  # spent as it was read

    def authenticate_user(self, authorization_code: Code) -> Listener | None:
        return self.store.listener(authorization_code.record.account_id)


class RefreshToken(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ANY_METHOD
    INCLUDE_NEW_REFRESH_TOKEN = True
    store: Store

    def authenticate_refresh_token(self, refresh_token: str) -> Refresh | None:
        now = self.store.clock.now()
        with self.store.uow() as uow:
            record = uow.oauth.tokens.by_refresh(token_hash(refresh_token))
            if record is None or record.account_id is None:
                return None
            if record.refresh_used_at is not None and record.revoked_at is None:
                # A rotated refresh token came back: whoever holds it, the family ends.
                uow.oauth.tokens.revoke_family(record.family, now)
                uow.commit()
                return None
        token = Refresh(record, now)
        if token.is_expired() or token.is_revoked():
            return None
        self.request.family = record.family
        return token

    def authenticate_user(self, refresh_token: Refresh) -> Listener | None:
        account_id = refresh_token.record.account_id
        return None if account_id is None else self.store.listener(account_id)

    def revoke_old_credential(self, refresh_token: Refresh) -> None:
        now = self.store.clock.now()
        with self.store.uow() as uow:
            spent = uow.oauth.tokens.spend_refresh(refresh_token.record.id, now)
            if not spent:  # a second use racing this one: neither keeps the family
                uow.oauth.tokens.revoke_family(refresh_token.record.family, now)
            uow.commit()
        if not spent:
            raise InvalidGrantError("the refresh token was already used")


class ClientCredentials(grants.ClientCredentialsGrant):  # type: ignore[misc]
    """The app alone: a token for the catalog, never for a listener's data (no scopes)."""

    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_METHODS

    def create_token_response(self) -> tuple[int, dict[str, Any], Any]:
        token = self.generate_token(scope=None, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class DeviceCode(DeviceCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ANY_METHOD
    store: Store
    credential: DeviceCredential | None = None

    def query_device_credential(self, device_code: str) -> DeviceCredential | None:
        now = self.store.clock.now()
        with self.store.uow() as uow:
            record = uow.oauth.grants.device_by_device_code(token_hash(device_code))
            if record is None or record.used_at is not None:
                return None
            uow.oauth.grants.polled(record.id, now)
            uow.commit()
        self.credential = DeviceCredential(record, now)
        return self.credential

    def query_user_grant(self, user_code: str) -> tuple[Listener | None, bool] | None:
        credential = self.credential
        if credential is None or credential.record.decision is None:
            return None
        record = credential.record
        if record.decision != "approved" or record.account_id is None:
            return None, False
        with self.store.uow() as uow:
            spent = uow.oauth.grants.spend_device(record.id, credential.now)
            uow.commit()
        if not spent:
            raise InvalidGrantError("the device code was already used")
        listener = self.store.listener(record.account_id)
        if listener is None:
            return None, False
        return listener, True

    def should_slow_down(self, credential: DeviceCredential) -> bool:
        last = credential.record.last_poll_at
        return last is not None and (credential.now - last).total_seconds() < DEVICE_POLL_INTERVAL


class DeviceAuthorization(DeviceAuthorizationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ANY_METHOD
    EXPIRES_IN = int(DEVICE_CODE_TTL.total_seconds())
    INTERVAL = DEVICE_POLL_INTERVAL

    def __init__(self, server: CadenzaAuthorizationServer, public_url: str) -> None:
        super().__init__(server)
        self.public_url = public_url

    def get_verification_uri(self) -> str:
        return f"{self.public_url}/link"

    def save_device_credential(self, client_id: str, scope: str, data: dict[str, Any]) -> None:
        store: Store = self.server.store
        client = store.client(client_id)
        assert client is not None
        now = store.clock.now()
        granted = " ".join(parse_scopes(scope))
        data["scope"] = granted
        with store.uow() as uow:
            uow.oauth.grants.add_device_code(
                token_hash(data["device_code"]),
                token_hash(normalise_user_code(data["user_code"])),
                client.app.id,
                granted,
                now + DEVICE_CODE_TTL,
            )
            uow.commit()


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ANY_METHOD

    def query_token(self, token_string: str, token_type_hint: str | None) -> str:
        return token_string

    def revoke_token(self, token: str, request: Request) -> None:
        store: Store = self.server.store
        with store.uow() as uow:
            uow.oauth.tokens.revoke_token(
                token_hash(token), request.client.get_client_id(), store.clock.now()
            )
            uow.commit()

    def create_endpoint_response(self, request: Request) -> tuple[int, dict[str, Any], Any]:
        # RFC 7009 2.2: an unknown or someone else's token answers 200 all the same.
        self.authenticate_endpoint_client(request)
        token = request.form.get("token")
        if not token:
            raise InvalidRequestError("Missing 'token'")
        self.revoke_token(token, request)
        return 200, {}, [("Content-Type", "application/json"), ("Cache-Control", "no-store")]


class OAuthServer:
    """The port `OAuthProtocol`, over Authlib's server."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, public_url: str) -> None:
        self.store = Store(uow, clock)
        self.server = CadenzaAuthorizationServer(self.store)
        # Authlib makes a grant per request from its class: each server's classes carry its
        # own store (two Apps in one process never share one).
        own = {"store": self.store}
        code_grant = type("AuthorizationCode", (AuthorizationCode,), own)
        self.server.register_grant(code_grant, [S256Only(required=True)])
        self.server.register_grant(type("RefreshToken", (RefreshToken,), own))
        self.server.register_grant(ClientCredentials)
        self.server.register_grant(type("DeviceCode", (DeviceCode,), own))
        self.server.register_endpoint(DeviceAuthorization(self.server, public_url.rstrip("/")))
        self.server.register_endpoint(Revocation(self.server))

    def token(self, call: HttpCall) -> HttpAnswer:
        answer: HttpAnswer = self.server.create_token_response(Request(call))
        return answer

    def device_authorization(self, call: HttpCall) -> HttpAnswer:
        answer: HttpAnswer = self.server.create_endpoint_response(
            DeviceAuthorization.ENDPOINT_NAME, Request(call)
        )
        return answer

    def revoke(self, call: HttpCall) -> HttpAnswer:
        answer: HttpAnswer = self.server.create_endpoint_response(
            Revocation.ENDPOINT_NAME, Request(call)
        )
        return answer

    def consent_request(self, call: HttpCall, account_id: int) -> ConsentRequest:
        request = Request(call)
        grant = self._consent_grant(request, account_id)
        client: Client = request.client
        scopes = (request.scope or "").split()
        with self.store.uow() as uow:
            granted = uow.oauth.grants.consent(account_id, client.app.id) or []
        return ConsentRequest(
            client_id=client.app.client_id,
            app_name=client.app.name,
            app_description=client.app.description,
            scopes=scopes,
            redirect_uri=grant.redirect_uri,
            already_granted=set(scopes) <= set(granted),
        )

    def decide(self, call: HttpCall, account_id: int, approve: bool) -> str:
        request = Request(call)
        grant = self._consent_grant(request, account_id)
        if approve:
            client: Client = request.client
            with self.store.uow() as uow:
                scopes = parse_scopes(request.scope)
                uow.oauth.grants.save_consent(
                    account_id, client.app.id, scopes, self.store.clock.now()
                )
                uow.commit()
        answer: HttpAnswer = self.server.create_authorization_response(
            request, grant_user=Listener(account_id) if approve else None, grant=grant
        )
        location = dict(answer.headers).get("Location")
        if location is None:  # not expected: every answer of a valid grant redirects
            raise OAuthRefusal("server_error", "the authorization could not be made", None)
        return location

    def _consent_grant(self, request: Request, account_id: int) -> Any:
        try:
            grant = self.server.get_consent_grant(request, end_user=Listener(account_id))
        except OAuth2Error as error:
            redirect = getattr(error, "redirect_uri", None)
            raise OAuthRefusal(
                error.error,
                error.description or error.error,
                _with_error(redirect, error, request) if redirect else None,
            ) from error
        return grant


def _with_error(redirect: str, error: OAuth2Error, request: Request) -> str:
    params = [("error", error.error)]
    if error.description:
        params.append(("error_description", error.description))
    state = request.payload.data.get("state")
    if state:
        params.append(("state", state))
    return str(add_params_to_uri(redirect, params))
