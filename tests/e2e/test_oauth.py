"""OAuth 2.0 for third-party apps, end to end over HTTP: registering apps, every grant (code +
PKCE, refresh rotation, client credentials, device authorization) and every refusal (wrong
redirect_uri, wrong verifier, reused code, revoked app, expired device code, denied consent,
missing scope)."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import Depends
from fastapi.testclient import TestClient
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials

from cadenza.api.app import create_app
from cadenza.api.app_caller import AppCaller, AppViewer, CatalogListener, needs
from cadenza.bootstrap import App
from cadenza.config import Settings
from tests.e2e.conftest import sign_in
from tests.e2e.live import live_server
from tests.e2e.test_cli import cadenza

REDIRECT = "http://127.0.0.1:8888/callback"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture
def api(app: App) -> TestClient:
    """The server, plus two tiny /v1-shaped routes to call with an app's token."""
    server = create_app(app)

    @server.get("/v1/test/me")
    def me(caller: Annotated[AppCaller, Depends(needs("user-read-private"))]) -> dict[str, Any]:
        return {"id": caller.account_id, "client_id": caller.client_id}

    @server.get("/v1/test/catalog")
    def catalog(listener: CatalogListener, viewer: AppViewer) -> dict[str, Any]:
        return {"listener": listener, "country": viewer.country, "sees": viewer.listener_id}

    routes = server.router.routes  # ahead of the Web API's answer to unknown /v1 paths
    routes[:0] = [routes.pop(), routes.pop()]
    return TestClient(server)


def register(api: TestClient, owner: dict[str, str], **extra: Any) -> dict[str, Any]:
    body = {"name": "Mixtape Maker", "redirect_uris": [REDIRECT], **extra}
    answer = api.post("/api/v1/me/apps", json=body, headers=owner)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def authorize_query(client_id: str, verifier: str | None, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "user-read-private playlist-read-private",
        "state": "s-123",
    }
    if verifier is not None:
        params |= {
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    return urlencode(params | extra)


def approve(api: TestClient, listener: dict[str, str], query: str, yes: bool = True) -> str:
    answer = api.post(
        "/api/v1/oauth/authorize", json={"query": query, "approve": yes}, headers=listener
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["redirect"])


def code_of(redirect: str) -> str:
    parts = urlsplit(redirect)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    query = parse_qs(parts.query)
    assert query["state"] == ["s-123"]
    return query["code"][0]


def token(api: TestClient, form: dict[str, str], basic: tuple[str, str] | None = None) -> Any:
    headers = {}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(basic).encode()).decode()
    return api.post("/api/token", data=form, headers=headers)


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


