"""Changing a password, resetting a forgotten one, and locking an account ("this wasn't me")."""

from __future__ import annotations

from collections.abc import Callable

from cadenza.domain.accounts import LOCK_LINK_TTL, RESET_LINK_TTL, AuditEvent
from cadenza.domain.errors import InvalidRequest, Unauthorized
from cadenza.domain.mail import Email, normalise_email
from cadenza.ports import Clock, Mailer, PasswordHasher, UnitOfWork
from cadenza.services.access_tokens import new_secret_token, token_hash
from cadenza.services.accounts import PasswordRules

INVALID_LINK = "this link is not valid or has expired"


class PasswordService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        hasher: PasswordHasher,
        mailer: Mailer,
        clock: Clock,
        rules: PasswordRules,
        public_url: str,
    ) -> None:
        self.uow, self.hasher, self.mailer, self.clock = uow, hasher, mailer, clock
        self.rules, self.public_url = rules, public_url.rstrip("/")

    def change(self, account_id: int, current: str, new: str, keep_session: int) -> None:
        """A new password ends every other session: whoever knew the old one is out."""
        now = self.clock.now()
        with self.uow() as uow:
            creds, account = uow.accounts.credentials(account_id), uow.accounts.get(account_id)
        assert creds is not None and account is not None
        if not self.hasher.verify(creds.password_hash, current):
            raise Unauthorized("the current password is not right", code="invalid_credentials")
        self.rules(new, account.email, account.display_name)
        with self.uow() as uow:
            uow.accounts.set_password_hash(account_id, self.hasher.hash(new))
            for session in uow.accounts.sessions(account_id, now):
                if session.id != keep_session:
                    uow.accounts.revoke_sessions(account_id, now, session.id)
            uow.accounts.audit(account_id, AuditEvent("password_changed", now, None, None))
            uow.commit()
        self._mail(account.email, "Your Cadenza password was changed", "Your password was changed.")

    def request_reset(self, email: str, ip: str | None) -> None:
        """The same answer, and a mail only to a real account: no user enumeration."""
        address = normalise_email(email)
        now = self.clock.now()
        with self.uow() as uow:
            account_id = uow.accounts.id_by_email(address)
            if account_id is None:
                return
            token = new_secret_token()
            uow.accounts.add_token(
                account_id, "reset_password", token_hash(token), now + RESET_LINK_TTL, {}
            )
            uow.accounts.audit(account_id, AuditEvent("password_reset_requested", now, ip, None))
            uow.commit()
        self._mail(
            address,
            "Reset your Cadenza password",
            "To choose a new password, open this link within an hour:\n"
            f"{self.public_url}/reset-password?token={token}\n"
            "If you did not ask for this, ignore this mail.",
        )

    def reset(self, token: str, new: str) -> None:
        """A reset link works once: it sets the password, unlocks, and ends every session."""
        now = self.clock.now()
        with self.uow() as uow:
            spent = uow.accounts.use_token("reset_password", token_hash(token), now)
            if spent is None:
                raise InvalidRequest(INVALID_LINK, code="invalid_link")
            account = uow.accounts.get(spent[0])
            assert account is not None
            self.rules(new, account.email, account.display_name)
            uow.accounts.set_password_hash(account.id, self.hasher.hash(new))
            uow.accounts.set_locked(account.id, None)
            uow.accounts.revoke_sessions(account.id, now)
            uow.accounts.revoke_api_keys(account.id, now)  # keys made by whoever got in die too
            uow.accounts.audit(account.id, AuditEvent("password_reset", now, None, None))
            uow.commit()
        self._mail(account.email, "Your Cadenza password was reset", "Your password was reset.")

    def lock_link(self, uow: UnitOfWork, account_id: int) -> str:
        """A 'this wasn't me' link for an alert mail."""
        token = new_secret_token()
        uow.accounts.add_token(
            account_id, "lock", token_hash(token), self.clock.now() + LOCK_LINK_TTL, {}
        )
        return f"{self.public_url}/lock-account?token={token}"

    def lock(self, token: str) -> None:
        """'This wasn't me': the account is locked and every session ends until a reset."""
        now = self.clock.now()
        with self.uow() as uow:
            spent = uow.accounts.use_token("lock", token_hash(token), now)
            if spent is None:
                raise InvalidRequest(INVALID_LINK, code="invalid_link")
            account_id = spent[0]
            uow.accounts.set_locked(account_id, now)
            uow.accounts.revoke_sessions(account_id, now)
            uow.accounts.revoke_api_keys(account_id, now)
            uow.accounts.audit(account_id, AuditEvent("locked_by_owner", now, None, None))
            account = uow.accounts.get(account_id)
            uow.commit()
        assert account is not None
        self.request_reset(account.email, None)

    def _mail(self, to: str, subject: str, text: str) -> None:
        footer = "\nIf this wasn't you, reset your password now."
        self.mailer.send(Email(to=to, subject=subject, text=text + footer + "\n"))
