"""An artist account opens its statistics from the artist dashboard on a phone: a listener (who
gave a city and gender on the account page) streams a song, which shows after the roll-up job,
drawn as a line chart and bars; the range switches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in, shoot
from tests.browser.live import LiveServer
from tests.browser.test_library_pages import first_release, operator
from tests.e2e.test_listening import play

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_an_artist_sees_its_statistics_drawn_at_phone_width(new_page, live: LiveServer) -> None:
    release: Any = first_release(live)
    artist = release["artists"][0]
    song = release["tracks"][0]
    operator(live, "users", "link-artist", "artist@demo.cadenza.localhost", str(artist["id"]))
    page = new_page(PHONE)
    log_in(page, live, "artist@demo.cadenza.localhost")
    page.goto("/artist-dashboard")
    panel = page.locator("section.panel", has=page.locator("h2", has_text=artist["name"]))
    link = panel.get_by_role("link", name="Statistics")

    listener = new_page()
    log_in(listener, live, "plus@demo.cadenza.localhost")
    listener.goto("/account")  # the listener gives a city and gender, which artists see counted
    listener.get_by_role("textbox", name="City").fill("Lyon")
    listener.get_by_role("combobox", name="Gender").select_option("female")
    listener.get_by_role("button", name="Save profile").click()
    saved = listener.get_by_role("region", name="City and gender").get_by_role("status")
    expect(saved).to_have_text("Saved.")
    start = datetime.now(UTC) - timedelta(minutes=5)
    # A play five minutes ago, brought in as imported history (a play posted without a stream
    # grant would rightly not count; playing 45 s through the page would only add waiting).
    sent = live.import_listening(
        "plus@demo.cadenza.localhost", play(song["id"], f"stats-{start.timestamp()}", 45, start)
    )
    assert sent["rejected"] == []
    live.run_job("artist-stats")

    link.click()
    expect(page.locator("main h1")).to_contain_text(f"{artist['name']}: statistics")
    streams = page.locator(".stats-tile", has_text="Streams")
    expect(streams).not_to_contain_text(" 0Streams")
    expect(page.locator("svg.stats-line")).to_be_visible()
    expect(page.get_by_role("region", name="Top tracks")).to_contain_text(song["title"])
    expect(page.get_by_role("region", name="Estimated earnings")).to_contain_text("cents a stream")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "artist-stats")
    page.get_by_role("button", name="12 months").click()
    expect(page.get_by_role("heading", name="Streams per month")).to_be_visible()
    expect(page.get_by_role("button", name="12 months")).to_have_attribute("aria-pressed", "true")
    assert page.errors == [] and listener.errors == []  # type: ignore[attr-defined]
