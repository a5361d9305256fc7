"""Signing a Subsonic app in: API keys and app passwords made in the account, shown once,
listed without their secret, revocable; the protocol's error codes; the login defences hold
on /rest (one answer for an unknown user and a wrong secret, throttled after failures);
plain `p=` only where the operator allows it. The account's own password never works."""

from __future__ import annotations

import stat

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from cadenza.bootstrap import App
from tests.e2e.conftest import LISTENER_PASSWORD
from tests.e2e.subsonic_helpers import app_login


def code(answer: object) -> int | None:
    body = answer.json()["subsonic-response"]  # type: ignore[attr-defined]
    return None if body["status"] == "ok" else int(body["error"]["code"])


def test_keys_and_app_passwords_sign_in_until_revoked(
    client: TestClient, app: App, published: int
) -> None:
    login = app_login(client, app, "keys@example.org")
    ping = "/rest/ping.view"
    assert code(client.get(ping, params=login.token() | {"f": "json"})) is None
    assert code(client.post(ping, data={"apiKey": login.key, "f": "json"})) is None
    info = client.get("/rest/tokenInfo", params={"apiKey": login.key, "f": "json"}).json()
    assert info["subsonic-response"]["tokenInfo"] == {"username": "keys@example.org"}

    # Listed by name and prefix: the secrets are not shown again, and not kept in the clear.
    keys = client.get("/api/v1/me/app-keys", headers=login.auth).json()
    passwords = client.get("/api/v1/me/app-passwords", headers=login.auth).json()
    assert [k["name"] for k in keys] == ["Test app"] and "key" not in keys[0]
    assert login.key.startswith(keys[0]["prefix"]) and "password" not in passwords[0]
    with app.uow() as uow:  # type: ignore[attr-defined]
        stored = " ".join(
            str(v)
            for row in uow.session.execute(text("SELECT * FROM app_credentials"))
            for v in row
        )
    assert login.key not in stored and login.password not in stored
    assert stat.S_IMODE((app.settings.data_dir / "app-passwords.key").stat().st_mode) == 0o600

    # The account's password is no app password; in the clear only where allowed.
    own = {"u": login.username, "p": LISTENER_PASSWORD, "f": "json"}
    assert code(client.get(ping, params=own)) == 42
    app.settings.subsonic_plain_passwords = True
    assert code(client.get(ping, params=own)) == 40
    hexed = "enc:" + login.password.encode().hex()
    assert code(client.get(ping, params={"u": login.username, "p": hexed, "f": "json"})) is None

    # Revoked: that app is signed out at once, with the protocol's codes.
    client.delete(f"/api/v1/me/app-keys/{keys[0]['id']}", headers=login.auth)
    client.delete(f"/api/v1/me/app-passwords/{passwords[0]['id']}", headers=login.auth)
    assert code(client.get(ping, params={"apiKey": login.key, "f": "json"})) == 44
    assert code(client.get(ping, params=login.token("fresh") | {"f": "json"})) == 40
    gone = client.delete(f"/api/v1/me/app-keys/{keys[0]['id']}", headers=login.auth)
    assert gone.status_code == 404


def test_error_codes_and_no_user_enumeration(
    client: TestClient, app: App, published: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    login = app_login(client, app, "codes@example.org")
    ping = "/rest/ping"
    assert code(client.get(ping, params={"f": "json"})) == 10
    both = {"apiKey": login.key, "u": login.username, "f": "json"}
    assert code(client.get(ping, params=both)) == 43
    assert code(client.get(ping, params={"u": login.username, "t": "x", "f": "json"})) == 10
    assert code(client.get("/rest/tokenInfo", params=login.token() | {"f": "json"})) == 42
    other = client.get("/rest/getUser", params=login.token() | {"username": "x@example.org"})
    assert 'code="50"' in other.text
    assert 'code="70"' in client.get("/rest/getSong", params=login.token() | {"id": "tr-9"}).text
    assert 'code="70"' in client.get("/rest/noSuchThing.view", params=login.token()).text

    # An unknown user and a wrong token get the very same answer.
    unknown = client.get(ping, params=login.token() | {"u": "nobody@example.org"})
    wrong = client.get(ping, params=login.token() | {"t": "0" * 32})
    assert unknown.text == wrong.text and 'code="40"' in wrong.text

    # Failures are throttled per account (and address): guesses soon wait, whoever the user is,
    # while the app that signed in with the right app password a moment ago goes on. The clock
    # stands still: on a loaded machine the throttle's wait could pass before the next guess.
    stopped = app.clock.now()
    monkeypatch.setattr(app.clock, "now", lambda: stopped)
    assert code(client.get(ping, params=login.token("first") | {"f": "json"})) is None
    for attempt in range(12):
        client.get(ping, params=login.token(f"s{attempt}") | {"t": "0" * 32})
    for who in (login.username, "nobody@example.org"):
        for attempt in range(12):
            client.get(ping, params=login.token(f"n{attempt}") | {"u": who, "t": "0" * 32})
        guess = client.get(ping, params=login.token("g") | {"u": who, "t": "1" * 32, "f": "json"})
        error = guess.json()["subsonic-response"]["error"]
        assert error["code"] == 40 and "wait" in error["message"].lower()
    assert code(client.get(ping, params=login.token("next-request") | {"f": "json"})) is None
