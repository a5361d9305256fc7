"""Who is asking, from a Subsonic request's parameters: an API key (`apiKey`, OpenSubsonic's
apiKeyAuthentication), a token (`u` + `t` = md5(app password + `s`) + `s`), or, where the
operator allows it, an app password in the clear (`p`, or `p=enc:` and its hex). Never the
account's own password: listeners make app keys and app passwords in their account page."""

from __future__ import annotations

from cadenza.api.subsonic.params import Params
from cadenza.api.subsonic.render import SubsonicError
from cadenza.domain.errors import ChallengeRequired, TooManyAttempts, Unauthorized
from cadenza.services.app_access import AppAccess, AppIdentity

WRONG = "Wrong username or password."


def identify(params: Params, access: AppAccess, ip: str | None, plain_allowed: bool) -> AppIdentity:
    key, user = params.get("apiKey"), params.get("u")
    token, salt, password = params.get("t"), params.get("s"), params.get("p")
    try:
        if key is not None:
            if user is not None or token is not None or password is not None:
                raise SubsonicError(43, "Multiple conflicting authentication mechanisms provided.")
            return access.by_key(key, ip)
        if user is None:
            raise SubsonicError(10, "required parameter is missing: u (or apiKey)")
        if token is not None or salt is not None:
            if not token or not salt:
                raise SubsonicError(10, "token authentication needs both t and s")
            return access.by_token(user, token, salt, ip)
        if password is None:
            raise SubsonicError(10, "required parameter is missing: t and s, or apiKey")
        if not plain_allowed:
            raise SubsonicError(
                42,
                "Passwords in the clear are turned off on this server: use token "
                "authentication (an app password) or an API key.",
            )
        return access.by_password(user, _plain(password), ip)
    except Unauthorized as refused:
        if refused.code == "invalid_api_key":
            raise SubsonicError(44, "Invalid API key.") from None
        raise SubsonicError(40, WRONG) from None
    except (TooManyAttempts, ChallengeRequired):
        raise SubsonicError(40, "Too many failed sign-ins; wait before trying again.") from None


def _plain(password: str) -> str:
    if not password.startswith("enc:"):
        return password
    try:
        return bytes.fromhex(password[4:]).decode()
    except ValueError:
        raise SubsonicError(40, WRONG) from None
