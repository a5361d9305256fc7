"""The account page's Subsonic apps section: a listener makes an app password for a Subsonic app, sees
it once, signs the app in with it (/rest), and revokes it; the app is signed out."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def ping(live: LiveServer, username: str, password: str) -> dict[str, object]:
    token = hashlib.md5((password + "abc123").encode(), usedforsecurity=False).hexdigest()
    query = urllib.parse.urlencode({"u": username, "t": token, "s": "abc123", "f": "json"})
    with urllib.request.urlopen(f"{live.url}/rest/ping.view?{query}", timeout=10) as answer:
        found: dict[str, object] = json.loads(answer.read())["subsonic-response"]
    return found


def test_a_listener_makes_an_app_password_uses_it_and_revokes_it(
    new_page, live: LiveServer
) -> None:
    email = live.add_account("apps@demo.cadenza.localhost")
    page = new_page()
    log_in(page, live, email)
    page.goto("/account")
    apps = page.get_by_role("region", name="Subsonic apps")
    expect(apps).to_contain_text(live.url)
    apps.get_by_label("App name for an app password").fill("Symfonium on my phone")
    apps.get_by_role("button", name="Make an app password").click()
    secret = apps.locator(".app-passwords .app-secret")
    expect(secret).to_have_text(re.compile(r"^[a-z2-9]{5}(-[a-z2-9]{5}){4}$"))
    password = secret.inner_text()
    assert apps.locator(".app-passwords .app-username").inner_text() == email
    assert ping(live, email, password)["status"] == "ok"

    listed = apps.locator(".app-passwords li", has_text="Symfonium on my phone")
    expect(listed).to_contain_text("never used")  # listed before the app signed in
    page.reload()  # shown once: after a reload only its name and prefix remain
    expect(apps.locator(".app-secret")).to_have_count(0)
    expect(apps.locator(".app-passwords li", has_text="Symfonium on my phone")).to_contain_text(
        password[:5]
    )
    apps.get_by_role("button", name="Revoke Symfonium on my phone").click()
    expect(apps.locator(".app-passwords li", has_text="Symfonium on my phone")).to_have_count(0)
    refused = ping(live, email, password)
    assert refused["status"] == "failed" and refused["error"] == {  # type: ignore[comparison-overlap]
        "code": 40,
        "message": "Wrong username or password.",
    }
    assert page.errors == []  # type: ignore[attr-defined]
