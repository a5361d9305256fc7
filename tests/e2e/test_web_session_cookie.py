"""The web player's session: its refresh token is an HttpOnly, SameSite=Strict cookie scoped to
the auth endpoints (page scripts, and so an injected script, never see it); a refresh with the
cookie needs the X-Cadenza-Web header, renews the cookie, and logging out clears it. Other
clients keep getting the refresh token in the body."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from tests.e2e.conftest import LISTENER_PASSWORD, mail_to

EMAIL = "browser@example.org"
WEB = {"x-cadenza-web": "1"}


def _log_in_on_the_web(client: TestClient, app: App) -> tuple[str, str]:
    """(access token, the Set-Cookie header)."""
    app.accounts.create(EMAIL, LISTENER_PASSWORD, roles=[Role.LISTENER])
    form = {
        "email": EMAIL,
        "password": LISTENER_PASSWORD,
        "device_id": "web-browser-1",
        "device_name": "Web player",
        "web": True,
    }
    answer = client.post("/api/v1/auth/token", json=form)
    assert answer.json()["error"]["code"] == "email_code_required"
    part = mail_to(app, EMAIL)[-1].get_body(("plain",))
    assert part is not None
    code = re.search(r"enter this code: (\d{6})", str(part.get_content()))
    assert code is not None
    answer = client.post("/api/v1/auth/token", json=form | {"email_code": code.group(1)})
    assert answer.status_code == 200, answer.text
    assert answer.json()["refresh_token"] is None  # nothing a page script could read
    return answer.json()["access_token"], answer.headers["set-cookie"]


def test_the_web_refresh_token_is_an_http_only_cookie(accounts: TestClient, app: App) -> None:
    access, cookie = _log_in_on_the_web(accounts, app)
    assert cookie.startswith("cadenza_refresh=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/api/v1/auth"} <= flags
    assert "secure" not in flags  # plain http here; https (or X-Forwarded-Proto) adds it
    me = accounts.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200

    # The cookie alone is not enough: a cross-site form cannot add the header.
    bare = accounts.post("/api/v1/auth/refresh", json={})
    assert (bare.status_code, bare.json()["error"]["code"]) == (401, "web_header_required")
    renewed = accounts.post("/api/v1/auth/refresh", json={}, headers=WEB)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["refresh_token"] is None and renewed.json()["access_token"]
    assert renewed.headers["set-cookie"].split(";")[0] != cookie.split(";")[0]  # rotated
    again = accounts.post("/api/v1/auth/refresh", json={}, headers=WEB)
    assert again.status_code == 200, again.text  # the renewed cookie is the one sent

    fresh = again.json()["access_token"]
    out = accounts.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {fresh}"})
    assert out.status_code == 204
    assert (
        'cadenza_refresh=""' in out.headers["set-cookie"]
        or "Max-Age=0" in out.headers["set-cookie"]
    )
    gone = accounts.post("/api/v1/auth/refresh", json={}, headers=WEB)
    assert (gone.status_code, gone.json()["error"]["code"]) == (401, "invalid_token")


def test_behind_https_the_cookie_is_secure(accounts: TestClient, app: App) -> None:
    _log_in_on_the_web(accounts, app)
    renewed = accounts.post(
        "/api/v1/auth/refresh", json={}, headers=WEB | {"x-forwarded-proto": "https"}
    )
    assert renewed.status_code == 200, renewed.text
    assert "secure" in {p.strip().lower() for p in renewed.headers["set-cookie"].split(";")}


def test_a_token_kept_by_an_older_web_player_moves_into_the_cookie(
    accounts: TestClient, app: App
) -> None:
    _log_in_on_the_web(accounts, app)
    accounts.cookies.clear()
    # An app that still holds a body token (as the web player kept one in localStorage).
    form = {"email": EMAIL, "password": LISTENER_PASSWORD, "device_id": "web-browser-1"}
    body_tokens = accounts.post("/api/v1/auth/token", json=form).json()
    assert body_tokens["refresh_token"]  # not a browser: the token comes in the body
    moved = accounts.post(
        "/api/v1/auth/refresh",
        json={"refresh_token": body_tokens["refresh_token"], "web": True},
        headers=WEB,
    )
    assert moved.status_code == 200 and moved.json()["refresh_token"] is None
    assert moved.headers["set-cookie"].startswith("cadenza_refresh=")
    assert accounts.post("/api/v1/auth/refresh", json={}, headers=WEB).status_code == 200


def test_two_tabs_refreshing_at_once_do_not_end_the_session(accounts: TestClient, app: App) -> None:
    _, cookie = _log_in_on_the_web(accounts, app)
    old = cookie.split(";")[0].split("=", 1)[1]
    first = accounts.post("/api/v1/auth/refresh", json={}, headers=WEB)  # one tab
    assert first.status_code == 200
    # The other tab sent the cookie it had before the first tab's answer came back.
    late = accounts.post(
        "/api/v1/auth/refresh", json={}, headers=WEB | {"cookie": f"cadenza_refresh={old}"}
    )
    assert (late.status_code, late.json()["error"]["code"]) == (409, "refresh_raced")
    assert accounts.post("/api/v1/auth/refresh", json={}, headers=WEB).status_code == 200

    # A body token (not a browser's shared cookie) sent again is a theft: the session ends.
    accounts.cookies.clear()
    form = {"email": EMAIL, "password": LISTENER_PASSWORD, "device_id": "web-browser-1"}
    stolen = accounts.post("/api/v1/auth/token", json=form).json()["refresh_token"]
    assert accounts.post("/api/v1/auth/refresh", json={"refresh_token": stolen}).status_code == 200
    replay = accounts.post("/api/v1/auth/refresh", json={"refresh_token": stolen})
    assert (replay.status_code, replay.json()["error"]["code"]) == (401, "refresh_token_reused")
