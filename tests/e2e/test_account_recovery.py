"""Two-factor, password change and reset, and "this wasn't me", through HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from cadenza.adapters.security.totp import PyotpTotp
from cadenza.bootstrap import App
from tests.e2e.test_accounts import PASSWORD, bearer, body, log_in, log_in_fully, mails, sign_up

NEW_PASSWORD = "a brand new passphrase 77"


def link_token(app: App, subject: str) -> str:
    message = next(m for m in reversed(mails(app)) if m["Subject"] == subject)
    found = re.search(r"token=(\S+)", body(message))
    assert found is not None
    return found.group(1)


def test_two_factor_with_an_authenticator_and_recovery_codes(
    accounts: TestClient, app: App
) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "laptop")
    refused = accounts.post(
        "/api/v1/me/two-factor", json={"password": "a stolen session"}, headers=bearer(tokens)
    )
    assert refused.status_code == 401  # a stolen session cannot turn it on
    setup = accounts.post(
        "/api/v1/me/two-factor", json={"password": PASSWORD}, headers=bearer(tokens)
    ).json()
    assert setup["provisioning_uri"].startswith("otpauth://totp/Cadenza")
    assert setup["qr_svg"].lstrip().startswith(("<?xml", "<svg"))
    code = PyotpTotp().code_at(setup["secret"], datetime.now(UTC))
    confirmed = accounts.post(
        "/api/v1/me/two-factor/confirm", json={"code": code}, headers=bearer(tokens)
    )
    recovery = confirmed.json()["recovery_codes"]
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).json()["two_factor"] is True

    asked = log_in(accounts, app, "laptop")  # even a known device needs the second factor now
    assert asked.status_code == 401 and asked.json()["error"]["code"] == "totp_required"
    replayed = log_in(accounts, app, "laptop", totp=code)  # the code used to confirm: spent
    assert replayed.json()["error"]["code"] == "invalid_totp"
    assert log_in(accounts, app, "laptop", totp=recovery[0]).status_code == 200
    again = log_in(accounts, app, "laptop", totp=recovery[0])  # single use
    assert again.json()["error"]["code"] == "invalid_totp"


def test_changing_the_password_ends_other_sessions(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    phone = log_in_fully(accounts, app, "phone")
    laptop = log_in_fully(accounts, app, "laptop")
    wrong = accounts.put(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": NEW_PASSWORD},
        headers=bearer(laptop),
    )
    assert wrong.status_code == 401
    changed = accounts.put(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(laptop),
    )
    assert changed.status_code == 204
    assert accounts.get("/api/v1/me", headers=bearer(laptop)).status_code == 200
    assert accounts.get("/api/v1/me", headers=bearer(phone)).status_code == 401
    assert log_in(accounts, app, "laptop").status_code == 401
    assert log_in(accounts, app, "laptop", password=NEW_PASSWORD).status_code == 200


def test_a_reset_link_works_once_and_ends_every_session(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "phone")
    known = accounts.post("/api/v1/auth/password-reset", json={"email": "ada@example.org"})
    unknown = accounts.post("/api/v1/auth/password-reset", json={"email": "zed@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert not any(m["To"] == "zed@example.org" for m in mails(app))
    token = link_token(app, "Reset your Cadenza password")
    form = {"token": token, "password": NEW_PASSWORD}
    assert accounts.post("/api/v1/auth/password-reset/confirm", json=form).status_code == 204
    assert accounts.post("/api/v1/auth/password-reset/confirm", json=form).status_code == 422
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).status_code == 401
    assert log_in(accounts, app, "phone", password=NEW_PASSWORD).status_code == 200


def test_this_wasnt_me_locks_the_account_until_a_reset(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "stolen-laptop")
    lock = link_token(app, "New sign-in to your Cadenza account")
    assert accounts.post("/api/v1/auth/lock", json={"token": lock}).status_code == 204
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).status_code == 401
    locked = log_in(accounts, app, "stolen-laptop")  # as a wrong password: it tells nothing
    assert locked.json()["error"]["code"] == "invalid_credentials"
    reset = link_token(app, "Reset your Cadenza password")  # sent with the lock
    form = {"token": reset, "password": NEW_PASSWORD}
    assert accounts.post("/api/v1/auth/password-reset/confirm", json=form).status_code == 204
    assert log_in(accounts, app, "stolen-laptop", password=NEW_PASSWORD).status_code == 200
    events = accounts.get(
        "/api/v1/me/security-events",
        headers=bearer(log_in(accounts, app, "stolen-laptop", password=NEW_PASSWORD).json()),
    ).json()
    assert {"locked_by_owner", "password_reset"} <= {e["kind"] for e in events}


def test_download_my_data_then_delete_the_account(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "phone")
    data = accounts.get("/api/v1/me/export", headers=bearer(tokens)).json()
    assert data["account"]["email"] == "ada@example.org"
    assert data["account"]["birth_date"] == "1990-12-10"
    assert [d["name"] for d in data["devices"]] == ["phone"]
    assert "logged_in" in {e["kind"] for e in data["security_events"]}
    assert "password" not in str(data).lower().replace("password_", "")
    wrong = accounts.post(
        "/api/v1/me/delete", json={"password": "not my password"}, headers=bearer(tokens)
    )
    assert wrong.status_code == 401
    gone = accounts.post("/api/v1/me/delete", json={"password": PASSWORD}, headers=bearer(tokens))
    assert gone.status_code == 204
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).status_code == 401
    assert log_in(accounts, app, "phone").status_code == 401
    with app.uow() as uow:
        assert uow.accounts.id_by_email("ada@example.org") is None
