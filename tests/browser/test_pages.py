"""Every page draws for a signed-in Premium listener (screenshots at desktop and phone width),
account pages answer, and two-factor setup shows the server's QR code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shoot
from tests.browser.live import PASSWORD, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_every_page_draws_and_two_factor_shows_its_qr_code(new_page, live: LiveServer) -> None:
    guest = new_page()
    guest.goto("/login")
    expect(guest.get_by_role("heading", name="Log in to Cadenza")).to_be_visible()
    shoot(guest, "login")
    guest.goto("/forgot-password")
    guest.get_by_label("E-mail address").fill("nobody@test.cadenza.localhost")
    guest.get_by_role("button", name="Send me a link").click()
    expect(guest.locator("main").get_by_role("status")).to_contain_text(
        "If the address has an account"
    )

    page = new_page()
    log_in(page, live, "duo@demo.cadenza.localhost")
    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    artist = release["artists"][0]
    pages = {
        "search": (f"/search?q={release['title'].split()[0]}", "Results for"),
        "artist": (f"/artist/{artist['id']}", artist["name"]),
        "queue": ("/queue", "Queue"),
        "account": ("/account", "Account"),
        "plan": ("/account/plan", "Plan and billing"),
        "members": ("/account/members", "Duo and Family"),
        "student": ("/account/student", "Student status"),
        "sessions": ("/account/sessions", "Sessions"),
        "privacy": ("/account/privacy", "Privacy"),
    }
    for name, (path, heading) in pages.items():
        page.goto(path)
        expect(page.locator("main h1")).to_contain_text(heading)
        shoot(page, name)

    page.goto("/account/plan")
    expect(page.get_by_role("region", name="Plans")).to_contain_text("Premium Family")
    page.goto("/account/members")
    expect(page.get_by_role("region", name=re.compile(r"^Members"))).to_contain_text("duo@demo")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("/join?token=")

    page.goto("/account/security")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Set up").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")  # type: ignore[union-attr]
    assert qr.evaluate("img => img.naturalWidth") > 0
    shoot(page, "two-factor")

    page.keyboard.press("Escape")
    page.goto("/no/such/page")
    expect(page.locator("main h1")).to_have_text("Page not found")
    assert page.errors == [] and guest.errors == []  # type: ignore[attr-defined]
