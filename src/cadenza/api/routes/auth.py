"""Sign up, verify, log in, refresh, log out: the public side of accounts."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from cadenza.api.deps import (
    AccountsDep,
    CurrentSession,
    PasswordsDep,
    SessionsDep,
    SettingsDep,
    client_ip,
)
from cadenza.api.request_body import RequestBody
from cadenza.api.schemas import AccountOut
from cadenza.domain.accounts import REFRESH_TOKEN_TTL
from cadenza.domain.errors import Unauthorized
from cadenza.domain.territories import ISO_COUNTRIES
from cadenza.services.accounts import SignUp
from cadenza.services.sessions import LoginAttempt, TokenPair

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class SignUpIn(RequestBody):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    display_name: str = Field(max_length=100)
    country: str = Field(min_length=2, max_length=2)
    birth_date: date


class Accepted(BaseModel):
    status: str
    message: str


class VerifyIn(RequestBody):
    token: str = Field(max_length=200)


class TokenIn(RequestBody):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    totp: str | None = Field(
        default=None, max_length=40, description="authenticator or recovery code"
    )
    email_code: str | None = Field(
        default=None, max_length=12, description="the code e-mailed on a new device"
    )
    device_id: str = Field(
        min_length=1, max_length=200, description="the client's own random id, kept across launches"
    )
    device_name: str = Field(default="Unnamed device", max_length=100)
    challenge: str | None = Field(
        default=None, max_length=200, description="from a 429 challenge_required"
    )
    challenge_nonce: str | None = Field(default=None, max_length=64, description="its solution")
    web: bool = Field(
        default=False,
        description="a browser: the refresh token comes as an HttpOnly cookie, not in the body",
    )


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str | None = Field(
        description="None for a browser that asked for the cookie (`web`)"
    )
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 (the scheme's name, not a secret)


class RefreshIn(RequestBody):
    refresh_token: str | None = Field(
        default=None, max_length=200, description="None: the browser's cookie is used"
    )
    web: bool = Field(default=False, description="answer with the cookie (a browser moving to it)")


# The web player's refresh token lives in a cookie that page scripts cannot read (HttpOnly),
# that no other site's page sends (SameSite=Strict), and that goes only to these endpoints.
# A request that uses it must also carry WEB_HEADER, which a plain cross-site form cannot send.
REFRESH_COOKIE = "cadenza_refresh"
COOKIE_PATH = "/api/v1/auth"
WEB_HEADER = "x-cadenza-web"


def _tokens_out(pair: TokenPair, request: Request, response: Response, web: bool) -> TokenOut:
    if not web:
        return TokenOut(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
        )
    response.set_cookie(
        REFRESH_COOKIE,
        pair.refresh_token,
        max_age=int(REFRESH_TOKEN_TTL.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=_https(request),
    )
    return TokenOut(access_token=pair.access_token, refresh_token=None, expires_in=pair.expires_in)


def _https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def _web_refresh_token(request: Request) -> str:
    token = request.cookies.get(REFRESH_COOKIE)
    if not token or len(token) > 200:
        raise Unauthorized("no refresh token: log in again", code="invalid_token")
    if request.headers.get(WEB_HEADER) != "1":
        raise Unauthorized(
            f"a refresh with the cookie needs the {WEB_HEADER} header", code="web_header_required"
        )
    return token


@router.post("/signup", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
def sign_up(body: SignUpIn, request: Request, accounts: AccountsDep) -> Accepted:
    """The same answer whether or not the address already has an account."""
    accounts.sign_up(
        SignUp(body.email, body.password, body.display_name, body.country, body.birth_date),
        client_ip(request),
    )
    return Accepted(status="accepted", message="Check your e-mail to confirm your address.")


@router.post("/verify-email", response_model=AccountOut)
def verify_email(body: VerifyIn, accounts: AccountsDep) -> AccountOut:
    return AccountOut.of(accounts.verify_email(body.token))


@router.post("/token", response_model=TokenOut)
def token(
    body: TokenIn,
    request: Request,
    response: Response,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> TokenOut:
    """Log in. A new device or country may answer 401 `email_code_required` (a code was
    e-mailed: send it back as `email_code`), two-factor accounts `totp_required`."""
    pair = sessions.login(
        LoginAttempt(
            email=body.email,
            password=body.password,
            device_id=body.device_id,
            device_name=body.device_name,
            ip=client_ip(request),
            country=request_country(request, settings.country_header),
            totp=body.totp,
            email_code=body.email_code,
            proof=(body.challenge, body.challenge_nonce)
            if body.challenge and body.challenge_nonce
            else None,
        )
    )
    return _tokens_out(pair, request, response, body.web)


@router.post("/refresh", response_model=TokenOut)
def refresh(
    body: RefreshIn, request: Request, response: Response, sessions: SessionsDep
) -> TokenOut:
    """Swap a refresh token for new tokens; each refresh token works once. Without one in the
    body, the browser's cookie is used (with the `X-Cadenza-Web: 1` header) and renewed."""
    given = body.refresh_token
    if given is None:
        pair = sessions.refresh(_web_refresh_token(request), tabs_may_race=True)
    else:
        pair = sessions.refresh(given)
    return _tokens_out(pair, request, response, web=given is None or body.web)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(session: CurrentSession, sessions: SessionsDep, response: Response) -> None:
    sessions.end_session(session.account_id, session.session_id)
    response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


class ResetIn(RequestBody):
    email: str = Field(max_length=254)


class ResetConfirmIn(RequestBody):
    token: str = Field(max_length=200)
    password: str = Field(max_length=1024)


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
def request_password_reset(body: ResetIn, request: Request, passwords: PasswordsDep) -> Accepted:
    """Mails a single-use link valid for an hour; answers the same for any address."""
    passwords.request_reset(body.email, client_ip(request))
    return Accepted(
        status="accepted", message="If the address has an account, a link is on its way."
    )


@router.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(body: ResetConfirmIn, passwords: PasswordsDep) -> None:
    """Sets the new password, unlocks the account and ends every session."""
    passwords.reset(body.token, body.password)


@router.post("/lock", status_code=status.HTTP_204_NO_CONTENT)
def lock_account(body: VerifyIn, passwords: PasswordsDep) -> None:
    """The "this wasn't me" link of a new-sign-in alert: locks the account, ends every session
    and mails a password reset link."""
    passwords.lock(body.token)


def request_country(request: Request, header: str | None) -> str | None:
    """The client's country as the trusted proxy's header gives it, if it is a real one."""
    value = request.headers.get(header, "").strip().upper() if header else ""
    return value if value in ISO_COUNTRIES else None
