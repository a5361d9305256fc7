"""Speaker groups in the browser: a listener groups two browsers from the device picker and
plays on the group; both start the same track at the server's instant (each browser measured
its clock against the server's), and only one of them reports the listening, so a play is
counted once."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import audio_time, log_in, shoot, wait_playing
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
EMAIL = "speakers@test.cadenza.localhost"


def _starts(page: Page) -> list[int]:
    """The track ids of the `start` listening events this page sends."""
    sent: list[int] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/me/player/events"):
            events = json.loads(request.post_data or "{}").get("events", [])
            sent.extend(e["track_id"] for e in events if e["kind"] == "start")

    page.on("request", seen)
    return sent


def test_two_browsers_grouped_play_the_same_track_in_step(new_page, live: LiveServer) -> None:
    kitchen, lounge = new_page(), new_page()
    log_in(kitchen, live, EMAIL)
    log_in(lounge, live, EMAIL)
    kitchen_starts, lounge_starts = _starts(kitchen), _starts(lounge)
    # No refresh token (the long-lived credential) where a page script could read it.
    readable = kitchen.evaluate("JSON.stringify(localStorage) + document.cookie")
    assert "token" not in readable and "cadenza_refresh" not in readable
    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    kitchen.goto(f"/release/{release['id']}")
    kitchen.get_by_role("button", name=f"Play {release['title']}").click()
    wait_playing(kitchen, past_s=0.5)

    kitchen.get_by_role("button", name="Connect to a device").click()
    picker = kitchen.get_by_role("group", name="Connect to a device")
    expect(picker.locator(".device-list").first.get_by_role("button")).to_have_count(2)
    picker.get_by_text("Group speakers").click()
    form = picker.get_by_role("form", name="Group speakers")
    for box in form.get_by_role("checkbox").all():
        box.check()
    form.get_by_label("Group name").fill("Whole flat")
    form.get_by_role("button", name="Make group").click()
    group = picker.get_by_role("group", name="Speaker groups")
    group.get_by_role("button", name="Whole flat").click()

    wait_playing(lounge, past_s=1.0)
    first = kitchen.evaluate("window.cadenzaPlayer.state.track_id")
    assert lounge.evaluate("window.cadenzaPlayer.state.track_id") == first
    assert kitchen.evaluate("window.cadenzaPlayer.state.device").startswith("group:")
    expect(kitchen.locator(".elsewhere")).to_contain_text("Playing on Whole flat")

    # The song ends (the demo's are 9-14 s): the server moves the group on, and both
    # browsers start the next song together.
    moved_on = "t => window.cadenzaPlayer.track && window.cadenzaPlayer.track.id !== t"
    for page in (kitchen, lounge):
        page.wait_for_function(moved_on, arg=first, timeout=40_000)
        wait_playing(page, past_s=1.0)
    second = kitchen.evaluate("window.cadenzaPlayer.track.id")
    assert lounge.evaluate("window.cadenzaPlayer.track.id") == second
    apart = abs(audio_time(kitchen) - audio_time(lounge))  # read one right after the other
    assert apart < 0.75, f"the two browsers are {apart:.2f} s apart"
    # One play of the next song, reported by one member of the group.
    kitchen.evaluate("window.cadenzaPlayer.flush()")
    lounge.evaluate("window.cadenzaPlayer.flush()")
    kitchen.wait_for_function("() => window.cadenzaPlayer.pending.length === 0")
    lounge.wait_for_function("() => window.cadenzaPlayer.pending.length === 0")
    assert (kitchen_starts + lounge_starts).count(second) == 1

    # Pausing from either browser pauses both.
    lounge.get_by_role("button", name="Pause").first.click()
    for page in (kitchen, lounge):
        page.wait_for_function("() => document.querySelector('audio[data-active]').paused")
    shoot(kitchen, "speaker-groups")
    assert kitchen.errors == [] and lounge.errors == []  # type: ignore[attr-defined]
