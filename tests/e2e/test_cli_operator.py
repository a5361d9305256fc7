"""The operator's account commands as run at a shell: `cadenza users disable|enable|reset-2fa|
plan` and `cadenza students reject`, each checked by what the listener then can or cannot do."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.test_accounts import bearer, log_in, log_in_fully, sign_up
from tests.e2e.test_offline import DEVICES, register
from tests.e2e.test_plans import add_card, my_plan, period_end, subscribe
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


def test_users_plan_gives_and_takes_premium_at_once(
    settings: Settings, app: App, client: TestClient
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    phone = register(client, ada, "phone").json()["id"]
    licence = client.post(f"{DEVICES}/{phone}/licence", headers=ada).json()
    assert licence["key"] is not None and licence["delete_all"] is False

    taken = cadenza(settings, "users", "plan", "ada@example.org", "free")
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.strip() == "ada@example.org: premium_individual -> free"
    plan = my_plan(client, ada)
    assert plan["plan"] == "free" and plan["features"]["offline_devices"] == 0
    assert plan["features"]["ads"] is True
    # The downloads go at the device's next check-in.
    ended = client.post(f"{DEVICES}/{phone}/licence", headers=ada).json()
    assert ended["key"] is None and ended["delete_all"] is True

    given = cadenza(settings, "users", "plan", "ada@example.org", "premium_family")
    assert given.stdout.strip() == "ada@example.org: free -> premium_family", given.stderr
    plan = my_plan(client, ada)
    assert plan["plan"] == "premium_family" and plan["features"]["accounts"] == 6
    assert plan["subscription"]["manager"] is True
    listed = cadenza(settings, "users", "list").stdout.splitlines()
    assert [line.split("\t")[2] for line in listed if "ada@example.org" in line] == [
        "premium_family"
    ]
    # The listener cannot change a plan the operator granted; the operator can, at once.
    refused = client.patch("/api/v1/me/subscription", json={"plan": "plus"}, headers=ada)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "plan_not_changeable"
    assert cadenza(settings, "users", "plan", "ada@example.org", "plus").returncode == 0
    assert my_plan(client, ada)["features"]["on_demand"] is True
    assert my_plan(client, ada)["features"]["ads"] is True

    unknown = cadenza(settings, "users", "plan", "ada@example.org", "gold")
    assert unknown.returncode == 2 and "(unknown_plan)" in unknown.stderr
    nobody = cadenza(settings, "users", "plan", "nobody@example.org", "free")
    assert nobody.returncode == 2 and "refused" in nobody.stderr
    assert my_plan(client, ada)["plan"] == "plus"


def test_users_plan_ends_what_the_listener_pays_for_only_when_told(
    settings: Settings, app: App, client: TestClient
) -> None:
    bea = sign_in(client, app, "bea@example.org")
    assert add_card(client, bea).status_code == 200
    assert subscribe(client, bea, "plus").status_code == 201  # charged at once: no trial
    paid = my_plan(client, bea)
    assert paid["subscription"]["status"] == "active"

    refused = cadenza(settings, "users", "plan", "bea@example.org", "premium_individual")
    assert refused.returncode == 2 and "(plan_paid)" in refused.stderr
    assert "nothing was changed" in " ".join(refused.stderr.split())  # the terminal wraps it
    assert my_plan(client, bea) == paid  # as it was: still renewing, still Plus

    ended = cadenza(
        settings, "users", "plan", "bea@example.org", "premium_individual", "--end-paid"
    )
    assert ended.returncode == 0, ended.stderr
    assert ended.stdout.strip() == (
        "bea@example.org: plus -> premium_individual (the subscription ended: nothing more "
        "is charged)"
    )
    now = my_plan(client, bea)
    assert now["plan"] == "premium_individual" and now["features"]["offline_devices"] == 5
    assert now["subscription"]["cancel_at_period_end"] is False
    invoices = client.get("/api/v1/me/invoices", headers=bea).json()
    assert [(i["plan"], i["status"]) for i in invoices] == [("plus", "paid")]  # no new charge
    # The renewal date of the paid plan passes: nothing is charged.
    app.billing.run(period_end(paid) + timedelta(days=1))
    assert len(client.get("/api/v1/me/invoices", headers=bea).json()) == 1

    # A trial has nothing paid for the time left: it ends without being told.
    cy = sign_in(client, app, "cy@example.org")
    add_card(client, cy, "5555555555554444")
    assert subscribe(client, cy, "premium_individual").status_code == 201
    assert my_plan(client, cy)["subscription"]["status"] == "trialing"
    freed = cadenza(settings, "users", "plan", "cy@example.org", "free")
    assert freed.returncode == 0, freed.stderr
    assert my_plan(client, cy)["plan"] == "free" and my_plan(client, cy)["subscription"] is None
