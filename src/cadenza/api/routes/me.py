"""The signed-in listener's own account: profile, sessions and devices, security events, and
an artist account's artist profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from cadenza.api.deps import (
    AccountsDep,
    ArtistProfilesDep,
    ClientIp,
    ClockDep,
    CurrentSession,
    DistributorsDep,
    Id,
    PasswordsDep,
    SessionsDep,
    TwoFactorDep,
)
from cadenza.api.request_body import RequestBody
from cadenza.api.schemas import AccountOut, ArtistProfileOut
from cadenza.domain.accounts import ApiKey, Scope

router = APIRouter(prefix="/api/v1/me", tags=["me"])


class SessionOut(BaseModel):
    id: int
    device_name: str
    device_country: str | None
    created_at: datetime
    last_used: datetime
    current: bool


class SecurityEventOut(BaseModel):
    kind: str
    at: datetime
    ip: str | None
    device: str | None


@router.get("", response_model=AccountOut)
def me(session: CurrentSession, accounts: AccountsDep) -> AccountOut:
    account_id = session.account_id
    return AccountOut.of(accounts.profile(account_id), accounts.linked_artists(account_id))


class TimeZoneIn(RequestBody):
    time_zone: str = Field(min_length=1, max_length=64, examples=["Europe/Paris"])


@router.put("/time-zone", response_model=AccountOut)
def set_time_zone(body: TimeZoneIn, session: CurrentSession, accounts: AccountsDep) -> AccountOut:
    """Save your IANA time zone (the web player sends the browser's; UTC until then): Discover
    Weekly turns over at your Monday midnight and Release Radar at your Friday midnight. An
    unknown zone is refused (`unknown_time_zone`)."""
    account_id = session.account_id
    account = accounts.set_time_zone(account_id, body.time_zone)
    return AccountOut.of(account, accounts.linked_artists(account_id))


class ProfileIn(RequestBody):
    city: str | None = Field(default=None, max_length=200, examples=["Lyon"])
    gender: Literal["female", "male", "non_binary", "other"] | None = None


@router.patch("", response_model=AccountOut)
def update_profile(body: ProfileIn, session: CurrentSession, accounts: AccountsDep) -> AccountOut:
    """Set your optional city and gender (null clears one; a field left out stays). Artists
    see them only counted together, in buckets of several listeners (their statistics)."""
    account_id = session.account_id
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    account = accounts.set_audience_profile(account_id, changes)
    return AccountOut.of(account, accounts.linked_artists(account_id))


@router.get("/artists", response_model=list[ArtistProfileOut])
def my_artist_profiles(
    session: CurrentSession, clock: ClockDep, artist_profiles: ArtistProfilesDep
) -> list[ArtistProfileOut]:
    """An artist account's artist profiles with every release, out yet or not (403 for
    accounts without the artist role)."""
    now = clock.now()
    return [ArtistProfileOut.of(a, now) for a in artist_profiles.mine(session.account_id)]


@router.get("/artists/{artist_id}", response_model=ArtistProfileOut)
def my_artist_profile(
    artist_id: Id, session: CurrentSession, artist_profiles: ArtistProfilesDep, clock: ClockDep
) -> ArtistProfileOut:
    """One of this account's artist profiles; another artist's is refused (403)."""
    artist = artist_profiles.one(session.account_id, artist_id)
    return ArtistProfileOut.of(artist, clock.now())


@router.get("/sessions", response_model=list[SessionOut])
def my_sessions(session: CurrentSession, sessions: SessionsDep) -> list[SessionOut]:
    return [
        SessionOut(
            id=s.id,
            device_name=s.device.name,
            device_country=s.device.last_country,
            created_at=s.created_at,
            last_used=s.last_used,
            current=s.id == session.session_id,
        )
        for s in sessions.sessions(session.account_id)
    ]


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def end_session(session_id: Id, session: CurrentSession, sessions: SessionsDep) -> None:
    """Log a device out (only one of your own)."""
    sessions.end_session(session.account_id, session_id)


@router.delete("/sessions", status_code=status.HTTP_204_NO_CONTENT)
def log_out_everywhere(session: CurrentSession, sessions: SessionsDep) -> None:
    sessions.end_all_sessions(session.account_id)


@router.get("/security-events", response_model=list[SecurityEventOut])
def security_events(session: CurrentSession, accounts: AccountsDep) -> list[SecurityEventOut]:
    """Sign-ins, failures, lock-outs and changes to this account, newest first."""
    return [
        SecurityEventOut(kind=e.kind, at=e.at, ip=e.ip, device=e.device)
        for e in accounts.security_events(session.account_id)
    ]


class PasswordChangeIn(RequestBody):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class TwoFactorSetupOut(BaseModel):
    secret: str
    provisioning_uri: str
    qr_svg: str


class CodeIn(RequestBody):
    code: str = Field(max_length=40)


class PasswordAndCodeIn(RequestBody):
    password: str = Field(max_length=1024)
    code: str = Field(max_length=40, description="the authenticator's code or a recovery code")


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]


class PasswordIn(RequestBody):
    password: str = Field(max_length=1024)


@router.put("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    body: PasswordChangeIn, session: CurrentSession, passwords: PasswordsDep, ip: ClientIp
) -> None:
    """Every other session ends; this one stays. A wrong current password counts as a failed
    login (429 after too many)."""
    passwords.change(
        session.account_id, body.current_password, body.new_password, session.session_id, ip
    )


@router.post("/two-factor", response_model=TwoFactorSetupOut)
def start_two_factor(
    body: PasswordIn, session: CurrentSession, two_factor: TwoFactorDep, ip: ClientIp
) -> TwoFactorSetupOut:
    """A secret and QR code for an authenticator app (the password again, first); confirm
    with a code to turn it on."""
    setup = two_factor.begin(session.account_id, body.password, ip)
    return TwoFactorSetupOut(
        secret=setup.secret, provisioning_uri=setup.provisioning_uri, qr_svg=setup.qr_svg
    )


@router.post("/two-factor/confirm", response_model=RecoveryCodesOut)
def confirm_two_factor(
    body: CodeIn, session: CurrentSession, two_factor: TwoFactorDep
) -> RecoveryCodesOut:
    """Turns two-factor on and returns ten single-use recovery codes, shown only now."""
    return RecoveryCodesOut(recovery_codes=two_factor.confirm(session.account_id, body.code))


@router.post("/two-factor/disable", status_code=status.HTTP_204_NO_CONTENT)
def disable_two_factor(
    body: PasswordAndCodeIn, session: CurrentSession, two_factor: TwoFactorDep, ip: ClientIp
) -> None:
    """Turning two-factor off takes the password and a current code."""
    two_factor.disable(session.account_id, body.password, body.code, ip)


@router.get("/export")
def download_my_data(session: CurrentSession, accounts: AccountsDep) -> dict[str, object]:
    """Everything Cadenza holds about you, as JSON."""
    return accounts.export(session.account_id)


@router.post("/delete", status_code=status.HTTP_204_NO_CONTENT)
def delete_my_account(
    body: PasswordIn, session: CurrentSession, accounts: AccountsDep, ip: ClientIp
) -> None:
    """Deletes the account after the password is given again. There is no undo."""
    accounts.delete(session.account_id, body.password, ip)


class ApiKeyIn(RequestBody):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1)


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used: datetime | None
    revoked: bool

    @classmethod
    def of(cls, k: ApiKey) -> ApiKeyOut:
        return cls(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            scopes=[s.value for s in k.scopes],
            created_at=k.created_at,
            last_used=k.last_used,
            revoked=k.revoked,
        )


class NewApiKeyOut(ApiKeyOut):
    key: str


@router.get("/api-keys", response_model=list[ApiKeyOut])
def my_api_keys(session: CurrentSession, distributors: DistributorsDep) -> list[ApiKeyOut]:
    """A distributor account's API keys (their prefixes; the keys themselves are not kept)."""
    return [ApiKeyOut.of(k) for k in distributors.keys(session.account_id)]


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, response_model=NewApiKeyOut)
def create_api_key(
    body: ApiKeyIn, session: CurrentSession, distributors: DistributorsDep
) -> NewApiKeyOut:
    """A new key for X-Distributor-Key, shown in full only in this answer."""
    key, plain = distributors.create_key(session.account_id, body.name, body.scopes)
    return NewApiKeyOut(**ApiKeyOut.of(key).model_dump(), key=plain)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_api_key(key_id: Id, session: CurrentSession, distributors: DistributorsDep) -> None:
    distributors.revoke(session.account_id, key_id)
