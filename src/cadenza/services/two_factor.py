"""Two-factor sign-in: turning it on (authenticator app + recovery codes) and off, and spending
a second factor at sign-in. The pure rules (time steps, recovery codes) are domain/two_factor.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.errors import Conflict, InvalidRequest
from cadenza.domain.mail import Email
from cadenza.domain.two_factor import new_recovery_codes, use_recovery_code
from cadenza.ports.accounts import Credentials
from cadenza.ports.clock import Clock
from cadenza.ports.two_factor import Totp
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.reentry import PasswordReentry


@dataclass(frozen=True)
class TwoFactorSetup:
    secret: str
    provisioning_uri: str
    qr_svg: str


class TwoFactorService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        totp: Totp,
        clock: Clock,
        qr_svg: Callable[[str], str],
        reentry: PasswordReentry,
    ) -> None:
        self.uow, self.totp, self.clock = uow, totp, clock
        self.qr_svg, self.reentry = qr_svg, reentry

    def begin(self, account_id: int, password: str, ip: str | None) -> TwoFactorSetup:
        """A new secret to scan; two-factor is on only once a code from it is confirmed. The
        password is asked again: a stolen session must not be able to lock the owner out."""
        account = self.reentry.confirm(account_id, password, ip)
        if account.two_factor:
            raise Conflict("two-factor is already on", code="two_factor_on")
        secret = self.totp.new_secret()
        with self.uow() as uow:
            uow.two_factor.set_pending_totp(account_id, secret)
            uow.commit()
        uri = self.totp.provisioning_uri(secret, account.email)
        return TwoFactorSetup(secret, uri, self.qr_svg(uri))

    def confirm(self, account_id: int, code: str) -> list[str]:
        """Turn two-factor on; return the ten recovery codes, shown this once only."""
        with self.uow() as uow:
            secret = uow.two_factor.pending_totp(account_id)
            if secret is None:
                raise InvalidRequest("start the two-factor set-up first", code="no_pending_setup")
            step = self.totp.verify(secret, code, at=self.clock.now(), last_step=None)
            if step is None:
                raise InvalidRequest(
                    "that code does not match; try the next one", code="invalid_totp"
                )
            codes, stored = new_recovery_codes()
            uow.two_factor.set_two_factor(account_id, secret, stored)
            uow.two_factor.set_totp_step(account_id, step)
            uow.audit.add(account_id, AuditEvent("two_factor_on", self.clock.now(), None, None))
            self._notify(uow, account_id, "Two-factor sign-in is now on for your Cadenza account.")
            uow.commit()
        return codes

    def disable(self, account_id: int, password: str, code: str, ip: str | None) -> None:
        """Turning two-factor off takes the password and a current code (authenticator or
        recovery): whoever holds a stolen session and the password still lacks the phone. One
        answer for either being wrong, so it never confirms the password alone."""
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is None or not account.two_factor:
            raise Conflict("two-factor is already off", code="two_factor_off")

        def code_right(creds: Credentials) -> bool:
            with self.uow() as uow:
                spent = spend_second_factor(uow, self.totp, creds, code, self.clock.now())
                uow.commit()
            return spent

        self.reentry.confirm(
            account_id,
            password,
            ip,
            message="the password or the code is not right",
            and_also=code_right,
        )
        with self.uow() as uow:
            uow.two_factor.set_two_factor(account_id, None, None)
            uow.audit.add(account_id, AuditEvent("two_factor_off", self.clock.now(), ip, None))
            self._notify(
                uow, account_id, "Two-factor sign-in was turned off for your Cadenza account."
            )
            uow.commit()

    def _notify(self, uow: UnitOfWork, account_id: int, text: str) -> None:
        account = uow.accounts.get(account_id)
        assert account is not None
        uow.mail.add(
            Email(
                to=account.email,
                subject="Your Cadenza sign-in settings changed",
                text=f"{text}\nIf this wasn't you, reset your password now.\n",
            ),
            self.clock.now(),
        )


def spend_second_factor(
    uow: UnitOfWork, totp: Totp, creds: Credentials, code: str, now: datetime
) -> bool:
    """Spend the authenticator's code (each time-step once) or a recovery code (each once).
    The caller commits."""
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
