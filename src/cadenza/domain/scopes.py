"""OAuth 2.0 for third-party apps: the scopes (named as Spotify names them), the limits on a
registered app, and the plain words the consent page shows for each scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

# scope -> what the listener reads on the consent page
SCOPES: dict[str, str] = {
    "user-read-private": "See your plan, country and explicit-content setting",
    "user-read-email": "See your e-mail address",
    "user-library-read": "See your saved songs and albums",
    "user-library-modify": "Save and remove songs and albums in your library",
    "playlist-read-private": "See your private playlists",
    "playlist-read-collaborative": "See playlists you collaborate on",
    "playlist-modify-public": "Create, edit and follow your public playlists",
    "playlist-modify-private": "Create and edit your private playlists",
    "user-read-playback-state": "See what plays on your devices, and the devices",
    "user-modify-playback-state": "Control playback on your devices",
    "user-read-currently-playing": "See what you are playing now",
    "user-read-recently-played": "See what you played recently",
    "user-top-read": "See your top artists and songs",
    "user-follow-read": "See whom you follow",
    "user-follow-modify": "Follow and unfollow artists and listeners",
    "streaming": "Play music in the app",
}

ACCESS_TOKEN_TTL = timedelta(hours=1)  # as Spotify's
REFRESH_TOKEN_TTL = timedelta(days=90)  # each use rotates it
AUTHORIZATION_CODE_TTL = timedelta(minutes=10)  # RFC 6749 4.1.2
DEVICE_CODE_TTL = timedelta(minutes=10)
DEVICE_POLL_INTERVAL = 5  # seconds (RFC 8628 3.2)

MAX_APPS_PER_ACCOUNT = 20
MAX_REDIRECT_URIS = 10
MAX_APP_NAME = 64
MAX_DESCRIPTION = 300
MAX_REDIRECT_URI = 512

ACCESS_PREFIX = "cza_"  # an app's access token; a first-party one starts with "v1."
REFRESH_PREFIX = "czr_"


def parse_scopes(text: str | None) -> list[str]:
    """Known scopes, in the order given, without repeats; unknown names are dropped (RFC 6749
    3.3 lets the server grant less than asked; the token response says what was granted)."""
    seen: list[str] = []
    for name in (text or "").split():
        if name in SCOPES and name not in seen:
            seen.append(name)
    return seen


def unknown_scopes(text: str | None) -> list[str]:
    return [name for name in (text or "").split() if name not in SCOPES]


def normalise_user_code(text: str) -> str:
    """What the listener typed for a device's code: case, spaces and dashes do not matter."""
    return "".join(c for c in text.upper() if c.isalnum())


def redirect_uri_problem(uri: str) -> str | None:
    """Why a redirect URI cannot be registered, or None. https anywhere; http only to this
    machine (loopback, RFC 8252 7.3); a private scheme for native apps (RFC 8252 7.1); never a
    fragment (RFC 6749 3.1.2)."""
    if not uri or len(uri) > MAX_REDIRECT_URI or any(c.isspace() for c in uri):
        return f"a redirect URI of 1 to {MAX_REDIRECT_URI} characters without spaces"
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        return "a redirect URI may not have a fragment (#...)"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http":
        if parts.hostname in {"localhost", "127.0.0.1", "::1"}:
            return None
        return "http redirect URIs only to localhost or 127.0.0.1; use https"
    if parts.scheme and "." in parts.scheme and parts.scheme not in {"javascript", "data"}:
        return None  # a native app's private scheme: com.example.app:/callback
    return "a redirect URI with https, http to localhost, or an app scheme like com.example.app:"


@dataclass(frozen=True)
class RegisteredApp:
    id: int
    owner_id: int
    name: str
    description: str
    client_id: str
    redirect_uris: list[str]
    created_at: datetime
    secret_rotated_at: datetime


@dataclass(frozen=True)
class AppAccess:
    """An app a listener authorised: what it may do, since when."""

    client_id: str
    app_name: str
    scopes: list[str]
    granted_at: datetime
    last_used: datetime | None


@dataclass(frozen=True)
class TokenHolder:
    """Who an app's live access token speaks for: None account_id for a client-credentials
    token (the app alone, no listener)."""

    account_id: int | None
    client_id: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class CodeRecord:
    app_id: int
    client_id: str
    account_id: int
    redirect_uri: str | None
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    family: str
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class TokenRecord:
    id: int
    app_id: int
    client_id: str
    account_id: int | None
    scope: str
    family: str
    refresh_expires_at: datetime | None
    refresh_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class DeviceRecord:
    id: int
    app_id: int
    client_id: str
    app_name: str
    scope: str
    expires_at: datetime
    account_id: int | None
    decision: str | None
    last_poll_at: datetime | None
    used_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    access_hash: str
    refresh_hash: str | None
    app_id: int
    account_id: int | None
    scope: str
    family: str
    issued_at: datetime
    access_expires_at: datetime
    refresh_expires_at: datetime | None


@dataclass(frozen=True)
class ExternalIdentity:
    provider: str
    subject: str
    account_id: int
    email: str | None
    linked_at: datetime


@dataclass(frozen=True)
class HttpCall:
    """An OAuth endpoint's request as the protocol library needs it."""

    method: str
    url: str
    headers: dict[str, str]
    form: dict[str, str]
    query: dict[str, str]


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: dict[str, object] | str
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class ConsentRequest:
    """What the consent page shows: the app, what it asks for, where the answer goes."""

    client_id: str
    app_name: str
    app_description: str
    scopes: list[str]
    redirect_uri: str
    already_granted: bool


class OAuthRefusal(Exception):
    """An authorization request refused per RFC 6749 4.1.2.1: `redirect` is where to send the
    listener's browser with the error, or None when the client or its redirect URI is not
    right (then the page shows the error and never redirects)."""

    def __init__(self, error: str, description: str, redirect: str | None) -> None:
        super().__init__(description)
        self.error, self.description, self.redirect = error, description, redirect


@dataclass(frozen=True)
class OidcProvider:
    """An OpenID provider the operator configured for sign-in."""

    name: str  # in addresses: /api/v1/auth/oidc/NAME/...
    display_name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"


@dataclass(frozen=True)
class IdClaims:
    """What a checked ID token says about the person."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None
