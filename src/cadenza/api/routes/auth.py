"""Sign up, verify, log in, refresh, log out: the public side of accounts."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from cadenza.api.deps import AppDep, CurrentSession, client_ip
from cadenza.api.schemas import AccountOut
from cadenza.domain.territories import ISO_COUNTRIES
from cadenza.services.accounts import SignUp
from cadenza.services.sessions import LoginAttempt

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class SignUpIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    display_name: str = Field(max_length=100)
    country: str = Field(min_length=2, max_length=2)
    birth_date: date


class Accepted(BaseModel):
    status: str
    message: str


class VerifyIn(BaseModel):
    token: str = Field(max_length=200)


class TokenIn(BaseModel):
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


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 (the scheme's name, not a secret)


class RefreshIn(BaseModel):
    refresh_token: str = Field(max_length=200)


@router.post("/signup", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
def sign_up(body: SignUpIn, request: Request, app: AppDep) -> Accepted:
    """The same answer whether or not the address already has an account."""
    app.accounts.sign_up(
        SignUp(body.email, body.password, body.display_name, body.country, body.birth_date),
        client_ip(request),
    )
    return Accepted(status="accepted", message="Check your e-mail to confirm your address.")


@router.post("/verify-email", response_model=AccountOut)
def verify_email(body: VerifyIn, app: AppDep) -> AccountOut:
    return AccountOut.of(app.accounts.verify_email(body.token))


@router.post("/token", response_model=TokenOut)
def token(body: TokenIn, request: Request, app: AppDep) -> TokenOut:
    """Log in. A new device or country may answer 401 `email_code_required` (a code was
    e-mailed: send it back as `email_code`), two-factor accounts `totp_required`."""
    pair = app.sessions.login(
        LoginAttempt(
            email=body.email,
            password=body.password,
            device_id=body.device_id,
            device_name=body.device_name,
            ip=client_ip(request),
            country=request_country(request, app.settings.country_header),
            totp=body.totp,
            email_code=body.email_code,
            proof=(body.challenge, body.challenge_nonce)
            if body.challenge and body.challenge_nonce
            else None,
        )
    )
    return TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post("/refresh", response_model=TokenOut)
def refresh(body: RefreshIn, app: AppDep) -> TokenOut:
    """Swap a refresh token for new tokens; each refresh token works once."""
    pair = app.sessions.refresh(body.refresh_token)
    return TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(session: CurrentSession, app: AppDep) -> None:
    app.sessions.end_session(session.account_id, session.session_id)


class ResetIn(BaseModel):
    email: str = Field(max_length=254)


class ResetConfirmIn(BaseModel):
    token: str = Field(max_length=200)
    password: str = Field(max_length=1024)


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
def request_password_reset(body: ResetIn, request: Request, app: AppDep) -> Accepted:
    """Mails a single-use link valid for an hour; answers the same for any address."""
    app.passwords.request_reset(body.email, client_ip(request))
    return Accepted(
        status="accepted", message="If the address has an account, a link is on its way."
    )


@router.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(body: ResetConfirmIn, app: AppDep) -> None:
    """Sets the new password, unlocks the account and ends every session."""
    app.passwords.reset(body.token, body.password)


@router.post("/lock", status_code=status.HTTP_204_NO_CONTENT)
def lock_account(body: VerifyIn, app: AppDep) -> None:
    """The "this wasn't me" link of a new-sign-in alert: locks the account, ends every session
    and mails a password reset link."""
    app.passwords.lock(body.token)


def request_country(request: Request, header: str | None) -> str | None:
    """The client's country as the trusted proxy's header gives it, if it is a real one."""
    value = request.headers.get(header, "").strip().upper() if header else ""
    return value if value in ISO_COUNTRIES else None
