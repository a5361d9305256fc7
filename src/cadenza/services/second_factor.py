"""Spending a second factor: the authenticator's code (each time-step once) or a recovery code
(each once). The caller commits."""

from __future__ import annotations

from datetime import datetime

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.two_factor import use_recovery_code
from cadenza.ports.accounts import Credentials
from cadenza.ports.two_factor import Totp
from cadenza.ports.unit_of_work import UnitOfWork


def spend_second_factor(
    uow: UnitOfWork, totp: Totp, creds: Credentials, code: str, now: datetime
) -> bool:
    if creds.totp_secret is None or not code:
        return False
    step = totp.verify(creds.totp_secret, code, at=now, last_step=creds.totp_last_step)
    if step is not None and uow.two_factor.advance_totp_step(creds.account_id, step):
        return True
    stored = uow.two_factor.recovery_codes(creds.account_id)
    remaining = use_recovery_code(stored, code) if stored else None
    if remaining is None:
        return False
    uow.two_factor.set_recovery_codes(creds.account_id, remaining)
    uow.audit.add(
        creds.account_id,
        AuditEvent("recovery_code_used", now, None, None, {"remaining": str(remaining.remaining)}),
    )
    return True
