"""Sign-in with an OpenID provider, against a provider the test runs on loopback: a new
account, the same person again, linking a verified address only after the listener confirms,
never an unverified one, and the state, nonce and PKCE checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey
from pydantic import SecretStr

from cadenza.adapters.security.totp import PyotpTotp
from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from tests.e2e.conftest import LISTENER_PASSWORD, sign_in
from tests.e2e.oidc_provider import Provider, openid_provider


@pytest.fixture
def provider(app: App) -> Iterator[Provider]:
    with openid_provider() as running:
        app.settings.oidc_providers = SecretStr(running.settings())
        yield running


def round_trip(client: TestClient, provider: Provider, next_path: str = "/library") -> str:
    """From the login page's button through the provider and back: where the browser lands."""
    started = client.get(
        "/api/v1/auth/oidc/corp/start", params={"next": next_path}, follow_redirects=False
    )
    assert started.status_code == 303, started.text
    at_provider = httpx2.get(started.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["location"])
    landed = client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert landed.status_code == 303
    return str(landed.headers["location"])


def me(client: TestClient) -> dict[str, object]:
    """The signed-in account, by the refresh cookie the sign-in left (as the web player does)."""
    refreshed = client.post("/api/v1/auth/refresh", json={}, headers={"x-cadenza-web": "1"})
    assert refreshed.status_code == 200, refreshed.text
    access = refreshed.json()["access_token"]
    return dict(client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"}).json())


def test_first_sign_in_makes_an_account_and_the_next_signs_in_to_it(
    app: App, provider: Provider
) -> None:
    with TestClient(create_app(app)) as client:
        listed = client.get("/api/v1/auth/providers").json()
        assert [(p["name"], p["display_name"]) for p in listed] == [("corp", "Corp Login")]
        provider.person = {
            "sub": "u-1",
            "email": "grace@corp.example",
            "email_verified": True,
            "name": "Grace",
        }
        assert round_trip(client, provider) == "/login/external?next=%2Flibrary"
        seen = provider.seen[-1]
        assert seen["code_challenge_method"] == "S256" and seen["nonce"] and seen["state"]
        first = me(client)
        assert first["email"] == "grace@corp.example" and first["display_name"] == "Grace"
    with TestClient(create_app(app)) as again:  # another browser, the same person
        assert round_trip(again, provider).startswith("/login/external")
        assert me(again)["id"] == first["id"]
        methods = again.get(
            "/api/v1/me/sign-in-methods",
            headers={"Authorization": f"Bearer {login_token(again)}"},
        ).json()
        assert [(m["provider"], m["email"]) for m in methods] == [("corp", "grace@corp.example")]


def login_token(client: TestClient) -> str:
    refreshed = client.post("/api/v1/auth/refresh", json={}, headers={"x-cadenza-web": "1"})
    return str(refreshed.json()["access_token"])


def test_an_existing_account_is_linked_only_verified_and_confirmed(
    app: App, provider: Provider
) -> None:
    owner = app.accounts.create("ada@example.org", LISTENER_PASSWORD, roles=[Role.LISTENER])
    with TestClient(create_app(app)) as client:
        # Unverified at the provider: never the existing account, and no new one either.
        provider.person = {"sub": "x-9", "email": "ada@example.org", "email_verified": False}
        landed = urlsplit(round_trip(client, provider))
        assert landed.path == "/login"
        assert parse_qs(landed.query) == {"external_error": ["external_email_unverified"]}
        assert (
            client.post("/api/v1/auth/refresh", json={}, headers={"x-cadenza-web": "1"}).status_code
            == 401
        )
        # Verified: the listener is asked first; nothing is linked until they confirm.
        provider.person = {"sub": "a-1", "email": "ada@example.org", "email_verified": True}
        landed = urlsplit(round_trip(client, provider))
        assert landed.path == "/login/link"
        query = parse_qs(landed.query)
        assert query["email"] == ["ada@example.org"] and query["provider"] == ["Corp Login"]
        with app.uow() as uow:
            assert uow.oauth.identities.identities_of(owner.id) == []
        confirmed = client.post("/api/v1/auth/oidc/link", json={"ticket": query["ticket"][0]})
        assert confirmed.status_code == 200, confirmed.text
        assert me(client)["id"] == owner.id
        reused = client.post("/api/v1/auth/oidc/link", json={"ticket": query["ticket"][0]})
        assert reused.status_code == 422 and reused.json()["error"]["code"] == "invalid_link"


def test_state_nonce_and_the_token_signature_are_checked(app: App, provider: Provider) -> None:
    provider.person = {"sub": "m-1", "email": "mallory@corp.example", "email_verified": True}
    with TestClient(create_app(app)) as victim, TestClient(create_app(app)) as attacker:
        # A callback started in another browser (login CSRF): its state cookie is missing.
        started = attacker.get("/api/v1/auth/oidc/corp/start", follow_redirects=False)
        at_provider = httpx2.get(started.headers["location"], follow_redirects=False)
        back = urlsplit(at_provider.headers["location"])
        landed = victim.get(f"{back.path}?{back.query}", follow_redirects=False)
        assert parse_qs(urlsplit(landed.headers["location"]).query) == {
            "external_error": ["external_state_mismatch"]
        }
        # An ID token for another sign-in (wrong nonce) is refused.
        provider.wrong_nonce = True
        landed_at = urlsplit(round_trip(attacker, provider))
        assert parse_qs(landed_at.query) == {"external_error": ["external_sign_in_failed"]}
        provider.wrong_nonce = False
        # Signed with a key that is not the provider's (under the provider's key id).
        provider.rogue_key = RSAKey.generate_key(2048, private=True, auto_kid=True)
        landed_at = urlsplit(round_trip(attacker, provider))
        assert parse_qs(landed_at.query) == {"external_error": ["external_sign_in_failed"]}
        with app.uow() as uow:
            assert uow.accounts.id_by_email("mallory@corp.example") is None


def test_linking_from_the_account_page_and_two_factor_still_asked(
    app: App, provider: Provider
) -> None:
    with TestClient(create_app(app)) as client:
        owner = sign_in(client, app, "lin@example.org")
        setup = client.post(
            "/api/v1/me/two-factor", json={"password": LISTENER_PASSWORD}, headers=owner
        ).json()
        code = PyotpTotp().code_at(setup["secret"], datetime.now(UTC))
        confirmed = client.post("/api/v1/me/two-factor/confirm", json={"code": code}, headers=owner)
        recovery = confirmed.json()["recovery_codes"]
        # Signed in, the listener links a provider account with another address.
        provider.person = {"sub": "lin-7", "email": "lin@corp.example", "email_verified": False}
        started = client.post("/api/v1/me/sign-in-methods/corp", headers=owner)
        assert started.status_code == 200, started.text
        at_provider = httpx2.get(started.json()["url"], follow_redirects=False)
        back = urlsplit(at_provider.headers["location"])
        landed = client.get(f"{back.path}?{back.query}", follow_redirects=False)
        assert landed.headers["location"] == "/account/apps?linked=Corp+Login"
        methods = client.get("/api/v1/me/sign-in-methods", headers=owner).json()
        assert [m["email"] for m in methods] == ["lin@corp.example"]
    with TestClient(create_app(app)) as other_browser:
        # Signing in with it: the account's second factor is still asked for.
        landed = urlsplit(round_trip(other_browser, provider))
        query = parse_qs(landed.query)
        assert landed.path == "/login/link" and query["mode"] == ["two-factor"]
        link = {"ticket": query["ticket"][0]}
        asked = other_browser.post("/api/v1/auth/oidc/link", json=link)
        assert asked.status_code == 401 and asked.json()["error"]["code"] == "totp_required"
        wrong = other_browser.post("/api/v1/auth/oidc/link", json=link | {"totp": "000000"})
        assert wrong.json()["error"]["code"] == "invalid_totp"
        right = other_browser.post("/api/v1/auth/oidc/link", json=link | {"totp": recovery[0]})
        assert right.status_code == 200, right.text
        assert me(other_browser)["email"] == "lin@example.org"
