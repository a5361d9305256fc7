"""After a leak elsewhere an admin (or the operator, `cadenza users force-reset FILE`) forces a
password reset on a list of accounts: their sessions and refresh tokens end, the old password
stops working, and each owner is mailed a reset link that brings the account back."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from tests.e2e.conftest import mail_to
from tests.e2e.test_account_recovery import NEW_PASSWORD, link_token
from tests.e2e.test_accounts import PASSWORD, bearer, log_in, log_in_fully, mails, sign_up
from tests.e2e.test_cli_users import users

ADMIN_PASSWORD = "the operator's own long passphrase"
SUBJECT = "Reset your Cadenza password"


def admin_headers(client: TestClient, app: App) -> dict[str, str]:
    app.accounts.create("root@example.org", ADMIN_PASSWORD, roles=[Role.ADMIN])
    form = {"email": "root@example.org", "password": ADMIN_PASSWORD, "device_id": "console"}
    answer = client.post("/api/v1/auth/token", json=form | {"device_name": "console"})
    if answer.status_code == 401:  # a new device: the e-mailed code
        part = mail_to(app, "root@example.org")[-1].get_body(("plain",))
        assert part is not None
        code = re.search(r"enter this code: (\d{6})", str(part.get_content()))
        assert code is not None
        answer = client.post(
            "/api/v1/auth/token",
            json=form | {"device_name": "console", "email_code": code.group(1)},
        )
    assert answer.status_code == 200, answer.text
    return bearer(answer.json())


def test_an_admin_forces_a_reset_and_the_old_password_stops_working(
    accounts: TestClient, app: App
) -> None:
    sign_up(accounts, app)
    tokens = log_in_fully(accounts, app, "phone")
    ada = bearer(tokens)
    root = admin_headers(accounts, app)
    emails = {"emails": ["Ada@Example.org", "nobody@example.org", "ada@example.org"]}

    refused = accounts.post("/api/v1/admin/force-password-reset", json=emails, headers=ada)
    assert refused.status_code == 403  # a listener learns nothing, forces nothing
    assert accounts.get("/api/v1/me", headers=ada).status_code == 200

    forced = accounts.post("/api/v1/admin/force-password-reset", json=emails, headers=root)
    assert forced.json() == {"requested": 2, "found": 1}
    assert accounts.get("/api/v1/me", headers=ada).status_code == 401
    again = accounts.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401
    old = log_in(accounts, app, "phone")
    assert (old.status_code, old.json()["error"]["code"]) == (401, "invalid_credentials")
    assert not any(m["To"] == "nobody@example.org" for m in mails(app))

    form = {"token": link_token(app, SUBJECT), "password": NEW_PASSWORD}
    assert accounts.post("/api/v1/auth/password-reset/confirm", json=form).status_code == 204
    assert log_in(accounts, app, "phone", password=NEW_PASSWORD).status_code == 200
    assert log_in(accounts, app, "phone").status_code == 401


def test_the_operator_forces_resets_from_a_file_of_addresses(
    accounts: TestClient, app: App, settings: Settings, tmp_path: Path
) -> None:
    sign_up(accounts, app)
    listed = tmp_path / "leaked.txt"
    listed.write_text("ada@example.org\n\n  zed@example.org \nADA@example.org\n")
    done = users(settings, "force-reset", str(listed))
    assert done.returncode == 0, done.stderr
    assert "1 of 2 addresses have an account" in done.stdout
    assert log_in(accounts, app, "phone").json()["error"]["code"] == "invalid_credentials"
    assert link_token(app, SUBJECT)  # the owner's way back
    assert PASSWORD not in done.stdout + done.stderr
