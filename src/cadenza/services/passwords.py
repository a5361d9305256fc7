"""Changing a password, resetting a forgotten one, and locking an account ("this wasn't me")."""

from __future__ import annotations

from collections.abc import Callable

from cadenza.domain.accounts import LOCK_LINK_TTL, RESET_LINK_TTL, AuditEvent
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.mail import Email, normalise_email
from cadenza.ports.clock import Clock
from cadenza.ports.passwords import PasswordHasher
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.access_tokens import new_secret_token, token_hash
from cadenza.services.accounts import PasswordRules
from cadenza.services.reentry import PasswordReentry

INVALID_LINK = "this link is not valid or has expired"
FORCED = (
    "As a precaution (passwords leaked from another service may include yours), your Cadenza\n"
    "password no longer works and you have been signed out everywhere.\n"
)


class PasswordService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        hasher: PasswordHasher,
        clock: Clock,
        rules: PasswordRules,
        public_url: str,
        reentry: PasswordReentry,
    ) -> None:
        self.uow, self.hasher, self.clock = uow, hasher, clock
        self.rules, self.public_url, self.reentry = rules, public_url.rstrip("/"), reentry

    def change(
        self, account_id: int, current: str, new: str, keep_session: int, ip: str | None
    ) -> None:
        """A new password ends every other session: whoever knew the old one is out."""
        account = self.reentry.confirm(
            account_id, current, ip, message="the current password is not right"
        )
        self.rules(new, account.email, account.display_name)
        now = self.clock.now()
        with self.uow() as uow:
            uow.accounts.set_password_hash(account_id, self.hasher.hash(new))
            uow.accounts.bump_credentials(account_id, keep_session)
            for session in uow.sessions.of_account(account_id, now):
                if session.id != keep_session:
                    uow.sessions.revoke_sessions(account_id, now, session.id)
            uow.audit.add(account_id, AuditEvent("password_changed", now, ip, None))
            self._notify(uow, account.email, "Your Cadenza password was changed")
            uow.commit()

    def request_reset(self, email: str, ip: str | None) -> None:
        """The same answer, and a mail only to a real account: no user enumeration. The mail
        is queued, so nothing here waits on (or fails with) the mail server."""
        address = normalise_email(email)
        with self.uow() as uow:
            account_id = uow.accounts.id_by_email(address)
            if account_id is None:
                return
            self._queue_reset_link(uow, account_id, address, ip)
            uow.commit()

    def reset(self, token: str, new: str) -> None:
        """A reset link works once: it sets the password, unlocks, and ends every session."""
        now = self.clock.now()
        with self.uow() as uow:
            spent = uow.tokens.use_token("reset_password", token_hash(token), now)
            if spent is None:
                raise InvalidRequest(INVALID_LINK, code="invalid_link")
            account = uow.accounts.get(spent[0])
            assert account is not None
            self.rules(new, account.email, account.display_name)
            uow.accounts.set_password_hash(account.id, self.hasher.hash(new))
            uow.accounts.set_locked(account.id, None)
            uow.accounts.bump_credentials(account.id)  # logins under way with the old one too
            uow.sessions.revoke_sessions(account.id, now)
            uow.api_keys.revoke_api_keys(account.id, now)  # keys made by whoever got in die too
            uow.audit.add(account.id, AuditEvent("password_reset", now, None, None))
            self._notify(uow, account.email, "Your Cadenza password was reset")
            uow.commit()

    def force_reset(self, actor: int | None, email: str) -> bool:
        """After a leak elsewhere: the account's password stops working (every session, refresh
        token and API key ends, logins are refused as wrong passwords are) until the owner
        follows the mailed reset link. False when no account has this address."""
        address = normalise_email(email)
        now = self.clock.now()
        by = "operator" if actor is None else f"admin:{actor}"
        with self.uow() as uow:
            account_id = uow.accounts.id_by_email(address)
            if account_id is None:
                return False
            uow.accounts.set_locked(account_id, now)
            uow.accounts.bump_credentials(account_id)
            uow.sessions.revoke_sessions(account_id, now)
            uow.api_keys.revoke_api_keys(account_id, now)
            event = AuditEvent("password_reset_forced", now, None, None, {"by": by})
            uow.audit.add(account_id, event)
            if actor is not None:
                done = {"user": str(account_id)}
                uow.audit.add(
                    actor, AuditEvent("admin_forced_password_reset", now, None, None, done)
                )
            self._queue_reset_link(uow, account_id, address, None, forced=True)
            uow.commit()
        return True

    def lock_link(self, uow: UnitOfWork, account_id: int) -> str:
        """A 'this wasn't me' link for an alert mail."""
        token = new_secret_token()
        uow.tokens.add_token(
            account_id, "lock", token_hash(token), self.clock.now() + LOCK_LINK_TTL, {}
        )
        return f"{self.public_url}/lock-account?token={token}"

    def lock(self, token: str) -> None:
        """'This wasn't me': the account is locked and every session ends until a reset; the
        owner is mailed a reset link."""
        now = self.clock.now()
        with self.uow() as uow:
            spent = uow.tokens.use_token("lock", token_hash(token), now)
            if spent is None:
                raise InvalidRequest(INVALID_LINK, code="invalid_link")
            account = uow.accounts.get(spent[0])
            assert account is not None
            uow.accounts.set_locked(account.id, now)
            uow.accounts.bump_credentials(account.id)
            uow.sessions.revoke_sessions(account.id, now)
            uow.api_keys.revoke_api_keys(account.id, now)
            uow.audit.add(account.id, AuditEvent("locked_by_owner", now, None, None))
            self._queue_reset_link(uow, account.id, account.email, None)
            uow.commit()

    def _queue_reset_link(
        self,
        uow: UnitOfWork,
        account_id: int,
        address: str,
        ip: str | None,
        *,
        forced: bool = False,
    ) -> None:
        now = self.clock.now()
        token = new_secret_token()
        uow.tokens.add_token(
            account_id, "reset_password", token_hash(token), now + RESET_LINK_TTL, {}
        )
        uow.audit.add(account_id, AuditEvent("password_reset_requested", now, ip, None))
        uow.mail.add(
            Email(
                to=address,
                subject="Reset your Cadenza password",
                text=(FORCED if forced else "")
                + "To choose a new password, open this link within an hour:\n"
                f"{self.public_url}/reset-password?token={token}\n"
                + (
                    "After an hour, ask for a new link on the sign-in page.\n"
                    if forced
                    else "If you did not ask for this, ignore this mail.\n"
                ),
            ),
            now,
        )

    def _notify(self, uow: UnitOfWork, to: str, subject: str) -> None:
        text = subject.replace("Cadenza password", "password") + ".\n"
        footer = "If this wasn't you, reset your password now.\n"
        uow.mail.add(Email(to=to, subject=subject, text=text + footer), self.clock.now())
