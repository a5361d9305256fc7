"""Short-lived access tokens, signed with the server's secret: checked without a lookup of the
token itself (the session's liveness is still checked, so logging out takes effect at once)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from cadenza.domain.errors import Unauthorized


@dataclass(frozen=True)
class AccessClaims:
    account_id: int
    session_id: int
    expires: int  # unix seconds


class AccessTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, account_id: int, session_id: int, expires: datetime) -> str:
        payload = json.dumps(
            {"sub": account_id, "sid": session_id, "exp": int(expires.timestamp())}
        )
        body = _b64(payload.encode())
        return f"v1.{body}.{self._sign(body)}"

    def read(self, token: str, now: datetime) -> AccessClaims:
        try:
            version, body, signature = token.split(".")
            if version != "v1" or not hmac.compare_digest(signature, self._sign(body)):
                raise ValueError("bad signature")
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            claims = AccessClaims(int(data["sub"]), int(data["sid"]), int(data["exp"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise Unauthorized("the access token is not valid", code="invalid_token") from exc
        if claims.expires <= now.timestamp():
            raise Unauthorized("the access token has expired; refresh it", code="token_expired")
        return claims

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_secret_token() -> str:
    """A refresh token, link token or device id: 256 random bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are kept only as hashes: a stolen database holds no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
