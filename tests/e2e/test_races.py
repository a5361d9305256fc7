"""Requests that collide on a unique row at the same instant get the normal answer, never a
500: two sign-ups for one address, two first logins from one new device, one proof-of-work
challenge spent twice. Threads release together at a barrier; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.testclient import TestClient

from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.services.proof_of_work import solve
from tests.e2e.test_accounts import PASSWORD, PROFILE, bearer, log_in, log_in_fully, mails, sign_up
from tests.e2e.test_reentry import turn_on_two_factor

T = TypeVar("T")


def at_once(count: int, action: Callable[[int], T]) -> list[T]:
    """Run `action(0..count-1)` in threads that start together."""
    barrier = threading.Barrier(count)

    def run(n: int) -> T:
        barrier.wait(30)
        return action(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def client_of(api: FastAPI, n: int) -> TestClient:
    return TestClient(api, client=(f"198.51.100.{10 + n}", 1))


def test_sign_ups_for_one_address_at_once(app: App) -> None:
    api = create_app(app)
    form = {"email": "ada@example.org", "password": PASSWORD, **PROFILE}

    def sign_up_once(n: int) -> Any:
        return client_of(api, n).post("/api/v1/auth/signup", json=form)

    answers = at_once(4, sign_up_once)
    assert [a.status_code for a in answers] == [202] * 4
    assert len({a.text for a in answers}) == 1
    with app.uow() as uow:
        assert len(uow.accounts.search("ada@example.org", 10, 0)) == 1
    subjects = sorted(m["Subject"] for m in mails(app))
    assert subjects == ["Confirm your Cadenza account"] + ["You already have a Cadenza account"] * 3


def test_two_first_logins_from_one_new_device_at_once(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "laptop")
    _, recovery = turn_on_two_factor(accounts, tokens)
    api = create_app(app)

    def first_login(n: int) -> Any:  # each with its own (valid) recovery code
        return log_in(client_of(api, n), app, "new-tablet", totp=recovery[n])

    answers = at_once(2, first_login)
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    listed = accounts.get("/api/v1/me/sessions", headers=bearer(answers[0].json())).json()
    assert sorted(s["device_name"] for s in listed) == ["laptop", "new-tablet", "new-tablet"]
    exported = accounts.get("/api/v1/me/export", headers=bearer(answers[1].json())).json()
    assert sorted(d["name"] for d in exported["devices"]) == ["laptop", "new-tablet"]


def test_one_challenge_spent_twice_at_once(app: App) -> None:
    noisy = ("203.0.113.9", 1)
    api = create_app(app)
    with TestClient(api, client=noisy) as client:
        sign_up(client, app)
        log_in_fully(client, app, "office-pc")
        with app.uow() as uow:  # as twenty failed guesses from this address leave it
            uow.login_attempts.record_failure(["ip:203.0.113.9"] * 20, datetime.now(UTC))
            uow.commit()
        error = log_in(client, app, "office-pc").json()["error"]
        proof = {
            "challenge": error["challenge"],
            "challenge_nonce": solve(error["challenge"], error["difficulty"]),
        }

        def spend(_: int) -> Any:
            return log_in(TestClient(api, client=noisy), app, "office-pc", **proof)

        answers = at_once(2, spend)
    assert sorted(a.status_code for a in answers) == [200, 429], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["error"]["code"] == "challenge_required"  # a fresh one to solve
