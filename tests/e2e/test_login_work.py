"""A login for an address no account has answers as a wrong password does, and does the same
work: one argon2id verification of a hash with the accounts' own parameters. (How long each
takes is measured in bench/security.py; a test never asserts a time.)"""

from __future__ import annotations

import argon2
import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.test_accounts import PASSWORD, log_in, sign_up


def test_an_unknown_address_costs_one_real_verification_like_a_wrong_password(
    accounts: TestClient, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_up(accounts, app)
    checked: list[str] = []
    verify = argon2.PasswordHasher.verify

    def counting(self: argon2.PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        checked.append(hash if isinstance(hash, str) else hash.decode())
        return verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    wrong = log_in(accounts, app, "phone-1", password=PASSWORD + " not")
    after_wrong = list(checked)
    unknown = log_in(accounts, app, "phone-1", email="nobody@example.org")
    after_unknown = checked[len(after_wrong) :]

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # the same answer: nothing tells the two apart
    assert len(after_wrong) == len(after_unknown) == 1  # one full verification each
    (account_hash,), (dummy_hash,) = after_wrong, after_unknown
    assert dummy_hash != account_hash
    assert argon2.extract_parameters(dummy_hash) == argon2.extract_parameters(account_hash)
