"""OpenID Connect, the relying party's side: the provider's discovery document and keys
(cached), the authorization URL (state, nonce, PKCE S256), and the code exchanged for an ID
token checked with joserfc (signature by the provider's published keys, issuer, audience,
expiry, nonce). HTTPS only, except to a provider on this machine (loopback)."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from authlib.common.urls import add_params_to_uri
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from cadenza.domain.errors import Unauthorized
from cadenza.domain.scopes import IdClaims, OidcProvider

TIMEOUT_S = 10.0
MAX_BYTES = 256 * 1024  # a discovery document, a key set or a token answer
CACHE_S = 3600.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"]


class OpenIdRelyingParty:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}

    def authorization_url(
        self,
        provider: OidcProvider,
        redirect_uri: str,
        state: str,
        nonce: str,
        code_challenge: str,
    ) -> str:
        meta = self._discovery(provider.issuer)
        params = [
            ("response_type", "code"),
            ("client_id", provider.client_id),
            ("redirect_uri", redirect_uri),
            ("scope", provider.scopes),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", code_challenge),
            ("code_challenge_method", "S256"),
        ]
        return str(add_params_to_uri(str(meta["authorization_endpoint"]), params))

    def exchange(
        self,
        provider: OidcProvider,
        code: str,
        code_verifier: str,
        redirect_uri: str,
        nonce: str,
    ) -> IdClaims:
        meta = self._discovery(provider.issuer)
        basic = base64.b64encode(f"{provider.client_id}:{provider.client_secret}".encode())
        answer = _fetch(
            str(meta["token_endpoint"]),
            data=urlencode(
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": code_verifier,
                }
            ).encode(),
            headers={"Authorization": f"Basic {basic.decode()}"},
        )
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise _refused("the provider sent no ID token")
        keys = KeySet.import_key_set(_fetch(str(meta["jwks_uri"]), cache=self))  # type: ignore[arg-type]
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(
                leeway=60,
                iss={"essential": True, "value": provider.issuer},
                aud={"essential": True, "value": provider.client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise _refused("the provider's ID token did not check out") from exc
        claims = token.claims
        azp = claims.get("azp")
        if azp is not None and azp != provider.client_id:
            raise _refused("the ID token was issued to another app")
        email = claims.get("email")
        verified = claims.get("email_verified")
        return IdClaims(
            subject=str(claims["sub"])[:255],
            email=email[:254] if isinstance(email, str) and "@" in email else None,
            email_verified=verified is True or verified == "true",
            name=str(claims["name"])[:100] if claims.get("name") else None,
        )

    def _discovery(self, issuer: str) -> dict[str, Any]:
        meta = _fetch(issuer.rstrip("/") + "/.well-known/openid-configuration", cache=self)
        if meta.get("issuer") != issuer:
            raise _refused("the provider's discovery document names another issuer")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(meta.get(key), str):
                raise _refused(f"the provider's discovery document has no {key}")
        return meta

    def cached(self, url: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._cache.get(url)
        return found[1] if found and found[0] > time.monotonic() else None

    def keep(self, url: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._cache[url] = (time.monotonic() + CACHE_S, value)


def _fetch(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    cache: OpenIdRelyingParty | None = None,
) -> dict[str, Any]:
    if cache is not None and (found := cache.cached(url)) is not None:
        return found
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise _refused("the provider must be reached over https")
    request = urllib.request.Request(  # noqa: S310 (checked: https, or http to loopback)
        url, data=data, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            body = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise _refused("the provider could not be reached or refused the sign-in") from exc
    if len(body) > MAX_BYTES:
        raise _refused("the provider's answer is too large")
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise _refused("the provider's answer is not JSON") from exc
    if not isinstance(value, dict):
        raise _refused("the provider's answer is not a JSON object")
    if cache is not None:
        cache.keep(url, value)
    return value


def _refused(message: str) -> Unauthorized:
    return Unauthorized(message, code="external_sign_in_failed")
