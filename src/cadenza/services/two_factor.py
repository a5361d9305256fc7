"""Turning two-factor on (authenticator app + recovery codes) and off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.errors import Conflict, InvalidRequest, Unauthorized
from cadenza.domain.mail import Email
from cadenza.domain.two_factor import new_recovery_codes
from cadenza.ports import Clock, Mailer, PasswordHasher, Totp, UnitOfWork


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
        hasher: PasswordHasher,
        mailer: Mailer,
        clock: Clock,
        qr_svg: Callable[[str], str],
    ) -> None:
        self.uow, self.totp, self.hasher, self.mailer = uow, totp, hasher, mailer
        self.clock, self.qr_svg = clock, qr_svg

    def begin(self, account_id: int, password: str) -> TwoFactorSetup:
        """A new secret to scan; two-factor is on only once a code from it is confirmed. The
        password is asked again: a stolen session must not be able to lock the owner out."""
        secret = self.totp.new_secret()
        with self.uow() as uow:
            creds = uow.accounts.credentials(account_id)
            assert creds is not None
            if not self.hasher.verify(creds.password_hash, password):
                raise Unauthorized("the password is not right", code="invalid_credentials")
            account = uow.accounts.get(account_id)
            assert account is not None
            if account.two_factor:
                raise Conflict("two-factor is already on", code="two_factor_on")
            uow.accounts.set_pending_totp(account_id, secret)
            uow.commit()
        uri = self.totp.provisioning_uri(secret, account.email)
        return TwoFactorSetup(secret, uri, self.qr_svg(uri))

    def confirm(self, account_id: int, code: str) -> list[str]:
        """Turn two-factor on; return the ten recovery codes, shown this once only."""
        with self.uow() as uow:
            secret = uow.accounts.pending_totp(account_id)
            if secret is None:
                raise InvalidRequest("start the two-factor set-up first", code="no_pending_setup")
            step = self.totp.verify(secret, code, at=self.clock.now(), last_step=None)
            if step is None:
                raise InvalidRequest(
                    "that code does not match; try the next one", code="invalid_totp"
                )
            codes, stored = new_recovery_codes()
            uow.accounts.set_two_factor(account_id, secret, stored)
            uow.accounts.set_totp_step(account_id, step)
            uow.accounts.audit(
                account_id, AuditEvent("two_factor_on", self.clock.now(), None, None)
            )
            account = uow.accounts.get(account_id)
            uow.commit()
        assert account is not None
        self._notify(account.email, "Two-factor sign-in is now on for your Cadenza account.")
        return codes

    def reset(self, account_id: int) -> None:
        """For operators: turn two-factor off for an owner who lost every factor."""
        with self.uow() as uow:
            uow.accounts.set_two_factor(account_id, None, None)
            uow.accounts.audit(
                account_id, AuditEvent("two_factor_reset_by_operator", self.clock.now(), None, None)
            )
            uow.commit()

    def disable(self, account_id: int, password: str) -> None:
        with self.uow() as uow:
            creds = uow.accounts.credentials(account_id)
            assert creds is not None
            if not self.hasher.verify(creds.password_hash, password):
                raise Unauthorized("the password is not right", code="invalid_credentials")
            uow.accounts.set_two_factor(account_id, None, None)
            uow.accounts.audit(
                account_id, AuditEvent("two_factor_off", self.clock.now(), None, None)
            )
            account = uow.accounts.get(account_id)
            uow.commit()
        assert account is not None
        self._notify(account.email, "Two-factor sign-in was turned off for your Cadenza account.")

    def _notify(self, email: str, text: str) -> None:
        self.mailer.send(
            Email(
                to=email,
                subject="Your Cadenza sign-in settings changed",
                text=f"{text}\nIf this wasn't you, reset your password now.\n",
            )
        )
