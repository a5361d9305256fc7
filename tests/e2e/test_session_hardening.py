"""Refresh tokens replayed from any point of a session's history, logins that race a password
reset or a lock, and locked accounts that answer like wrong passwords."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import argon2
import pytest
from fastapi.testclient import TestClient

from cadenza.adapters.security.hashing import Argon2PasswordHasher
from cadenza.bootstrap import App
from cadenza.config import Settings
from tests.e2e.test_account_recovery import NEW_PASSWORD, link_token
from tests.e2e.test_accounts import PASSWORD, bearer, log_in, log_in_fully, sign_up
from tests.e2e.test_cli import cadenza


def refresh(client: TestClient, token: str) -> Any:
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_any_earlier_refresh_token_replayed_ends_the_session(
    accounts: TestClient, app: App
) -> None:
    sign_up(accounts, app)
    tokens = [log_in_fully(accounts, app, "phone")]
    for _ in range(3):
        tokens.append(refresh(accounts, tokens[-1]["refresh_token"]).json())
    live = tokens[-1]
    assert accounts.get("/api/v1/me", headers=bearer(live)).status_code == 200
    replay = refresh(accounts, tokens[1]["refresh_token"])  # two rotations old
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "refresh_token_reused"
    assert accounts.get("/api/v1/me", headers=bearer(live)).status_code == 401
    assert refresh(accounts, live["refresh_token"]).status_code == 401
    assert log_in(accounts, app, "phone").status_code == 200  # the owner signs in again


def test_a_logged_out_sessions_last_token_is_just_invalid(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "phone")
    assert accounts.post("/api/v1/auth/logout", headers=bearer(tokens)).status_code == 204
    again = refresh(accounts, tokens["refresh_token"])
    assert again.json()["error"]["code"] == "invalid_token"


class GatedHasher(Argon2PasswordHasher):
    """The real hasher, but a login's password check can be held while the test acts."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = threading.Event()
        self.checking = threading.Event()
        self.release = threading.Event()

    def verify(self, password_hash: str, password: str) -> bool:
        right = super().verify(password_hash, password)
        if self.hold.is_set():
            self.hold.clear()
            self.checking.set()
            assert self.release.wait(30)
        return right


@pytest.fixture
def gated(app: App) -> GatedHasher:
    hasher = GatedHasher()
    app.__dict__["hasher"] = hasher  # before any service is made with the real one
    return hasher


@pytest.mark.parametrize("change", ["password reset", "this wasn't me"])
def test_a_login_racing_a_reset_or_a_lock_does_not_survive_it(
    gated: GatedHasher, accounts: TestClient, app: App, change: str
) -> None:
    sign_up(accounts, app)
    log_in_fully(accounts, app, "laptop")
    with app.uow() as uow:  # a hash from weaker days: the racing login will rehash it
        weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
        uow.accounts.set_password_hash(1, weak.hash(PASSWORD))
        uow.commit()
    gated.hold.set()
    with ThreadPoolExecutor(1) as pool:
        racing = pool.submit(log_in, accounts, app, "laptop")  # the old password, checked...
        assert gated.checking.wait(30)
        if change == "password reset":  # ...while the owner resets it
            accounts.post("/api/v1/auth/password-reset", json={"email": "ada@example.org"})
            form = {
                "token": link_token(app, "Reset your Cadenza password"),
                "password": NEW_PASSWORD,
            }
            assert (
                accounts.post("/api/v1/auth/password-reset/confirm", json=form).status_code == 204
            )
        else:  # ...or locks the account from an alert
            lock = link_token(app, "New sign-in to your Cadenza account")
            assert accounts.post("/api/v1/auth/lock", json={"token": lock}).status_code == 204
        gated.release.set()
        answer = racing.result()
    if answer.status_code == 200:  # tokens, maybe, but they open nothing
        assert accounts.get("/api/v1/me", headers=bearer(answer.json())).status_code == 401
        assert refresh(accounts, answer.json()["refresh_token"]).status_code == 401
    else:
        assert answer.json()["error"]["code"] == "invalid_credentials"
    if change == "password reset":  # the old password's rehash did not undo the reset
        assert log_in(accounts, app, "laptop").status_code == 401
        assert log_in(accounts, app, "laptop", password=NEW_PASSWORD).status_code == 200


