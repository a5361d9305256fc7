"""The operator's account commands as run at a shell: `cadenza users disable|enable|reset-2fa`
and `cadenza students reject`, each checked by what the listener then can or cannot do."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.config import Settings
from tests.e2e.conftest import sign_in
from tests.e2e.test_accounts import bearer, log_in, log_in_fully, sign_up
from tests.e2e.test_reentry import turn_on_two_factor

pytestmark = pytest.mark.slow  # each command starts a process


def cadenza(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "cadenza", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_disabled_account_is_signed_out_and_kept_out_until_enabled(
    settings: Settings, app: App, accounts: TestClient
) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "laptop")
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).status_code == 200

    disabled = cadenza(settings, "users", "disable", "ada@example.org")
    assert disabled.returncode == 0, disabled.stderr
    assert disabled.stdout.strip() == "disabled ada@example.org"
    assert accounts.get("/api/v1/me", headers=bearer(tokens)).status_code == 401
    kept_out = log_in(accounts, app, "laptop")
    assert kept_out.status_code == 401 and kept_out.json()["error"]["code"] == "invalid_credentials"
    listed = cadenza(settings, "users", "list").stdout.splitlines()
    assert [line.split("\t")[-1] for line in listed if "ada@example.org" in line] == ["disabled"]

    enabled = cadenza(settings, "users", "enable", "ada@example.org")
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout.strip() == "enabled ada@example.org"
    assert log_in(accounts, app, "laptop").status_code == 200  # the password works again

    unknown = cadenza(settings, "users", "disable", "nobody@example.org")
    assert unknown.returncode == 2 and "refused" in unknown.stderr


def test_reset_2fa_lets_an_owner_who_lost_the_app_in_with_the_password(
    settings: Settings, app: App, accounts: TestClient
) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "laptop")
    lost, _ = turn_on_two_factor(accounts, tokens)
    asked = log_in(accounts, app, "laptop")
    assert asked.status_code == 401 and asked.json()["error"]["code"] == "totp_required"

    reset = cadenza(settings, "users", "reset-2fa", "ada@example.org")
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.strip() == "two-factor is off for ada@example.org"
    let_in = log_in(accounts, app, "laptop")
    assert let_in.status_code == 200
    assert accounts.get("/api/v1/me", headers=bearer(let_in.json())).json()["two_factor"] is False
    # Turned on again later, it takes a new secret: the lost one is gone.
    secret, _ = turn_on_two_factor(accounts, let_in.json())
    assert secret != lost


def test_students_reject_refuses_the_request_and_the_student_may_ask_again(
    settings: Settings, app: App, client: TestClient
) -> None:
    sam = sign_in(client, app, "sam@example.org")
    asked = client.post("/api/v1/me/student", json={"school": "Nowhere"}, headers=sam).json()
    pending = cadenza(settings, "students", "list").stdout.splitlines()
    assert [line.split("\t")[2:4] for line in pending] == [["Nowhere", "pending"]]

    rejected = cadenza(settings, "students", "reject", str(asked["id"]))
    assert rejected.returncode == 0, rejected.stderr
    assert rejected.stdout.split() == [str(asked["id"]), "rejected"]
    assert client.get("/api/v1/me/student", headers=sam).json()["status"] == "rejected"
    assert cadenza(settings, "students", "list").stdout == ""  # no longer pending
    twice = cadenza(settings, "students", "reject", str(asked["id"]))
    assert twice.returncode == 2 and "refused" in twice.stderr  # decided already
    again = client.post("/api/v1/me/student", json={"school": "A real school"}, headers=sam)
    assert again.status_code == 202
