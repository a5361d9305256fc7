"""Argon2id hashing with argon2-cffi: roundtrip, rehash, and the dummy verification's real work."""

from __future__ import annotations

import dataclasses

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


def test_dummy_verify_runs_a_real_verification_of_a_real_hash(
    hasher: Argon2PasswordHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login for an unknown account costs what a real one costs because it does the same
    work: one argon2id verification, against a hash of the same parameters (the time it takes
    is measured in bench/security.py)."""
    checked: list[str] = []
    verify = argon2.PasswordHasher.verify

    def counting(self: argon2.PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        checked.append(hash if isinstance(hash, str) else hash.decode())
        return verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    hashed = hasher.hash("the real password")
    assert hasher.verify(hashed, "wrong") is False
    hasher.dummy_verify()
    hasher.dummy_verify()
    real, dummy, again = checked
    assert dummy != real and again == dummy  # a hash of its own, not the account's
    assert argon2.extract_parameters(dummy) == argon2.extract_parameters(real)
    assert dummy.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