def test_developers_register_apps_with_limits_and_only_they_manage_them(
    api: TestClient, app: App
) -> None:
    dev = sign_in(api, app, "dev@example.org")
    other = sign_in(api, app, "other@example.org")
    made = register(api, dev, description="Makes mixtapes")
    assert len(made["client_id"]) == 32 and len(made["client_secret"]) == 64
    listed = api.get("/api/v1/me/apps", headers=dev).json()
    assert [a["client_id"] for a in listed] == [made["client_id"]]
    assert "client_secret" not in listed[0]  # shown once only
    bad = api.post(
        "/api/v1/me/apps",
        json={"name": "X", "redirect_uris": ["http://evil.example/cb"]},
        headers=dev,
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_redirect_uri"
    long_name = api.post("/api/v1/me/apps", json={"name": "x" * 65}, headers=dev)
    assert long_name.status_code == 422
    # Someone else's app answers as a missing one, whatever they try.
    cid = made["client_id"]
    assert api.get("/api/v1/me/apps", headers=other).json() == []
    assert api.post(f"/api/v1/me/apps/{cid}/secret", headers=other).status_code == 404
    assert api.delete(f"/api/v1/me/apps/{cid}", headers=other).status_code == 404
    renamed = api.patch(f"/api/v1/me/apps/{cid}", json={"name": "Mixtapes"}, headers=dev)
    assert renamed.json()["name"] == "Mixtapes"
    # Rotating the secret: the old one stops working at once.
    rotated = api.post(f"/api/v1/me/apps/{cid}/secret", headers=dev).json()["client_secret"]
    creds = {"grant_type": "client_credentials"}
    assert token(api, creds, (cid, made["client_secret"])).status_code == 401
    assert token(api, creds, (cid, rotated)).status_code == 200


def test_code_with_pkce_refresh_rotation_and_scopes(api: TestClient, app: App) -> None:
    dev = sign_in(api, app, "dev@example.org")
    listener = sign_in(api, app, "listener@example.org")
    cid = register(api, dev)["client_id"]
    verifier = secrets.token_urlsafe(48)
    query = authorize_query(cid, verifier)
    consent = api.get(f"/api/v1/oauth/authorize?{query}", headers=listener)
    assert consent.status_code == 200, consent.text
    shown = consent.json()
    assert shown["app"]["name"] == "Mixtape Maker"
    assert [s["name"] for s in shown["scopes"]] == ["user-read-private", "playlist-read-private"]
    assert shown["already_granted"] is False
    code = code_of(approve(api, listener, query))
    # A public client: client_id and the verifier, no secret.
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": cid,
    }
    wrong = token(api, exchange | {"code_verifier": secrets.token_urlsafe(48)})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"

    code = code_of(approve(api, listener, query))
    other_uri = token(api, exchange | {"code": code, "redirect_uri": REDIRECT + "x"})
    assert other_uri.json()["error"] == "invalid_grant"

    code = code_of(approve(api, listener, query))
    tokens = token(api, exchange | {"code": code, "code_verifier": verifier})
    assert tokens.status_code == 200, tokens.text
    first = tokens.json()
    assert tokens.headers["access-control-allow-origin"] == "*"  # a browser app may read it
    assert tokens.headers["cache-control"] == "no-store"
    assert first["token_type"].lower() == "bearer" and first["expires_in"] == 3600
    assert first["scope"] == "user-read-private playlist-read-private"
    me = api.get("/v1/test/me", headers=bearer(first["access_token"]))
    assert me.status_code == 200
    seen = api.get("/v1/test/catalog", headers=bearer(first["access_token"])).json()
    assert seen == {"listener": me.json()["id"], "country": "US", "sees": me.json()["id"]}
    assert me.json()["client_id"] == cid
    # The same code again: refused, and what it gave is revoked (RFC 6749 4.1.2).
    again = token(api, exchange | {"code": code, "code_verifier": verifier})
    assert again.json()["error"] == "invalid_grant"
    assert api.get("/v1/test/me", headers=bearer(first["access_token"])).status_code == 401

    # A fresh approval; then refresh rotation: the old refresh token is spent, a replay ends
    # the whole family.
    code = code_of(approve(api, listener, query))
    pair = token(api, exchange | {"code": code, "code_verifier": verifier}).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}
    renewed = token(api, refresh | {"client_id": cid})
    assert renewed.status_code == 200, renewed.text
    new = renewed.json()
    assert new["refresh_token"] != pair["refresh_token"]
    assert api.get("/v1/test/me", headers=bearer(new["access_token"])).status_code == 200
    replay = token(api, refresh | {"client_id": cid})
    assert replay.json()["error"] == "invalid_grant"
    assert api.get("/v1/test/me", headers=bearer(new["access_token"])).status_code == 401

    # A token without user-read-private: 403 insufficient_scope on a route that needs it.
    narrow = authorize_query(cid, verifier, scope="playlist-read-private")
    code = code_of(approve(api, listener, narrow))
    slim = token(api, exchange | {"code": code, "code_verifier": verifier}).json()
    refused = api.get("/v1/test/me", headers=bearer(slim["access_token"]))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    # The listener's own first-party session keeps every scope.
    assert api.get("/v1/test/me", headers=listener).json()["client_id"] is None


