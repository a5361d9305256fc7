"""Logging in and staying logged in: passwords, second factors, refresh tokens, devices."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cadenza.domain.accounts import (
    ACCESS_TOKEN_TTL,
    REFRESH_TOKEN_TTL,
    STEP_UP_CODE_TTL,
    AuditEvent,
    LoginStep,
    SessionView,
    step_needed,
)
from cadenza.domain.errors import CadenzaError, Conflict, NotFound, Unauthorized
from cadenza.domain.mail import Email, normalise_email
from cadenza.ports.accounts import Credentials
from cadenza.ports.clock import Clock
from cadenza.ports.passwords import PasswordHasher
from cadenza.ports.two_factor import Totp
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.access_tokens import AccessClaims, AccessTokens, new_secret_token, token_hash
from cadenza.services.login_guard import LoginGuard
from cadenza.services.session_pruning import Pruned, prune_expired
from cadenza.services.two_factor import spend_second_factor

TAB_RACE = timedelta(seconds=10)  # a browser's tabs refreshing at once, not a theft


@dataclass(frozen=True)
class LoginAttempt:
    email: str
    password: str
    device_id: str  # the client's own random id, kept across launches
    device_name: str
    ip: str | None
    country: str | None = None  # from a trusted proxy header, when there is one
    totp: str | None = None
    email_code: str | None = None
    proof: tuple[str, str] | None = None  # a solved (challenge, nonce) when one was asked for


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


class SecondFactorRequired(CadenzaError):
    status = 401


INVALID = "the e-mail address or password is not right"
LockLink = Callable[[UnitOfWork, int], str]  # a "this wasn't me" link for an alert mail


class SessionService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        hasher: PasswordHasher,
        clock: Clock,
        tokens: AccessTokens,
        guard: LoginGuard,
        totp: Totp,
        lock_link: LockLink,
    ) -> None:
        self.uow, self.hasher, self.clock = uow, hasher, clock
        self.tokens, self.guard, self.totp, self.lock_link = tokens, guard, totp, lock_link

    def login(self, attempt: LoginAttempt) -> TokenPair:
        self.guard.check_source(attempt.ip, attempt.proof)  # a throttled source costs no lookups
        email = normalise_email(attempt.email)
        device_key = token_hash(attempt.device_id)
        with self.uow() as uow:
            account_id = uow.accounts.id_by_email(email)
            creds = uow.accounts.credentials(account_id) if account_id is not None else None
            known = creds is not None and uow.sessions.device(creds.account_id, device_key)
        keys = self.guard.keys(email, bool(known), attempt.ip)
        self.guard.check_account(keys[0])
        reserved = self.guard.reserve(keys)
        if creds is None:
            self.hasher.dummy_verify()  # the same time as a real check: no enumeration by timing
            raise Unauthorized(INVALID, code="invalid_credentials")
        right = self.hasher.verify(creds.password_hash, attempt.password)
        if not right or creds.disabled or creds.locked:
            # A locked or disabled account answers as a wrong password does, whatever the
            # password, and the attempt counts as a failure either way: a distinct answer (or
            # an uncounted attempt) after a right password would confirm it to a guesser. The
            # owner needs no hint from here: locking mailed them a reset link (which unlocks,
            # and /password-reset sends another), and a disabled account is the operator's.
            kind = "login_refused_locked" if right else "login_failed"
            self._audit(creds.account_id, kind, attempt)
            raise Unauthorized(INVALID, code="invalid_credentials")
        self.guard.release(reserved)
        device_country = known.last_country if known else None
        self._second_factor(
            creds,
            attempt,
            device_key,
            known_device=bool(known),
            device_country=device_country,
            keys=keys,
        )
        if self.hasher.needs_rehash(creds.password_hash):
            self._rehash(creds, attempt.password)
        return self._start(creds, attempt, device_key, new_device=not known)

    def refresh(self, refresh_token: str, *, tabs_may_race: bool = False) -> TokenPair:
        """tabs_may_race: the browser's cookie, which its tabs share; a refresh that lost a race
        with another tab's a moment ago answers 409 `refresh_raced` (send the cookie again, now
        the new one) instead of ending the session as a stolen token's replay would."""
        now = self.clock.now()
        new_token = new_secret_token()
        with self.uow() as uow:
            rotated = uow.sessions.rotate(token_hash(refresh_token), token_hash(new_token), now)
            if rotated is None:
                replayed = uow.sessions.session_of_spent_token(token_hash(refresh_token))
                if replayed is not None and tabs_may_race:
                    swapped = uow.sessions.session_rotated_at(replayed)
                    if swapped is not None and now - swapped <= TAB_RACE:
                        raise Conflict(
                            "another tab refreshed this session just now; try again",
                            code="refresh_raced",
                        )
                if replayed is not None:  # a stolen token: end that device's session
                    account = self._revoke_replayed(uow, replayed, now)
                    uow.commit()
                    if account is not None:
                        raise Unauthorized(
                            "this refresh token was already used; the session is ended",
                            code="refresh_token_reused",
                        )
                raise Unauthorized("the refresh token is not valid", code="invalid_token")
            session_id, account_id = rotated
            uow.commit()
        return self._pair(account_id, session_id, new_token)

    def authenticate(self, access_token: str) -> AccessClaims:
        now = self.clock.now()
        claims = self.tokens.read(access_token, now)
        with self.uow() as uow:
            if not uow.sessions.session_live(claims.session_id, claims.account_id, now):
                raise Unauthorized("this session has ended; log in again", code="session_ended")
        return claims

    def sessions(self, account_id: int) -> list[SessionView]:
        with self.uow() as uow:
            return uow.sessions.of_account(account_id, self.clock.now())

    def end_session(self, account_id: int, session_id: int) -> None:
        now = self.clock.now()
        with self.uow() as uow:
            if uow.sessions.revoke_sessions(account_id, now, session_id) == 0:
                raise NotFound(f"no session {session_id}")
            uow.audit.add(account_id, AuditEvent("session_ended", now, None, None))
            uow.commit()

    def end_all_sessions(self, account_id: int) -> int:
        now = self.clock.now()
        with self.uow() as uow:
            ended = uow.sessions.revoke_sessions(account_id, now)
            uow.audit.add(account_id, AuditEvent("logged_out_everywhere", now, None, None))
            uow.commit()
        return ended

    def prune(self) -> Pruned:
        """Forget expired sessions (ended or not) with their refresh tokens, expired e-mailed
        links and codes, and the ids of used stream tickets that have expired."""
        return prune_expired(self.uow, self.clock)

    # -- helpers -------------------------------------------------------------------------
    def _second_factor(
        self,
        creds: Credentials,
        attempt: LoginAttempt,
        device_key: str,
        *,
        known_device: bool,
        device_country: str | None,
        keys: list[str],
    ) -> None:
        with self.uow() as uow:
            account = uow.accounts.get(creds.account_id)
        # Usual: unknown (no country header), the account's country, or where this device was.
        usual = attempt.country is None or attempt.country in {
            account.country if account else None,
            device_country,
        }
        step = step_needed(
            two_factor=creds.totp_secret is not None, known_device=known_device, usual_country=usual
        )
        if step is LoginStep.TOTP:
            self._check_totp(creds, attempt.totp, keys)
        elif step is LoginStep.EMAIL_CODE:
            self._check_email_code(creds.account_id, attempt, device_key, keys)

    def _check_totp(self, creds: Credentials, code: str | None, keys: list[str]) -> None:
        if not code:
            raise SecondFactorRequired(
                "enter the code from your authenticator app", code="totp_required"
            )
        with self.uow() as uow:
            if not spend_second_factor(uow, self.totp, creds, code, self.clock.now()):
                self.guard.failed(keys)
                raise Unauthorized("the two-factor code is not right", code="invalid_totp")
            uow.commit()

    def _check_email_code(
        self, account_id: int, attempt: LoginAttempt, device_key: str, keys: list[str]
    ) -> None:
        now = self.clock.now()
        if attempt.email_code:
            with self.uow() as uow:
                spent = uow.tokens.use_token(
                    "step_up", token_hash(f"{account_id}:{device_key}:{attempt.email_code}"), now
                )
                uow.commit()
            if spent is not None:
                return
            self.guard.failed(keys)
            raise Unauthorized("the code is not right or has expired", code="invalid_email_code")
        code = f"{secrets.randbelow(10**6):06d}"
        with self.uow() as uow:
            # One live code per account: piling up codes would multiply a guesser's odds.
            uow.tokens.drop_tokens(account_id, "step_up")
            uow.tokens.add_token(
                account_id,
                "step_up",
                token_hash(f"{account_id}:{device_key}:{code}"),
                now + STEP_UP_CODE_TTL,
                {},
            )
            account = uow.accounts.get(account_id)
            assert account is not None
            uow.audit.add(account_id, self._event("step_up_sent", attempt))
            uow.mail.add(
                Email(
                    to=account.email,
                    subject="Your Cadenza sign-in code",  # subjects are logged: no code here
                    text=f"Someone is signing in to your account from {attempt.device_name!r}. "
                    f"If it is you, enter this code: {code}\nIt expires in 10 minutes. If it is "
                    "not you, change your password: the person knows it.\n",
                ),
                now,
            )
            uow.commit()
        raise SecondFactorRequired(
            "a sign-in code was sent to your e-mail address: enter it to continue",
            code="email_code_required",
        )

    def _start(
        self, creds: Credentials, attempt: LoginAttempt, device_key: str, *, new_device: bool
    ) -> TokenPair:
        now = self.clock.now()
        refresh = new_secret_token()
        account_id = creds.account_id
        with self.uow() as uow:
            device_id = uow.sessions.save_device(
                account_id, device_key, attempt.device_name[:100], attempt.country, now
            )
            # The session carries the credentials version the password was checked against: a
            # reset, lock or disable committed meanwhile has raised it, and the session is dead.
            session_id = uow.sessions.start_session(
                account_id,
                device_id,
                token_hash(refresh),
                now,
                now + REFRESH_TOKEN_TTL,
                creds.version,
            )
            current = uow.accounts.credentials(account_id)
            if current is None or current.version != creds.version:
                raise Unauthorized(INVALID, code="invalid_credentials")
            uow.audit.add(account_id, self._event("logged_in", attempt))
            account = uow.accounts.get(account_id)
            if new_device and account is not None:
                lock = self.lock_link(uow, account_id)
                uow.mail.add(
                    Email(
                        to=account.email,
                        subject="New sign-in to your Cadenza account",
                        text=f"Your account was just used on a new device: "
                        f"{attempt.device_name!r}.\nIf this wasn't you, lock your account and "
                        f"end every session:\n{lock}\n",
                    ),
                    now,
                )
            uow.commit()
        return self._pair(account_id, session_id, refresh)

    def _pair(self, account_id: int, session_id: int, refresh: str) -> TokenPair:
        expires = self.clock.now() + ACCESS_TOKEN_TTL
        access = self.tokens.issue(account_id, session_id, expires)
        return TokenPair(access, refresh, int(ACCESS_TOKEN_TTL.total_seconds()))

    def _rehash(self, creds: Credentials, password: str) -> None:
        # Only over the hash that was checked: a reset committed meanwhile stays.
        new_hash = self.hasher.hash(password)
        with self.uow() as uow:
            uow.accounts.set_password_hash(creds.account_id, new_hash, if_version=creds.version)
            uow.commit()

    def _revoke_replayed(self, uow: UnitOfWork, session_id: int, now: datetime) -> int | None:
        account_id = uow.sessions.session_owner(session_id)
        if account_id is not None:
            uow.sessions.revoke_sessions(account_id, now, session_id)
            uow.audit.add(account_id, AuditEvent("refresh_token_reused", now, None, None))
        return account_id

    def _audit(self, account_id: int, kind: str, attempt: LoginAttempt) -> None:
        with self.uow() as uow:
            uow.audit.add(account_id, self._event(kind, attempt))
            uow.commit()

    def _event(self, kind: str, attempt: LoginAttempt) -> AuditEvent:
        return AuditEvent(kind, self.clock.now(), attempt.ip, attempt.device_name[:100])
