"""Proof-of-work challenges for a source that has failed too many logins.

A challenge is signed by the server and names the client address, its difficulty and its expiry,
so it needs no storage until it is spent. The client finds a nonce such that
sha256(challenge + ":" + nonce) starts with `difficulty` zero bits (the web client does it in a
worker; a 16-bit one takes a few milliseconds), then sends both with its login. Each challenge
works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

from cadenza.domain.accounts import POW_TTL, leading_zero_bits
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork


class ProofOfWork:
    def __init__(self, secret: bytes, clock: Clock, uow: Callable[[], UnitOfWork]) -> None:
        self._secret, self.clock, self.uow = secret, clock, uow

    def issue(self, ip: str | None, difficulty: int) -> str:
        expires = int((self.clock.now() + POW_TTL).timestamp())
        body = f"{expires}.{difficulty}.{secrets.token_hex(8)}"
        return f"{body}.{self._sign(body, ip)}"

    def solved(self, challenge: str, nonce: str, ip: str | None, difficulty: int) -> bool:
        """A valid, unexpired challenge of at least `difficulty` for this address, solved,
        and not used before (spending it is recorded)."""
        try:
            expires, bits, rand, signature = challenge.split(".")
            fresh = int(expires) > self.clock.now().timestamp() and int(bits) >= difficulty
        except ValueError:
            return False
        body = f"{expires}.{bits}.{rand}"
        if not (fresh and hmac.compare_digest(signature, self._sign(body, ip))):
            return False
        digest = hashlib.sha256(f"{challenge}:{nonce[:64]}".encode()).digest()
        if leading_zero_bits(digest) < int(bits):
            return False
        return self._spend(challenge)

    def _spend(self, challenge: str) -> bool:
        """One INSERT decides: of two logins spending one challenge at the same instant, one
        wins and the other is asked for a new challenge."""
        digest = hashlib.sha256(challenge.encode()).hexdigest()
        now = self.clock.now()
        with self.uow() as uow:
            spent = uow.login_attempts.spend_challenge(digest, now, now - 2 * POW_TTL)
            uow.commit()
        return spent

    def _sign(self, body: str, ip: str | None) -> str:
        message = f"{body}|{ip or 'unknown'}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]


def solve(challenge: str, difficulty: int) -> str:
    """What a client does (used by tests and the benchmark's well-behaved clients)."""
    nonce = 0
    while True:
        digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
        if leading_zero_bits(digest) >= difficulty:
            return str(nonce)
        nonce += 1
