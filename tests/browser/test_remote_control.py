"""Two pages of one listener: the one that does not play controls the one that plays (pause,
seek, resume), shows what it hears (the pause icon, the position moving on) and names it; each
page is its own device, named apart, kept across a reload; a closed page leaves the list and is
never shown as playing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, shoot, wait_playing
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NAME = "Web player (Chrome on Linux)"


def play_first_release(page: Page, live: LiveServer) -> None:
    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    page.goto(f"/release/{release['id']}")
    page.get_by_role("button", name=f"Play {release['title']}").click()
    wait_playing(page, past_s=0.5)


def play_button(page: Page) -> object:
    return page.locator(".player-bar .play-button")


def seek_bar_to(page: Page, position_ms: int) -> None:
    """Drag the seek bar: its value moves (input), then is let go (change)."""
    page.get_by_role("slider", name="Seek").evaluate(
        "(bar, ms) => { bar.value = String(ms); bar.dispatchEvent(new Event('input'));"
        " bar.dispatchEvent(new Event('change')); }",
        position_ms,
    )


def test_a_second_page_shows_and_controls_the_page_that_plays(new_page, live: LiveServer) -> None:
    email = live.add_account("remote@test.cadenza.localhost")
    first = new_page()
    log_in(first, live, email)
    play_first_release(first, live)
    second = new_page()
    log_in(second, live, email)

    # The page that plays says nothing about playing elsewhere; the other names it, shows the
    # pause button and the position moving on.
    expect(second.locator(".elsewhere")).to_have_text(f"Playing on {NAME}")
    expect(first.locator(".elsewhere")).to_be_hidden()
    expect(play_button(second)).to_have_attribute("aria-label", "Pause")
    elapsed = second.locator(".player-bar .time").first
    expect(elapsed).not_to_have_text("0:00")
    shown = elapsed.inner_text()
    expect(elapsed).not_to_have_text(shown)  # it moves on as the other page plays

    play_button(second).click()  # pause, there
    first.wait_for_function("() => document.querySelector('audio[data-active]').paused")
    expect(play_button(second)).to_have_attribute("aria-label", "Play")

    with second.expect_request(
        lambda r: r.method == "PUT" and r.url.endswith("/api/v1/me/player/seek")
    ):
        seek_bar_to(second, 6000)
    first.wait_for_function(
        "() => { const a = document.querySelector('audio[data-active]');"
        " return a.paused && a.currentTime > 5.5; }"
    )
    expect(elapsed).to_have_text("0:06")

    play_button(second).click()  # and on again, from there
    wait_playing(first, past_s=6.0)
    expect(play_button(second)).to_have_attribute("aria-label", "Pause")
    shoot(second, "remote-control")
    assert first.errors == [] and second.errors == []  # type: ignore[attr-defined]


def test_pages_are_named_apart_kept_on_reload_and_a_closed_one_goes(
    new_page, live: LiveServer
) -> None:
    email = live.add_account("two-pages@test.cadenza.localhost")
    first = new_page()
    log_in(first, live, email)
    play_first_release(first, live)
    second = new_page()
    log_in(second, live, email)
    mine = second.evaluate("window.cadenzaPlayer.me()")
    second.reload()
    second.wait_for_function("id => window.cadenzaPlayer.me() === id", arg=mine)

    second.get_by_role("button", name="Connect to a device").click()
    picker = second.get_by_role("group", name="Connect to a device")
    names = picker.locator(".device-list").first.get_by_role("button")
    expect(names).to_have_count(2)  # the reload is the same device, not a third
    expect(names.nth(0)).to_contain_text(NAME)
    expect(names.nth(0)).to_contain_text("Playing here")
    expect(names.nth(1)).to_contain_text(f"This browser ({NAME} 2)")

    first.close()  # the playing page closes: it leaves the list, and plays nowhere
    expect(names).to_have_count(1)
    expect(names.first).to_contain_text("This browser")
    expect(second.locator(".elsewhere")).to_be_hidden()
    expect(play_button(second)).to_have_attribute("aria-label", "Play")
    second.wait_for_function(
        "() => window.cadenzaPlayer.state && window.cadenzaPlayer.state.playing === false",
        timeout=60_000,
    )
    assert re.fullmatch(r"\d:\d\d", second.locator(".player-bar .time").first.inner_text())
    assert second.errors == []  # type: ignore[attr-defined]


def test_a_duplicated_tab_is_a_device_of_its_own_and_only_the_playing_page_gets_audio(
    new_page, live: LiveServer
) -> None:
    email = live.add_account("duplicated@test.cadenza.localhost")
    first = new_page()
    log_in(first, live, email)
    play_first_release(first, live)
    original = first.evaluate("window.cadenzaPlayer.me()")

    # Duplicating a tab copies its sessionStorage (the tab's device id) into the new tab.
    copied = first.evaluate("JSON.stringify(Object.entries(sessionStorage))")
    copy = first.context.new_page()
    copy.set_default_timeout(15_000)
    errors: list[str] = []
    copy.on("pageerror", lambda e: errors.append(str(e)))
    copy.add_init_script(
        "if (!sessionStorage.getItem('test.copied')) {"
        f" for (const [k, v] of {copied}) sessionStorage.setItem(k, v);"
        " sessionStorage.setItem('test.copied', '1'); }"
    )
    copy.goto("/")
    copy.get_by_role("button", name="Connect to a device").click()
    picker = copy.get_by_role("group", name="Connect to a device")
    names = picker.locator(".device-list").first.get_by_role("button")
    expect(names).to_have_count(2)  # the copy is a second device, not the original again
    expect(names.nth(0)).to_contain_text("Playing here")
    expect(names.nth(1)).to_contain_text(f"This browser ({NAME} 2)")
    own = copy.evaluate("window.cadenzaPlayer.me()")
    assert own != original
    copy.reload()  # and the copy keeps its own id across a reload
    copy.wait_for_function("id => window.cadenzaPlayer.me() === id", arg=own)

    # One person, one stream: the copy sees what plays but gets no audio to play along.
    heard = "async () => { const s = await window.cadenzaPlayer.refresh(); return !!s.stream; }"
    copy.wait_for_function("() => window.cadenzaPlayer.state && window.cadenzaPlayer.state.device")
    assert copy.evaluate(heard) is False
    assert first.evaluate(heard) is True
    wait_playing(first, past_s=1.0)
    assert first.errors == [] and errors == []  # type: ignore[attr-defined]
