"""Devices: each browser registers as a device; one moves playback to another browser of the
same listener, which starts playing where it was while the first falls silent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Route, expect

from tests.browser.conftest import audio_time, log_in, shoot, wait_playing
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_playback_transfers_to_a_second_browser_of_the_same_listener(
    new_page, live: LiveServer
) -> None:
    # An account of its own: the demo admin's pages of other tests would be devices here too.
    email = live.add_account("transfer@test.cadenza.localhost")
    first = new_page()
    log_in(first, live, email)
    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    first.goto(f"/release/{release['id']}")
    first.get_by_role("button", name=f"Play {release['title']}").click()
    wait_playing(first, past_s=1.0)
    track = first.evaluate("window.cadenzaPlayer.state.track_id")

    second = new_page()
    log_in(second, live, email)
    second_id = second.evaluate("window.cadenzaPlayer.me()")
    # the second browser is told what plays elsewhere, and says so
    expect(second.locator(".elsewhere")).to_contain_text("Playing on")

    first.get_by_role("button", name="Connect to a device").click()
    devices = first.get_by_role("group", name="Connect to a device")
    expect(devices.get_by_role("button")).to_have_count(2)
    other = devices.get_by_role("button").filter(has_not_text=re.compile("^This browser"))
    other.click()

    wait_playing(second, past_s=0.5)
    assert second.evaluate("window.cadenzaPlayer.state.device") == second_id
    assert second.evaluate("window.cadenzaPlayer.state.track_id") == track
    assert audio_time(second) > 0.5
    first.wait_for_function("() => document.querySelector('audio[data-active]').paused")
    expect(first.locator(".elsewhere")).to_contain_text("Playing on")
    shoot(first, "devices")
    assert first.errors == [] and second.errors == []  # type: ignore[attr-defined]


def test_play_pressed_while_the_page_registers_its_device_plays_here(
    new_page, live: LiveServer
) -> None:
    """A page opened afresh registers this browser as a device while the listener may already
    press Play: the play is this browser's, and the device feed that opens next (its first state
    says where the player plays) leaves it playing."""
    page = new_page()
    log_in(page, live, "early@test.cadenza.localhost")
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == "POST":
            held.append(route)  # the registration answers once Play has been pressed
        else:
            route.continue_()

    page.route("**/api/v1/me/devices", hold)
    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    page.goto(f"/release/{release['id']}")
    page.get_by_role("button", name=f"Play {release['title']}").click()
    page.wait_for_function("() => document.querySelector('audio[data-active]')")  # pressed
    for _ in range(300):
        if held:
            break
        page.wait_for_timeout(50)  # the registration's request reaches the handler
    assert len(held) == 1, "the page did not register its device"
    held[0].continue_()
    page.unroute("**/api/v1/me/devices")

    # The picker says it plays here (not on a device it does not know), and it goes on playing.
    page.get_by_role("button", name="Connect to a device").click()
    picker = page.get_by_role("group", name="Connect to a device")
    here = picker.get_by_role("button", name="This browser")
    expect(here).to_have_attribute("aria-current", "true")
    expect(here).to_contain_text("Playing here")
    wait_playing(page, past_s=1.0)
    me = page.evaluate("window.cadenzaPlayer.me()")
    assert page.evaluate("window.cadenzaPlayer.state.device") == me
    assert page.errors == []  # type: ignore[attr-defined]