def test_a_locked_account_answers_as_a_wrong_password_does(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    log_in_fully(accounts, app, "laptop")
    lock = link_token(app, "New sign-in to your Cadenza account")
    assert accounts.post("/api/v1/auth/lock", json={"token": lock}).status_code == 204
    right = log_in(accounts, app, "laptop")
    wrong = log_in(accounts, app, "laptop", password="not the password at all")
    nobody = log_in(accounts, app, "laptop", email="nobody@example.org")
    assert right.status_code == wrong.status_code == nobody.status_code == 401
    assert right.json() == wrong.json() == nobody.json()
    assert right.json()["error"]["code"] == "invalid_credentials"
    # The owner unlocks with the link mailed with the lock, and sees what happened meanwhile.
    form = {"token": link_token(app, "Reset your Cadenza password"), "password": NEW_PASSWORD}
    assert accounts.post("/api/v1/auth/password-reset/confirm", json=form).status_code == 204
    tokens = log_in(accounts, app, "laptop", password=NEW_PASSWORD).json()
    events = accounts.get("/api/v1/me/security-events", headers=bearer(tokens)).json()
    assert {"login_refused_locked", "login_failed"} <= {e["kind"] for e in events}


def test_right_passwords_on_a_locked_account_count_as_failures(
    accounts: TestClient, app: App
) -> None:
    """Were they not counted, the limits would tell a guesser which password was right."""
    sign_up(accounts, app)
    log_in_fully(accounts, app, "laptop")
    lock = link_token(app, "New sign-in to your Cadenza account")
    assert accounts.post("/api/v1/auth/lock", json={"token": lock}).status_code == 204
    known = app.login_guard.keys("ada@example.org", True, None)[0]
    with app.uow() as uow:  # one short of the hour's limit, no delay running
        uow.login_attempts.record_failure([known] * 99, datetime.now(UTC) - timedelta(minutes=40))
        uow.commit()
    assert log_in(accounts, app, "laptop").status_code == 401  # right, and the hundredth
    assert log_in(accounts, app, "laptop").status_code == 429


def test_expired_sessions_are_forgotten_but_a_live_sessions_old_tokens_are_not(
    accounts: TestClient, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_up(accounts, app)
    phone = [log_in_fully(accounts, app, "phone")]
    for _ in range(2):
        phone.append(refresh(accounts, phone[-1]["refresh_token"]).json())
    laptop = log_in_fully(accounts, app, "laptop")
    assert accounts.post("/api/v1/auth/logout", headers=bearer(laptop)).status_code == 204

    later = datetime.now(UTC) + timedelta(days=30)  # the sessions have 60 days
    monkeypatch.setattr(app.clock, "now", lambda: later)
    pruned = app.sessions.prune()
    assert (pruned.sessions, pruned.refresh_tokens) == (0, 0)
    assert pruned.one_time_tokens >= 2  # the used sign-up link and the sign-in code expired
    replay = refresh(accounts, phone[0]["refresh_token"])  # still recognised as a stolen copy
    assert replay.json()["error"]["code"] == "refresh_token_reused"

    much_later = datetime.now(UTC) + timedelta(days=61)
    monkeypatch.setattr(app.clock, "now", lambda: much_later)
    pruned = app.sessions.prune()
    assert (pruned.sessions, pruned.refresh_tokens) == (2, 4)  # phone: 3 tokens, laptop: 1
    assert app.sessions.prune().sessions == 0
    gone = refresh(accounts, phone[-1]["refresh_token"])
    assert gone.json()["error"]["code"] == "invalid_token"
    assert log_in(accounts, app, "phone").status_code == 200  # a known device signs in again


def test_the_operator_prunes_sessions_from_the_command_line(settings: Settings) -> None:
    done = cadenza(settings, "sessions", "prune")
    assert done.returncode == 0, done.stderr
    assert "deleted 0 expired sessions, 0 refresh tokens" in done.stdout
