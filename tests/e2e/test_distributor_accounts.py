"""Distributor accounts and their API keys: each distributor sees and delivers only its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from tests.e2e.test_accounts import bearer, log_in_fully
from tests.e2e.test_distributor_upload import poll, upload
from tests.fixtures.releases import make_release

PASSWORD = "distribution is our business 8"


def distributor_token(client: TestClient, app: App, email: str) -> dict[str, Any]:
    app.accounts.create(email, PASSWORD, roles=[Role.DISTRIBUTOR], display_name=email)
    form = {"email": email, "password": PASSWORD, "device_id": f"d-{email}", "device_name": "desk"}
    first = client.post("/api/v1/auth/token", json=form)
    if first.status_code == 401:
        import re

        from tests.e2e.test_accounts import body, mails

        code = re.search(r"enter this code: (\d{6})", body(mails(app)[-1]))
        assert code is not None
        first = client.post("/api/v1/auth/token", json=form | {"email_code": code.group(1)})
    assert first.status_code == 200, first.text
    tokens: dict[str, Any] = first.json()
    return tokens


def new_key(client: TestClient, tokens: dict[str, Any], *scopes: str) -> str:
    made = client.post(
        "/api/v1/me/api-keys", json={"name": "ci", "scopes": list(scopes)}, headers=bearer(tokens)
    )
    assert made.status_code == 201, made.text
    key: str = made.json()["key"]
    return key


def test_distributors_keep_to_their_own_releases(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    label = distributor_token(accounts, app, "label@example.org")
    rival = distributor_token(accounts, app, "rival@example.org")
    key = new_key(accounts, label, "releases:read", "releases:write")
    listed = accounts.get("/api/v1/me/api-keys", headers=bearer(label)).json()
    assert [k["prefix"] for k in listed] == [key[:12]]
    assert "key" not in listed[0]

    soon = make_release(tmp_path / "soon", extra={"release_date": "2099-01-01"})
    accepted = upload(accounts, soon, headers={"X-Distributor-Key": key})
    assert accepted.status_code == 202
    done = poll(accounts, accepted.json()["status_url"], headers={"X-Distributor-Key": key})
    assert done["status"] == "published"
    release_url = f"/api/v1/releases/{done['release_id']}"
    assert accounts.get(release_url, headers={"X-Distributor-Key": key}).status_code == 200
    assert accounts.get(release_url, headers=bearer(label)).status_code == 200
    assert accounts.get(release_url, headers=bearer(rival)).status_code == 404
    assert accounts.get(accepted.json()["status_url"], headers=bearer(rival)).status_code == 404
    assert accounts.get("/api/v1/distributor/releases", headers=bearer(rival)).json()["items"] == []


def test_keys_are_scoped_and_revocable(accounts: TestClient, app: App, tmp_path: Path) -> None:
    label = distributor_token(accounts, app, "label@example.org")
    reader = new_key(accounts, label, "releases:read")
    folder = make_release(tmp_path / "rel")
    refused = upload(accounts, folder, headers={"X-Distributor-Key": reader})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "scope_missing"
    writer = new_key(accounts, label, "releases:write")
    key_id = accounts.get("/api/v1/me/api-keys", headers=bearer(label)).json()[-1]["id"]
    assert (
        accounts.delete(f"/api/v1/me/api-keys/{key_id}", headers=bearer(label)).status_code == 204
    )
    revoked = upload(accounts, folder, headers={"X-Distributor-Key": writer})
    assert revoked.status_code == 401


def test_listeners_cannot_deliver_or_make_keys(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    from tests.e2e.test_accounts import sign_up

    sign_up(accounts, app)
    listener = log_in_fully(accounts, app)
    made = accounts.post(
        "/api/v1/me/api-keys",
        json={"name": "x", "scopes": ["releases:write"]},
        headers=bearer(listener),
    )
    assert made.status_code == 403
    assert made.json()["error"]["code"] == "distributor_only"
    sent = upload(accounts, make_release(tmp_path / "rel"), headers=bearer(listener))
    assert sent.status_code == 403


def test_a_password_reset_revokes_the_accounts_api_keys(
    accounts: TestClient, app: App, tmp_path: Path
) -> None:
    import re

    from tests.e2e.test_accounts import body, mails

    label = distributor_token(accounts, app, "label@example.org")
    key = new_key(accounts, label, "releases:write")
    accounts.post("/api/v1/auth/password-reset", json={"email": "label@example.org"})
    token = re.search(r"token=(\S+)", body(mails(app)[-1]))
    assert token is not None
    form = {"token": token.group(1), "password": "a fresh distribution passphrase 5"}
    assert accounts.post("/api/v1/auth/password-reset/confirm", json=form).status_code == 204
    refused = upload(accounts, make_release(tmp_path / "rel"), headers={"X-Distributor-Key": key})
    assert refused.status_code == 401
