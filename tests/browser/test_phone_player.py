"""The web player at phone width (390 x 844): Your Library is one tap away, the line that says
where the music plays stays in view, and a position saved long ago never runs past the song."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.browser.conftest import PHONE, log_in, shoot
from tests.browser.live import LiveServer
from tests.browser.test_remote_control import NAME, play_first_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_at_phone_width_the_library_and_the_playing_device_are_in_reach(
    new_page, live: LiveServer
) -> None:
    email = live.add_account("phone@test.cadenza.localhost")
    first = new_page(PHONE)
    log_in(first, live, email)
    play_first_release(first, live)
    second = new_page(PHONE)
    log_in(second, live, email)

    line = second.locator(".elsewhere")
    expect(line).to_have_text(f"Playing on {NAME}")
    box = line.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    uncovered = second.evaluate(
        "() => { const l = document.querySelector('.elsewhere'), r = l.getBoundingClientRect();"
        " return l.contains(document.elementFromPoint(r.left + 20, r.top + r.height / 2)); }"
    )
    assert uncovered, "the 'Playing on' line is covered"
    shoot(second, "phone-playing-elsewhere")

    second.get_by_role("navigation", name="Main").get_by_role("link", name="Your Library").click()
    expect(second.locator("main h1")).to_have_text("Your Library")
    second.locator("main").get_by_role("link", name="Liked Songs").click()
    expect(second.locator("main h1")).to_have_text("Liked Songs")
    assert first.errors == [] and second.errors == []  # type: ignore[attr-defined]


def test_a_position_saved_long_ago_never_runs_past_the_song(new_page, live: LiveServer) -> None:
    email = live.add_account("restored@test.cadenza.localhost")
    page = new_page(PHONE)
    log_in(page, live, email)
    play_first_release(page, live)
    total = page.locator(".player-bar .time").last.inner_text()

    def long_ago(route: Route) -> None:
        # What a device that died while playing left behind: playing, 2 minutes on.
        answer = route.fetch()
        state: dict[str, Any] = answer.json()
        state |= {"device": "a-phone-long-gone", "playing": True, "progress_ms": 124_000}
        route.fulfill(response=answer, json=state)

    page.route(re.compile(r"/api/v1/me/player(\?.*)?$"), long_ago)  # quality asked or not
    page.route("**/api/v1/me/player/stream-ticket", lambda route: route.abort())  # no feed
    page.reload()
    page.wait_for_function("() => window.cadenzaPlayer.state && window.cadenzaPlayer.track")
    times = page.locator(".player-bar .time")
    expect(times.last).to_have_text(total)
    expect(times.first).to_have_text(total)  # at the end, not at 2:04
    assert page.errors == []  # type: ignore[attr-defined]
