"""Failed-login limits that slow a credential-stuffing attacker without locking out the owner.

Failures count against the account twice over, apart: from devices the owner has signed in on
before, and from everywhere else. A guesser fills only the second bucket, so the owner's own phone
still gets in. Per IP address, failures make every further attempt from that address wait longer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from cadenza.domain.accounts import FAILURE_WINDOW, MAX_ACCOUNT_FAILURES, failure_delay
from cadenza.domain.errors import TooManyAttempts
from cadenza.ports import Clock, UnitOfWork


class LoginGuard:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def keys(self, email: str, known_device: bool, ip: str | None) -> list[str]:
        # Keyed by the address, not the account id: unknown addresses are limited the same way.
        who = hashlib.sha256(email.lower().encode()).hexdigest()[:40]
        return [f"acct:{who}:{'known' if known_device else 'other'}", self.ip_key(ip)]

    def check(self, keys: list[str]) -> None:
        now = self.clock.now()
        with self.uow() as uow:
            for key in keys:
                count, last = uow.accounts.failures(key, now - FAILURE_WINDOW)
                if key.startswith("acct:") and count >= MAX_ACCOUNT_FAILURES and last is not None:
                    wait = (last + FAILURE_WINDOW - now).total_seconds()
                    raise TooManyAttempts(
                        "too many failed sign-ins for this account; try again later",
                        retry_after=max(1.0, wait),
                    )
                delay = failure_delay(count)
                if last is not None and (now - last).total_seconds() < delay:
                    raise TooManyAttempts(
                        "too many failed sign-ins; wait before trying again",
                        retry_after=max(0.1, delay - (now - last).total_seconds()),
                    )

    def ip_key(self, ip: str | None) -> str:
        return f"ip:{ip or 'unknown'}"

    def reserve(self, keys: list[str]) -> list[int]:
        """Count the attempt as failed before the (slow) password check, so that requests sent
        at the same moment see each other; a right password takes the reservation back."""
        now = self.clock.now()
        with self.uow() as uow:
            ids = uow.accounts.record_failure(keys, now)
            if ids and ids[0] % 1000 == 0:  # now and then, forget what no window needs
                uow.accounts.forget_failures(now - 2 * FAILURE_WINDOW)
            uow.commit()
        return ids

    def release(self, ids: list[int]) -> None:
        with self.uow() as uow:
            uow.accounts.forget_failure_ids(ids)
            uow.commit()

    def failed(self, keys: list[str]) -> None:
        with self.uow() as uow:
            uow.accounts.record_failure(keys, self.clock.now())
            uow.commit()