def test_refusals_at_the_consent_page(api: TestClient, app: App) -> None:
    dev = sign_in(api, app, "dev@example.org")
    listener = sign_in(api, app, "listener@example.org")
    cid = register(api, dev)["client_id"]
    verifier = secrets.token_urlsafe(48)
    # A redirect URI not registered exactly: shown on the page, never redirected to.
    bad = authorize_query(cid, verifier, redirect_uri=REDIRECT + "/")
    answer = api.get(f"/api/v1/oauth/authorize?{bad}", headers=listener)
    assert answer.status_code == 400 and answer.json()["redirect"] is None
    assert answer.json()["error"]["code"] == "invalid_request"
    twice = api.get(f"/api/v1/oauth/authorize?{bad}&state=again", headers=listener)
    assert twice.json()["error"]["code"] == "invalid_request"  # RFC 6749 3.1: once each
    unknown = authorize_query("nobody", verifier)
    answer = api.get(f"/api/v1/oauth/authorize?{unknown}", headers=listener)
    assert answer.json()["error"]["code"] == "invalid_client" and answer.json()["redirect"] is None
    # An unknown scope: back to the app with the error and the state.
    odd = authorize_query(cid, verifier, scope="user-read-private be-admin")
    answer = api.get(f"/api/v1/oauth/authorize?{odd}", headers=listener)
    back = parse_qs(urlsplit(answer.json()["redirect"]).query)
    assert back["error"] == ["invalid_scope"] and back["state"] == ["s-123"]
    plain = authorize_query(cid, None, code_challenge="x" * 43, code_challenge_method="plain")
    answer = api.get(f"/api/v1/oauth/authorize?{plain}", headers=listener)
    assert answer.json()["error"]["code"] == "invalid_request"
    # Denied: back to the app with access_denied and the state; nothing granted.
    denied = parse_qs(urlsplit(approve(api, listener, authorize_query(cid, verifier), False)).query)
    assert denied["error"] == ["access_denied"] and denied["state"] == ["s-123"]
    assert "code" not in denied
    assert api.get("/api/v1/me/authorized-apps", headers=listener).json() == []
    # A public client that skipped PKCE gets no token for its code.
    code = code_of(approve(api, listener, authorize_query(cid, None)))
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    answer = token(api, exchange | {"client_id": cid})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_client_credentials_read_the_catalog_never_a_listener(api: TestClient, app: App) -> None:
    dev = sign_in(api, app, "dev@example.org")
    made = register(api, dev)
    creds = (made["client_id"], made["client_secret"])
    answer = token(api, {"grant_type": "client_credentials", "scope": "user-read-private"}, creds)
    assert answer.status_code == 200, answer.text
    issued = answer.json()
    assert "refresh_token" not in issued and not issued.get("scope")
    catalog = api.get("/v1/test/catalog?market=SE", headers=bearer(issued["access_token"]))
    assert catalog.json() == {"listener": None, "country": "SE", "sees": None}
    me = api.get("/v1/test/me", headers=bearer(issued["access_token"]))
    assert me.status_code == 403 and me.json()["error"]["code"] == "user_token_required"
    # spotipy's client-credentials flow, pointed at Cadenza, gets the same kind of token.
    with live_server(app) as url:

        class CadenzaCredentials(SpotifyClientCredentials):  # type: ignore[misc]
            OAUTH_TOKEN_URL = f"{url}/api/token"

        got = CadenzaCredentials(*creds, cache_handler=MemoryCacheHandler()).get_access_token(
            as_dict=False
        )
    holder = app.oauth_apps.holder(got)
    assert holder.account_id is None and holder.client_id == made["client_id"]
    wrong = token(api, {"grant_type": "client_credentials"}, (made["client_id"], "nope"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    public = token(api, {"grant_type": "client_credentials", "client_id": made["client_id"]})
    assert public.status_code in {400, 401} and public.json()["error"] == "invalid_client"


class Later:
    def __init__(self, minutes: float) -> None:
        self.offset = timedelta(minutes=minutes)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def test_device_authorization_approved_denied_and_expired(api: TestClient, app: App) -> None:
    dev = sign_in(api, app, "dev@example.org")
    listener = sign_in(api, app, "listener@example.org")
    cid = register(api, dev, name="Living Room TV", redirect_uris=[])["client_id"]

    def device_code(scope: str = "user-read-private streaming") -> dict[str, Any]:
        answer = api.post("/oauth/device/code", data={"client_id": cid, "scope": scope})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    started = device_code()
    assert started["verification_uri"].endswith("/link")
    assert started["interval"] == 5 and started["expires_in"] == 600
    poll = {"grant_type": DEVICE_GRANT, "device_code": started["device_code"], "client_id": cid}
    assert token(api, poll).json()["error"] == "authorization_pending"
    assert token(api, poll).json()["error"] == "slow_down"  # polled again at once
    typed = started["user_code"].lower().replace("-", " ")  # as a listener might type it
    shown = api.get("/api/v1/oauth/device", params={"user_code": typed}, headers=listener)
    assert shown.status_code == 200
    assert shown.json()["app"]["name"] == "Living Room TV"
    assert [s["name"] for s in shown.json()["scopes"]] == ["user-read-private", "streaming"]
    answer = api.post(
        "/api/v1/oauth/device", json={"user_code": typed, "approve": True}, headers=listener
    )
    assert answer.json() == {"status": "approved"}
    app.oauth_server.store.clock = Later(minutes=0.1)  # type: ignore[attr-defined]
    issued = token(api, poll)
    assert issued.status_code == 200, issued.text
    tv = bearer(issued.json()["access_token"])
    assert api.get("/v1/test/me", headers=tv).status_code == 200
    # No playlist-read-private: the listener's private playlists stay out of its catalog view.
    assert api.get("/v1/test/catalog", headers=tv).json()["sees"] is None
    assert token(api, poll).json()["error"] == "invalid_request"  # the code is spent
    # The code cannot be answered twice.
    again = api.post(
        "/api/v1/oauth/device", json={"user_code": typed, "approve": False}, headers=listener
    )
    assert again.status_code == 404

    denied = device_code()
    api.post(
        "/api/v1/oauth/device",
        json={"user_code": denied["user_code"], "approve": False},
        headers=listener,
    )
    answered = api.get(
        "/api/v1/oauth/device", params={"user_code": denied["user_code"]}, headers=listener
    )
    assert answered.status_code == 422 and answered.json()["error"]["code"] == "device_code_used"
    poll_denied = poll | {"device_code": denied["device_code"]}
    assert token(api, poll_denied).json()["error"] == "access_denied"

    late = device_code()
    app.oauth_server.store.clock = Later(minutes=11)  # type: ignore[attr-defined]
    app.oauth_apps.clock = Later(minutes=11)
    poll_late = poll | {"device_code": late["device_code"]}
    assert token(api, poll_late).json()["error"] == "expired_token"
    typed_late = api.get(
        "/api/v1/oauth/device", params={"user_code": late["user_code"]}, headers=listener
    )
    assert typed_late.status_code == 404
    assert typed_late.json()["error"]["code"] == "device_code_not_found"


def test_apps_with_access_and_revoke(api: TestClient, app: App) -> None:
    dev = sign_in(api, app, "dev@example.org")
    listener = sign_in(api, app, "listener@example.org")
    cid = register(api, dev)["client_id"]
    verifier = secrets.token_urlsafe(48)
    query = authorize_query(cid, verifier)
    code = code_of(approve(api, listener, query))
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": cid,
        "code_verifier": verifier,
    }
    pair = token(api, exchange).json()
    listed = api.get("/api/v1/me/authorized-apps", headers=listener).json()
    assert [(a["name"], [s["name"] for s in a["scopes"]]) for a in listed] == [
        ("Mixtape Maker", ["user-read-private", "playlist-read-private"])
    ]
    assert listed[0]["granted_at"] and listed[0]["last_used"]
    exported = api.get("/api/v1/me/export", headers=listener).json()["apps"]
    assert [a["name"] for a in exported["authorized_apps"]] == ["Mixtape Maker"]
    again = api.get(f"/api/v1/oauth/authorize?{query}", headers=listener).json()
    assert again["already_granted"] is True
    pending = code_of(approve(api, listener, query))  # approved, not yet exchanged
    assert api.delete(f"/api/v1/me/authorized-apps/{cid}", headers=listener).status_code == 204
    late = token(api, exchange | {"code": pending})
    assert late.json()["error"] == "invalid_grant"  # the revoke spent it
    # At once: the access token and the refresh token stop working.
    assert api.get("/v1/test/me", headers=bearer(pair["access_token"])).status_code == 401
    refresh = {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}
    assert token(api, refresh | {"client_id": cid}).json()["error"] == "invalid_grant"
    assert api.get("/api/v1/me/authorized-apps", headers=listener).json() == []
    assert api.delete(f"/api/v1/me/authorized-apps/{cid}", headers=listener).status_code == 404
    # An app token cannot manage apps or approve devices: only the listener's own session.
    code = code_of(approve(api, listener, query))
    pair = token(api, exchange | {"code": code}).json()
    assert api.get("/api/v1/me/apps", headers=bearer(pair["access_token"])).status_code == 401
    # A disabled account's apps stop at once, and get no new tokens; enabled, they work again.
    account_id = app.admin.id_of("listener@example.org")
    app.admin.disable(None, account_id)
    assert api.get("/v1/test/me", headers=bearer(pair["access_token"])).status_code == 401
    refresh = {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}
    assert token(api, refresh | {"client_id": cid}).status_code == 400
    app.admin.enable(None, account_id)
    assert api.get("/v1/test/me", headers=bearer(pair["access_token"])).status_code == 200
    # Deleting the app ends every listener's access.
    assert api.delete(f"/api/v1/me/apps/{cid}", headers=dev).status_code == 204
    assert api.get("/v1/test/me", headers=bearer(pair["access_token"])).status_code == 401


def test_an_operator_lists_and_removes_apps(api: TestClient, app: App, settings: Settings) -> None:
    dev = sign_in(api, app, "dev@example.org")
    listener = sign_in(api, app, "listener@example.org")
    made = register(api, dev)
    creds = (made["client_id"], made["client_secret"])
    issued = token(api, {"grant_type": "client_credentials"}, creds).json()
    verifier = secrets.token_urlsafe(48)
    approve(api, listener, authorize_query(made["client_id"], verifier))
    listed = cadenza(settings, "apps", "list")
    assert listed.returncode == 0, listed.stderr
    assert f"{made['client_id']}\tdev@example.org\tMixtape Maker\t1 listeners" in listed.stdout
    removed = cadenza(settings, "apps", "remove", made["client_id"])
    assert removed.returncode == 0 and "removed Mixtape Maker" in removed.stdout
    assert api.get("/v1/test/catalog", headers=bearer(issued["access_token"])).status_code == 401
    assert api.get("/api/v1/me/apps", headers=dev).json() == []
    again = cadenza(settings, "apps", "remove", made["client_id"])
    assert again.returncode == 1 and "no app" in again.stderr


def test_typing_device_codes_at_random_is_stopped_after_ten_wrong_ones(
    api: TestClient, app: App
) -> None:
    """A signed-in guesser cannot walk the code space until a code belongs to another
    listener's TV: ten wrong codes in 15 minutes and the account waits, even for a right one."""
    dev = sign_in(api, app, "dev@example.org")
    guesser = sign_in(api, app, "guesser@example.org")
    owner = sign_in(api, app, "owner@example.org")
    cid = register(api, dev, name="Living Room TV", redirect_uris=[])["client_id"]
    real = api.post("/oauth/device/code", data={"client_id": cid, "scope": "streaming"}).json()
    for n in range(10):
        wrong = api.get(
            "/api/v1/oauth/device", params={"user_code": f"BCDF-GH{n:02d}"}, headers=guesser
        )
        assert wrong.status_code == 404
        assert wrong.json()["error"]["code"] == "device_code_not_found"
    for asked in (
        api.get("/api/v1/oauth/device", params={"user_code": real["user_code"]}, headers=guesser),
        api.post(
            "/api/v1/oauth/device",
            json={"user_code": real["user_code"], "approve": True},
            headers=guesser,
        ),
    ):
        assert asked.status_code == 429
        assert asked.json()["error"]["code"] == "too_many_attempts"
        assert 0 < int(asked.headers["retry-after"]) <= 15 * 60
    # The device's owner, on another account, is not held up by the guesser.
    shown = api.get("/api/v1/oauth/device", params={"user_code": real["user_code"]}, headers=owner)
    assert shown.status_code == 200 and shown.json()["app"]["name"] == "Living Room TV"
    # Fifteen minutes later the guesser may type again.
    app.oauth_apps.clock = Later(minutes=16)
    later = api.get("/api/v1/oauth/device", params={"user_code": "BCDF-GHJK"}, headers=guesser)
    assert later.status_code == 404
