"""Argon2id hashing with argon2-cffi: roundtrip, rehash, and dummy verification timing."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable

import argon2
import pytest

from cadenza.adapters.security.hashing import OWASP_MINIMUM, Argon2PasswordHasher


@pytest.fixture(scope="module")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher()


def test_roundtrip(hasher: Argon2PasswordHasher) -> None:
    hashed = hasher.hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher.verify(hashed, "correct horse battery staple")
    assert not hasher.verify(hashed, "correct horse battery stapler")
    assert hasher.hash("same") != hasher.hash("same")  # salted


def test_unicode_forms_verify_alike(hasher: Argon2PasswordHasher) -> None:
    hashed = hasher.hash("caf\u00e9 au lait")  # é precomposed
    assert hasher.verify(hashed, "cafe\u0301 au lait")  # e + combining acute


@pytest.mark.parametrize(
    "bad", ["", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$xx$yy", "$2b$12$abc"]
)
def test_malformed_hash_is_false_not_an_error(hasher: Argon2PasswordHasher, bad: str) -> None:
    assert hasher.verify(bad, "whatever") is False
    assert hasher.needs_rehash(bad) is True


def test_rehash_when_parameters_change(hasher: Argon2PasswordHasher) -> None:
    old = Argon2PasswordHasher(OWASP_MINIMUM)
    hashed = old.hash("a long passphrase")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not old.needs_rehash(hashed)
    assert hasher.needs_rehash(hashed)
    assert hasher.verify(hashed, "a long passphrase")  # still logs in, then gets rehashed
    assert not hasher.needs_rehash(hasher.hash("a long passphrase"))


def test_weak_parameters_refused() -> None:
    weak = argon2.Parameters(
        type=argon2.Type.ID, version=19, salt_len=16, hash_len=32,
        time_cost=1, memory_cost=8 * 1024, parallelism=1,
    )  # fmt: skip
    with pytest.raises(ValueError, match="OWASP"):
        Argon2PasswordHasher(weak)
    with pytest.raises(ValueError, match="argon2id"):
        Argon2PasswordHasher(dataclasses.replace(OWASP_MINIMUM, type=argon2.Type.I))


def _medians_ms(real: Callable[[], object], dummy: Callable[[], object]) -> tuple[float, float]:
    """Median times of both, measured alternately so that load on the machine hits both."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(7):
        for fn, out in ((real, times[0]), (dummy, times[1])):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def test_dummy_verify_costs_what_a_real_verify_costs(hasher: Argon2PasswordHasher) -> None:
    hashed = hasher.hash("the real password")
    hasher.dummy_verify()  # warm up
    for _ in range(3):  # a busy CI machine gets a few tries
        real, dummy = _medians_ms(lambda: hasher.verify(hashed, "wrong"), hasher.dummy_verify)
        if abs(dummy - real) <= 0.3 * real:
            return
    pytest.fail(f"dummy verify {dummy:.1f} ms vs real {real:.1f} ms")
