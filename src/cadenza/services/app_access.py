"""A listener's credentials for the apps they use (Subsonic players), apart from their password:
API keys (OpenSubsonic's `apiKeyAuthentication`, kept as hashes) and app passwords (for the
classic `u` + `t` + `s` token, which needs the secret back: kept sealed with the server's key,
never the account's password). Created and shown once, listed by name and prefix, revocable.

Signing in with them goes through the login defences (services/login_guard.py): failures
count against the account and the address, and an unknown user gets the very answer a wrong
secret gets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cadenza.domain.app_access import (
    MAX_PER_ACCOUNT,
    AppCredential,
    AppCredentialKind,
    clean_name,
)
from cadenza.domain.errors import InvalidRequest, NotFound, Unauthorized
from cadenza.ports.app_access import SecretSealer
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.login_guard import LoginGuard

KEY_PREFIX = "cz_app_"
# No look-alikes: an app password is typed into a phone.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105
REMEMBERED_S = 60.0  # a signed-in app's credentials are checked again after this long
REMEMBERED_MAX = 10_000
TOUCH_EVERY_S = 600  # last_used is written at most this often per credential
WRONG = "wrong username or password"  # one answer for an unknown user and a wrong secret


@dataclass(frozen=True)
class AppIdentity:
    account_id: int
    username: str  # the account's e-mail: what an app signs in with
    credential_id: int


class AppAccess:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        sealer: SecretSealer,
        guard: LoginGuard,
    ) -> None:
        self.uow, self.clock, self.sealer, self.guard = uow, clock, sealer, guard
        # Checked credentials, by a digest of what the request sent: a player asks dozens of
        # times a minute, and each full check costs reads and writes of the login defences.
        self._remembered: dict[str, tuple[float, AppIdentity]] = {}
        # An account's app passwords, opened at its last full sign-in: an app that sends a new
        # salt with every request (as it should) is then checked without the database.
        self._opened: dict[str, tuple[float, list[tuple[AppIdentity, str]]]] = {}
        self._lock = threading.Lock()

    # -- managing --------------------------------------------------------------------------
    def create(
        self, account_id: int, kind: AppCredentialKind, name: str
    ) -> tuple[AppCredential, str]:
        """A new key or app password, returned in full only here."""
        cleaned = clean_name(name)
        if cleaned is None:
            raise InvalidRequest("name the app: 1 to 100 printable characters", code="invalid_name")
        if kind is AppCredentialKind.KEY:
            plain = KEY_PREFIX + secrets.token_urlsafe(32)
            key_hash, sealed, prefix = _hash(plain), None, plain[: len(KEY_PREFIX) + 4]
        else:
            plain = "-".join(
                "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(5)) for _ in range(5)
            )
            key_hash, sealed, prefix = None, self.sealer.seal(plain, str(account_id)), plain[:5]
        with self.uow() as uow:
            if uow.app_credentials.live_count(account_id, kind) >= MAX_PER_ACCOUNT:
                raise InvalidRequest(
                    f"at most {MAX_PER_ACCOUNT} app {kind.value}s; revoke one you no longer use",
                    code="too_many_app_credentials",
                )
            made = uow.app_credentials.add(
                account_id, kind, cleaned, prefix, key_hash, sealed, self.clock.now()
            )
            uow.commit()
        return made, plain

    def username(self, account_id: int) -> str:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is None:
            raise NotFound("no such account", code="account_not_found")
        return account.email

    def list(self, account_id: int, kind: AppCredentialKind) -> list[AppCredential]:
        with self.uow() as uow:
            return uow.app_credentials.of_account(account_id, kind)

    def revoke(self, account_id: int, kind: AppCredentialKind, credential_id: int) -> None:
        with self.uow() as uow:
            done = uow.app_credentials.revoke(account_id, kind, credential_id, self.clock.now())
            uow.commit()
        if not done:
            raise NotFound(f"no app {kind.value} {credential_id}")
        with self._lock:  # this process forgets it at once; others within REMEMBERED_S
            self._remembered = {
                k: v for k, v in self._remembered.items() if v[1].credential_id != credential_id
            }
            self._opened = {
                k: v
                for k, v in self._opened.items()
                if all(i.account_id != account_id for i, _ in v[1])
            }

    # -- signing in ------------------------------------------------------------------------
    def by_key(self, key: str, ip: str | None) -> AppIdentity:
        """The listener an API key belongs to (Unauthorized `invalid_api_key` otherwise)."""
        memo = _hash("key\x00" + key)
        found = self._recall(memo)
        if found is not None:
            return found
        self.guard.check_source(ip, None)
        with self.uow() as uow:
            credential = uow.app_credentials.by_key_hash(_hash(key)) if len(key) < 200 else None
            account = uow.accounts.get(credential.account_id) if credential else None
        if credential is None or account is None or account.disabled:
            self.guard.failed([self.guard.ip_key(ip)])
            raise Unauthorized("the API key is not valid", code="invalid_api_key")
        identity = AppIdentity(account.id, account.email, credential.id)
        self._used(credential)
        return self._remember(memo, identity)

    def by_token(self, username: str, token: str, salt: str, ip: str | None) -> AppIdentity:
        """Subsonic's token: md5(app password + salt), for one of the account's app passwords."""
        memo = _hash(f"token\x00{username}\x00{token}\x00{salt}")
        return self._sign_in(
            memo,
            username,
            ip,
            lambda plain: hmac.compare_digest(
                hashlib.md5((plain + salt).encode(), usedforsecurity=False).hexdigest(),
                token.lower(),
            ),
        )

    def by_password(self, username: str, password: str, ip: str | None) -> AppIdentity:
        """A plain app password (only where the operator allows `p=`)."""
        memo = _hash(f"plain\x00{username}\x00{password}")
        return self._sign_in(memo, username, ip, lambda plain: hmac.compare_digest(plain, password))

    def _sign_in(
        self, memo: str, username: str, ip: str | None, matches: Callable[[str], bool]
    ) -> AppIdentity:
        found = self._recall(memo)
        if found is not None:
            return found
        if not 0 < len(username) <= 320:
            raise Unauthorized(WRONG, code="invalid_credentials")
        name = username.strip().lower()
        opened = self._opened.get(name)
        if opened is not None and opened[0] > time.monotonic():
            for known, plain in opened[1]:
                if matches(plain):
                    return self._remember(memo, known)
        identity: list[AppIdentity] = []
        every: list[tuple[AppIdentity, str]] = []

        def right() -> bool:
            with self.uow() as uow:
                account_id = uow.accounts.id_by_email(username.strip().lower())
                account = uow.accounts.get(account_id) if account_id is not None else None
                sealed = uow.app_credentials.sealed_passwords(account.id) if account else []
            if account is None or account.disabled:
                return False
            for credential, box in sealed:
                plain = self.sealer.open(box, str(account.id))
                if plain is None:
                    continue
                every.append((AppIdentity(account.id, account.email, credential.id), plain))
                if not identity and matches(plain):
                    identity.append(every[-1][0])
                    self._used(credential)
            return bool(identity)

        # Throttled per account and per address; the same answer whoever the name is.
        self.guard.check_reentry(name, ip, right, WRONG)
        with self._lock:
            if len(self._opened) >= REMEMBERED_MAX:
                self._opened.clear()
            self._opened[name] = (time.monotonic() + REMEMBERED_S, every)
        return self._remember(memo, identity[0])

    def _used(self, credential: AppCredential) -> None:
        now = self.clock.now()
        last = credential.last_used
        if last is None or (now - last).total_seconds() > TOUCH_EVERY_S:
            with self.uow() as uow:
                uow.app_credentials.touch(credential.id, now)
                uow.commit()

    def _recall(self, memo: str) -> AppIdentity | None:
        found = self._remembered.get(memo)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def _remember(self, memo: str, identity: AppIdentity) -> AppIdentity:
        with self._lock:
            if len(self._remembered) >= REMEMBERED_MAX:
                self._remembered.clear()
            self._remembered[memo] = (time.monotonic() + REMEMBERED_S, identity)
        return identity


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
