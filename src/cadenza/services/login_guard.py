"""Failed-login limits that slow a credential-stuffing attacker without locking out the owner.

Failures count against the account twice over, apart: from devices the owner has signed in on
before, and from everywhere else. A guesser fills only the second bucket, so the owner's own phone
still gets in. Per IP address, failures make every further attempt from that address wait longer,
and past a threshold each attempt needs a solved proof of work instead.

A password asked again of a signed-in user (to change it, delete the account, turn two-factor
off) counts exactly like a login from a stranger's device, so a stolen access token is no way
to guess the password without limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from cadenza.domain.accounts import (
    FAILURE_WINDOW,
    MAX_ACCOUNT_FAILURES,
    failure_delay,
    pow_difficulty,
)
from cadenza.domain.errors import ChallengeRequired, TooManyAttempts, Unauthorized
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.proof_of_work import ProofOfWork

Proof = tuple[str, str]  # (challenge, nonce)


class LoginGuard:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, proof_of_work: ProofOfWork
    ) -> None:
        self.uow, self.clock, self.pow = uow, clock, proof_of_work

    def check_source(self, ip: str | None, proof: Proof | None) -> None:
        """Past a few failures an address waits longer each time; past more, each attempt
        from it needs a solved proof of work (which then spares it the wait)."""
        now = self.clock.now()
        with self.uow() as uow:
            count, last = uow.login_attempts.failures(self.ip_key(ip), now - FAILURE_WINDOW)
        difficulty = pow_difficulty(count)
        if difficulty:
            if proof is not None and self.pow.solved(proof[0], proof[1], ip, difficulty):
                return
            raise ChallengeRequired(
                "too many failed sign-ins from your network: solve the challenge to go on",
                challenge=self.pow.issue(ip, difficulty),
                difficulty=difficulty,
            )
        self._wait(count, last)

    def _wait(self, count: int, last: datetime | None) -> None:
        delay = failure_delay(count)
        if last is not None and (self.clock.now() - last).total_seconds() < delay:
            raise TooManyAttempts(
                "too many failed sign-ins; wait before trying again",
                retry_after=max(0.1, delay - (self.clock.now() - last).total_seconds()),
            )

    def keys(self, email: str, known_device: bool, ip: str | None) -> list[str]:
        # Keyed by the address, not the account id: unknown addresses are limited the same way.
        who = hashlib.sha256(email.lower().encode()).hexdigest()[:40]
        return [f"acct:{who}:{'known' if known_device else 'other'}", self.ip_key(ip)]

    def check_account(self, account_key: str) -> None:
        """At most 100 failures an hour in the bucket, with growing delays between them."""
        now = self.clock.now()
        with self.uow() as uow:
            count, last = uow.login_attempts.failures(account_key, now - FAILURE_WINDOW)
        if count >= MAX_ACCOUNT_FAILURES and last is not None:
            raise TooManyAttempts(
                "too many failed sign-ins for this account; try again later",
                retry_after=max(1.0, (last + FAILURE_WINDOW - now).total_seconds()),
            )
        self._wait(count, last)

    def check_reentry(
        self, email: str, ip: str | None, right: Callable[[], bool], message: str
    ) -> None:
        """Check a password (and code) re-entered by a signed-in user, counting a wrong one
        against the account's strangers' bucket and the caller's address, as a login would."""
        keys = self.keys(email, False, ip)
        self.check_account(keys[0])
        now = self.clock.now()
        with self.uow() as uow:
            count, last = uow.login_attempts.failures(keys[1], now - FAILURE_WINDOW)
        if pow_difficulty(count) and last is not None:  # no challenge here: just wait
            raise TooManyAttempts(
                "too many failed attempts from your network; try again later",
                retry_after=max(1.0, (last + FAILURE_WINDOW - now).total_seconds()),
            )
        self._wait(count, last)
        reserved = self.reserve(keys)
        if not right():
            raise Unauthorized(message, code="invalid_credentials")
        self.release(reserved)

    def ip_key(self, ip: str | None) -> str:
        return f"ip:{ip or 'unknown'}"

    def reserve(self, keys: list[str]) -> list[int]:
        """Count the attempt as failed before the (slow) password check, so that requests sent
        at the same moment see each other; a right password takes the reservation back."""
        now = self.clock.now()
        with self.uow() as uow:
            ids = uow.login_attempts.record_failure(keys, now)
            if ids and ids[0] % 1000 == 0:  # now and then, forget what no window needs
                uow.login_attempts.forget_failures(now - 2 * FAILURE_WINDOW)
            uow.commit()
        return ids

    def release(self, ids: list[int]) -> None:
        with self.uow() as uow:
            uow.login_attempts.forget_failure_ids(ids)
            uow.commit()

    def failed(self, keys: list[str]) -> None:
        with self.uow() as uow:
            uow.login_attempts.record_failure(keys, self.clock.now())
            uow.commit()
