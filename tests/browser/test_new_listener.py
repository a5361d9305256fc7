"""A new listener signs up, confirms, logs in, searches, opens a release and listens."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import audio_time, log_in, playing_track, shoot, wait_playing
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "new.listener@test.cadenza.localhost"
PASSWORD = "a tune stuck in my head all week"


def test_sign_up_search_play_seek_and_skip(new_page, live: LiveServer) -> None:
    page = new_page()
    seen = live.mails()
    page.goto("/signup")
    shoot(page, "signup")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_label("What should we call you?").fill("Nova")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Date of birth").fill("1999-04-01")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    link = live.mail_to(EMAIL, r"https?://\S+/verify-email\?token=\S+", seen=seen)
    page.goto(link)
    expect(page.locator("main").get_by_role("status")).to_contain_text("is confirmed")

    log_in(page, live, EMAIL, PASSWORD)
    shoot(page, "home")
    expect(page.get_by_role("region", name="New releases")).to_be_visible()

    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    word = release["title"].split()[0]
    page.get_by_label("Search").press_sequentially(word.lower(), delay=40)
    results = page.get_by_role("region", name="Releases")
    card = results.get_by_role("link", name=re.compile(re.escape(release["title"])))
    card.first.click()
    expect(page.locator("main h1")).to_have_text(release["title"])
    shoot(page, "release")

    page.get_by_role("button", name=f"Play {release['title']}").click()
    wait_playing(page, past_s=1.0)
    assert audio_time(page) > 1.0
    live_region = page.locator("#now-playing-live")
    expect(live_region).to_contain_text("Now playing:")

    # Seeking while it plays: the audio lands where the slider was let go (read at the audio's
    # own `seeked` event, no clock involved) and the server's player state says the same.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/player/seek")) as told:
        landed = page.evaluate(
            "() => new Promise(done => { const a = document.querySelector('audio[data-active]');"
            " a.addEventListener('seeked', () => done(a.currentTime), { once: true });"
            " const s = document.querySelector('input.seek'); s.value = '4000';"
            " s.dispatchEvent(new Event('change')); })"
        )
    assert 4.0 <= landed < 5.0
    assert told.value.status == 200 and told.value.request.post_data_json == {"position_ms": 4000}
    wait_playing(page, past_s=4.0)  # and it plays on from there
    assert int(page.locator("input.seek").input_value()) >= 4000

    # The keyboard alone: space pauses and plays, the left arrow seeks back 5 s.
    page.locator("main").focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('audio[data-active]').paused")
    page.keyboard.press("Space")
    wait_playing(page)
    before = audio_time(page)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "t => document.querySelector('audio[data-active]').currentTime < t - 3", arg=before
    )

    first = playing_track(page)
    first_title = page.locator(".np-title").inner_text()
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("t => window.cadenzaPlayer.state.track_id !== t", arg=first)
    wait_playing(page, past_s=0.5)
    assert page.locator(".np-title").inner_text() != first_title
    expect(live_region).not_to_contain_text(first_title)
    assert page.errors == []  # type: ignore[attr-defined]
