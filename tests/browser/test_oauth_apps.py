"""Third-party apps in the web player: a developer registers an app, a listener approves it on
the consent page (authorization code + PKCE, the token exchange done by spotipy, an independent
Spotify client pointed at Cadenza), links a TV by typing its code at /link, and removes the
app's access from the account page."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
from playwright.sync_api import Page, expect
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyPKCE

from tests.browser.conftest import log_in, shoot
from tests.browser.live import PASSWORD, LiveServer


class AppAtHome(BaseHTTPRequestHandler):
    """The app's own redirect target: a page that says it got the answer."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>Back in the app</title><h1>Back in the app</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def app_home() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AppAtHome)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    server.shutdown()
    server.server_close()


def test_register_consent_with_pkce_link_a_tv_and_revoke(
    new_page: Callable[..., Page], live: LiveServer, app_home: str
) -> None:
    email = live.add_account("oauth-dev@test.cadenza.localhost")
    page = new_page()
    log_in(page, live, email)

    # The developer page: register an app; its secret is shown once.
    page.goto("/developer")
    page.get_by_label("App name").fill("Party Speaker")
    page.get_by_label("Redirect URIs, one a line").fill(app_home)
    page.get_by_role("button", name="Register app").click()
    secret_box = page.get_by_test_id("new-secret")
    expect(secret_box).to_contain_text("shown this once")
    client_id = secret_box.locator(".client-id").inner_text()
    assert len(secret_box.locator(".client-secret").inner_text()) == 64
    shoot(page, "developer")

    # spotipy builds the authorization URL (PKCE S256) against Cadenza; the browser consents.
    class CadenzaPKCE(SpotifyPKCE):  # type: ignore[misc]
        OAUTH_AUTHORIZE_URL = f"{live.url}/authorize"
        OAUTH_TOKEN_URL = f"{live.url}/api/token"

    spotipy_auth = CadenzaPKCE(
        client_id=client_id,
        redirect_uri=app_home,
        scope="user-read-private user-library-read",
        state="from-spotipy",
        cache_handler=MemoryCacheHandler(),
        open_browser=False,
    )
    page.goto(spotipy_auth.get_authorize_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Allow Party Speaker to use your Cadenza account?"
    )
    expect(page.locator(".scope-list li")).to_have_text(
        ["See your plan, country and explicit-content setting", "See your saved songs and albums"]
    )
    shoot(page, "consent")
    page.get_by_role("button", name="Agree").click()
    expect(page.get_by_role("heading", name="Back in the app")).to_be_visible()
    assert page.url.startswith(app_home) and "state=from-spotipy" in page.url
    code = spotipy_auth.parse_response_code(page.url)
    access = spotipy_auth.get_access_token(code, check_cache=False)
    assert access.startswith("cza_")
    token_info = spotipy_auth.cache_handler.get_cached_token()
    assert set(token_info["scope"].split()) == {"user-read-private", "user-library-read"}
    # spotipy refreshes with the rotated refresh token, as a public client.
    renewed = spotipy_auth.refresh_access_token(token_info["refresh_token"])
    assert renewed["access_token"] != access

    # A TV asks for a code; the listener types it into the web player.
    tv = httpx2.post(
        f"{live.url}/oauth/device/code",
        data={"client_id": client_id, "scope": "streaming user-read-playback-state"},
    ).json()
    # On a phone that scanned the TV's QR code (verification_uri_complete), signed out: the
    # code survives signing in, and the page asks at once.
    phone = new_page()
    complete = urlsplit(tv["verification_uri_complete"])
    phone.goto(f"{complete.path}?{complete.query}")
    expect(phone).to_have_url(re.compile(r"/login\?next="))
    seen = live.mails()
    phone.get_by_label("E-mail address").fill(email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    code_box = phone.get_by_label("The 6-digit code we e-mailed you")
    code_box.fill(live.mail_to(email, r"\b(\d{6})\b", seen=seen))
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("heading", name="Connect Party Speaker?")).to_be_visible()
    expect(phone.get_by_label("Code shown on your device")).to_have_value(tv["user_code"])
    expect(phone.locator(".scope-list li")).to_have_count(2)
    shoot(phone, "link-device")
    phone.get_by_role("button", name="Allow").click()
    expect(phone.locator("p.linked")).to_have_text(
        "Party Speaker is connected. You can go back to your device."
    )
    # The same code typed again, on the desktop: answered already.
    page.goto("/link")
    page.get_by_label("Code shown on your device").fill(tv["user_code"])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("answered already")
    polled = httpx2.post(
        f"{live.url}/api/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "device_code": tv["device_code"],
            "client_id": client_id,
        },
    )
    assert polled.status_code == 200, polled.text

    # Apps with access: the app with everything it was allowed; removing it ends its tokens.
    page.goto("/account/apps")
    listed = page.get_by_role("listitem", name="Party Speaker")
    expect(listed).to_contain_text("See your saved songs and albums")
    expect(listed).to_contain_text("Play music in the app")
    shoot(page, "apps-with-access")
    page.get_by_role("button", name="Remove access for Party Speaker").click()
    expect(page.get_by_text("No app has access to your account.")).to_be_visible()
    refused = httpx2.post(
        f"{live.url}/api/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": polled.json()["refresh_token"],
            "client_id": client_id,
        },
    )
    assert refused.json()["error"] == "invalid_grant"
    assert page.errors == [] and phone.errors == []  # type: ignore[attr-defined]
