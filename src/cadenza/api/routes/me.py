"""The signed-in listener's own account: profile, sessions and devices, security events."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel

from cadenza.api.deps import AppDep, CurrentSession
from cadenza.api.schemas import AccountOut

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
def me(session: CurrentSession, app: AppDep) -> AccountOut:
    return AccountOut.of(app.accounts.profile(session.account_id))


@router.get("/sessions", response_model=list[SessionOut])
def my_sessions(session: CurrentSession, app: AppDep) -> list[SessionOut]:
    return [
        SessionOut(
            id=s.id,
            device_name=s.device.name,
            device_country=s.device.last_country,
            created_at=s.created_at,
            last_used=s.last_used,
            current=s.id == session.session_id,
        )
        for s in app.sessions.sessions(session.account_id)
    ]


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def end_session(session_id: int, session: CurrentSession, app: AppDep) -> None:
    """Log a device out (only one of your own)."""
    app.sessions.end_session(session.account_id, session_id)


@router.delete("/sessions", status_code=status.HTTP_204_NO_CONTENT)
def log_out_everywhere(session: CurrentSession, app: AppDep) -> None:
    app.sessions.end_all_sessions(session.account_id)


@router.get("/security-events", response_model=list[SecurityEventOut])
def security_events(session: CurrentSession, app: AppDep) -> list[SecurityEventOut]:
    """Sign-ins, failures, lock-outs and changes to this account, newest first."""
    return [
        SecurityEventOut(kind=e.kind, at=e.at, ip=e.ip, device=e.device)
        for e in app.accounts.security_events(session.account_id)
    ]
