"""A password asked again of a signed-in user counts like a login: a stolen access token is no
way to guess it without limit. Turning two-factor off takes the password and a code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.adapters.security.totp import PyotpTotp
from cadenza.api.app import create_app
from cadenza.bootstrap import App
from tests.e2e.test_account_recovery import NEW_PASSWORD
from tests.e2e.test_accounts import PASSWORD, bearer, log_in, log_in_fully, sign_up

REENTRY = {
    "change the password": (
        "PUT",
        "/api/v1/me/password",
        lambda pw: {"current_password": pw, "new_password": NEW_PASSWORD},
    ),
    "delete the account": ("POST", "/api/v1/me/delete", lambda pw: {"password": pw}),
    "turn two-factor on": ("POST", "/api/v1/me/two-factor", lambda pw: {"password": pw}),
}


@pytest.mark.parametrize("action", sorted(REENTRY))
def test_wrong_passwords_on_a_stolen_session_count_like_failed_logins(
    accounts: TestClient, app: App, action: str
) -> None:
    method, path, form = REENTRY[action]
    sign_up(accounts, app)
    owner_phone = log_in_fully(accounts, app, "owner-phone")
    stolen = log_in_fully(accounts, app, "stolen-laptop")
    # As 99 failed logins from unknown devices in the last hour leave the account (the last
    # long enough ago that no delay is running): one short of the limit.
    strangers = app.login_guard.keys("ada@example.org", False, None)[0]
    with app.uow() as uow:
        uow.login_attempts.record_failure(
            [strangers] * 99, datetime.now(UTC) - timedelta(minutes=40)
        )
        uow.commit()
    guess = accounts.request(method, path, json=form("guess number 1"), headers=bearer(stolen))
    assert guess.status_code == 401 and guess.json()["error"]["code"] == "invalid_credentials"
    blocked = accounts.request(method, path, json=form(PASSWORD), headers=bearer(stolen))
    assert blocked.status_code == 429  # the hundredth failure: even the right one waits now
    assert int(blocked.headers["Retry-After"]) > 60
    with TestClient(create_app(app), client=("192.0.2.44", 1)) as elsewhere:
        stranger = log_in(elsewhere, app, "another-box")
        assert stranger.status_code == 429  # logins from unknown devices share that limit
        assert log_in(elsewhere, app, "owner-phone").status_code == 200  # the owner gets in
    assert accounts.get("/api/v1/me", headers=bearer(owner_phone)).status_code == 200


def test_wrong_re_entries_slow_the_callers_address(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    stolen = log_in_fully(accounts, app, "stolen-laptop")
    with app.uow() as uow:  # as twenty failed logins from this address leave it
        uow.login_attempts.record_failure(["ip:198.51.100.7"] * 20, datetime.now(UTC))
        uow.commit()
    refused = accounts.post(
        "/api/v1/me/delete", json={"password": PASSWORD}, headers=bearer(stolen)
    )
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_attempts"
    assert accounts.get("/api/v1/me", headers=bearer(stolen)).status_code == 200  # not deleted


def turn_on_two_factor(accounts: TestClient, tokens: dict[str, Any]) -> tuple[str, list[str]]:
    setup = accounts.post(
        "/api/v1/me/two-factor", json={"password": PASSWORD}, headers=bearer(tokens)
    ).json()
    code = PyotpTotp().code_at(setup["secret"], datetime.now(UTC))
    confirmed = accounts.post(
        "/api/v1/me/two-factor/confirm", json={"code": code}, headers=bearer(tokens)
    )
    assert confirmed.status_code == 200
    return setup["secret"], confirmed.json()["recovery_codes"]


def test_turning_two_factor_off_takes_the_password_and_a_code(
    accounts: TestClient, app: App
) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "laptop")
    _, recovery = turn_on_two_factor(accounts, tokens)
    off = "/api/v1/me/two-factor/disable"
    no_code = accounts.post(off, json={"password": PASSWORD}, headers=bearer(tokens))
    assert no_code.status_code == 422
    wrong_code = accounts.post(
        off, json={"password": PASSWORD, "code": "000000"}, headers=bearer(tokens)
    )
    wrong_password = accounts.post(
        off, json={"password": "not the password", "code": recovery[0]}, headers=bearer(tokens)
    )
    # One answer for either: a right password is never confirmed on its own.
    assert wrong_code.status_code == wrong_password.status_code == 401
    assert wrong_code.json() == wrong_password.json()
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).json()["two_factor"] is True
    done = accounts.post(
        off, json={"password": PASSWORD, "code": recovery[1]}, headers=bearer(tokens)
    )
    assert done.status_code == 204
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).json()["two_factor"] is False


def test_two_factor_off_with_the_authenticator_code(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "laptop")
    secret, _ = turn_on_two_factor(accounts, tokens)
    asked = log_in(accounts, app, "laptop")  # a known device, yet the second factor is asked
    assert asked.status_code == 401 and asked.json()["error"]["code"] == "totp_required"
    later = datetime.now(UTC).timestamp() + 30  # the confirming code's step is spent
    code = PyotpTotp().code_at(secret, datetime.fromtimestamp(later, UTC))
    done = accounts.post(
        "/api/v1/me/two-factor/disable",
        json={"password": PASSWORD, "code": code},
        headers=bearer(tokens),
    )
    assert done.status_code == 204
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).json()["two_factor"] is False
    again = log_in(accounts, app, "laptop")  # the password alone lets the owner in again
    assert again.status_code == 200 and again.json()["access_token"]
