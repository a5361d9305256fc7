"""Accounts through HTTP: sign-up, verification, login with step-up, tokens, sessions, limits."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.adapters.mail import read_outbox
from cadenza.api.app import create_app
from cadenza.bootstrap import App

PASSWORD = "correct horse battery staple 42"
PROFILE = {"display_name": "Ada", "country": "GB", "birth_date": "1990-12-10"}


def mails(app: App) -> list[EmailMessage]:
    """The outbox once the mail queue is delivered (the worker sends it in the background)."""
    app.outgoing_mail.deliver_due()
    return read_outbox(app.settings.data_dir / "outbox")


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def sign_up(client: TestClient, app: App, email: str = "ada@example.org") -> None:
    response = client.post(
        "/api/v1/auth/signup", json={"email": email, "password": PASSWORD, **PROFILE}
    )
    assert response.status_code == 202
    link = re.search(r"token=(\S+)", body(mails(app)[-1]))
    assert link is not None
    assert (
        client.post("/api/v1/auth/verify-email", json={"token": link.group(1)}).status_code == 200
    )


def log_in(
    client: TestClient,
    app: App,
    device: str = "phone-1",
    headers: dict[str, str] | None = None,
    **extra: str,
) -> Any:
    form = {
        "email": "ada@example.org",
        "password": PASSWORD,
        "device_id": device,
        "device_name": device,
    }
    return client.post("/api/v1/auth/token", json=form | extra, headers=headers)


def log_in_fully(client: TestClient, app: App, device: str = "phone-1") -> dict[str, Any]:
    """Log in from a device, answering the e-mailed step-up code if one is asked for."""
    first = log_in(client, app, device)
    if first.status_code == 401:
        assert first.json()["error"]["code"] == "email_code_required"
        code = re.search(r"enter this code: (\d{6})", body(mails(app)[-1]))
        assert code is not None
        first = log_in(client, app, device, email_code=code.group(1))
    assert first.status_code == 200, first.text
    tokens: dict[str, Any] = first.json()
    return tokens


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_sign_up_verify_and_see_my_profile(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app)
    assert tokens["expires_in"] == 900
    me = accounts.get("/api/v1/me", headers=bearer(tokens)).json()
    assert me["email"] == "ada@example.org"
    assert (me["display_name"], me["country"], me["plan"]) == ("Ada", "GB", "free")
    assert me["roles"] == ["listener"] and me["email_verified"] is True
    subjects = [m["Subject"] for m in mails(app)]
    assert "New sign-in to your Cadenza account" in subjects  # the first login from a device


def test_a_known_device_logs_in_without_a_code(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    log_in_fully(accounts, app, "laptop")
    sent = len(mails(app))
    again = log_in(accounts, app, "laptop")
    assert again.status_code == 200
    assert len(mails(app)) == sent  # no code, no alert: a device used before


def test_a_right_password_from_a_new_device_is_not_enough(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    log_in_fully(accounts, app, "laptop")
    stranger = log_in(accounts, app, "attacker-box")
    assert stranger.status_code == 401
    assert stranger.json()["error"]["code"] == "email_code_required"
    guessed = log_in(accounts, app, "attacker-box", email_code="000000")
    assert guessed.json()["error"]["code"] in {"invalid_email_code", "email_code_required"}
    assert guessed.status_code in {401, 429}


def test_sign_up_does_not_tell_whether_an_address_is_taken(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    again = accounts.post(
        "/api/v1/auth/signup", json={"email": "ada@example.org", "password": PASSWORD, **PROFILE}
    )
    fresh = accounts.post(
        "/api/v1/auth/signup", json={"email": "bob@example.org", "password": PASSWORD, **PROFILE}
    )
    assert again.status_code == fresh.status_code == 202
    assert again.json() == fresh.json()
    assert mails(app)[-2]["Subject"] == "You already have a Cadenza account"


def test_login_failures_look_the_same_for_unknown_addresses(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    wrong = log_in(accounts, app, password="not the password at all")
    unknown = accounts.post(
        "/api/v1/auth/token",
        json={"email": "nobody@example.org", "password": PASSWORD, "device_id": "phone-1"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1!", "password_too_short"),
        ("password123", "password_common"),
        ("x" * 129, "password_too_long"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    accounts: TestClient, password: str, code: str
) -> None:
    response = accounts.post(
        "/api/v1/auth/signup", json={"email": "c@example.org", "password": password, **PROFILE}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_refresh_tokens_rotate_and_a_replayed_one_ends_the_session(
    accounts: TestClient, app: App
) -> None:
    sign_up(accounts, app)
    first = log_in_fully(accounts, app)
    second = accounts.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert accounts.get("/api/v1/me", headers=bearer(second.json())).status_code == 200
    replay = accounts.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "refresh_token_reused"
    after = accounts.get("/api/v1/me", headers=bearer(second.json()))
    assert after.json()["error"]["code"] == "session_ended"
    events = [
        e["kind"]
        for e in accounts.get(
            "/api/v1/me/security-events", headers=bearer(log_in_fully(accounts, app))
        ).json()
    ]
    assert "refresh_token_reused" in events


def test_sessions_can_be_listed_and_ended(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    phone = log_in_fully(accounts, app, "phone")
    laptop = log_in_fully(accounts, app, "laptop")
    listed = accounts.get("/api/v1/me/sessions", headers=bearer(laptop)).json()
    assert sorted(s["device_name"] for s in listed) == ["laptop", "phone"]
    phone_session = next(s for s in listed if s["device_name"] == "phone")
    assert not phone_session["current"]
    ended = accounts.delete(f"/api/v1/me/sessions/{phone_session['id']}", headers=bearer(laptop))
    assert ended.status_code == 204
    assert accounts.get("/api/v1/me", headers=bearer(phone)).status_code == 401
    assert accounts.delete("/api/v1/me/sessions", headers=bearer(laptop)).status_code == 204
    assert accounts.get("/api/v1/me", headers=bearer(laptop)).status_code == 401


def test_no_token_no_profile(accounts: TestClient) -> None:
    assert accounts.get("/api/v1/me").json()["error"]["code"] == "authentication_required"
    forged = accounts.get("/api/v1/me", headers={"Authorization": "Bearer v1.e30.forged"})
    assert forged.status_code == 401


def test_guessing_slows_the_guesser_but_not_the_owner(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner_ip, attacker_ip = ("192.0.2.10", 1), ("203.0.113.66", 1)
    with (
        TestClient(create_app(app), client=owner_ip) as owner,
        TestClient(create_app(app), client=attacker_ip) as attacker,
    ):
        sign_up(owner, app)
        log_in_fully(owner, app, "owner-phone")
        # The guesses come faster than the growing waits (a quarter second after the fifth):
        # the clock stands still, so a loaded machine's slow answers let no wait run out.
        stopped = app.clock.now()
        monkeypatch.setattr(app.clock, "now", lambda: stopped)
        answers = [
            log_in(attacker, app, f"bot-{n}", password=f"guess number {n}").status_code
            for n in range(8)
        ]
        assert answers == [401] * 5 + [429] * 3
        slowed = log_in(attacker, app, "bot-x", password="guess again")
        assert slowed.status_code == 429
        assert float(slowed.headers["Retry-After"]) >= 1
        assert log_in(owner, app, "owner-phone").status_code == 200


def test_a_known_device_in_another_country_needs_the_code(accounts: TestClient, app: App) -> None:
    app.settings.country_header = "X-Client-Country"  # as a trusted front proxy would set it
    sign_up(accounts, app)
    log_in_fully(accounts, app, "laptop")
    home = log_in(accounts, app, "laptop", headers={"X-Client-Country": "GB"})
    assert home.status_code == 200
    abroad = log_in(accounts, app, "laptop", headers={"X-Client-Country": "BR"})
    assert abroad.status_code == 401
    assert abroad.json()["error"]["code"] == "email_code_required"


def test_a_noisy_address_must_solve_a_proof_of_work(app: App) -> None:
    from datetime import UTC, datetime

    from cadenza.services.proof_of_work import solve

    noisy = ("203.0.113.9", 1)
    with TestClient(create_app(app), client=noisy) as client:
        sign_up(client, app)
        log_in_fully(client, app, "office-pc")
        with app.uow() as uow:  # as twenty failed guesses from this address leave it
            uow.login_attempts.record_failure(["ip:203.0.113.9"] * 20, datetime.now(UTC))
            uow.commit()
        asked = log_in(client, app, "office-pc")
        assert asked.status_code == 429
        error = asked.json()["error"]
        assert error["code"] == "challenge_required" and error["difficulty"] == 16
        nonce = solve(error["challenge"], error["difficulty"])
        proof = {"challenge": error["challenge"], "challenge_nonce": nonce}
        assert log_in(client, app, "office-pc", **proof).status_code == 200
        again = log_in(client, app, "office-pc", **proof)  # a challenge works once
        assert again.json()["error"]["code"] == "challenge_required"
    with TestClient(create_app(app), client=("198.51.100.200", 1)) as elsewhere:
        assert log_in(elsewhere, app, "office-pc").status_code == 200  # other addresses unaffected


def test_only_the_latest_sign_in_code_works(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    codes = []
    for _ in range(2):
        assert log_in(accounts, app, "new-tablet").json()["error"]["code"] == "email_code_required"
        found = re.search(r"enter this code: (\d{6})", body(mails(app)[-1]))
        assert found is not None
        codes.append(found.group(1))
    if codes[0] != codes[1]:  # one in a million they are equal
        stale = log_in(accounts, app, "new-tablet", email_code=codes[0])
        assert stale.json()["error"]["code"] == "invalid_email_code"
    assert log_in(accounts, app, "new-tablet", email_code=codes[1]).status_code == 200
