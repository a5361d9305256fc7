"""Free: shuffled play, an ad break after three songs that cannot be skipped, six skips an hour."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, playing_track, shoot, wait_playing
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def biggest_release(live: LiveServer) -> dict:  # type: ignore[type-arg]
    releases = live.get("/api/v1/browse/new-releases?country=US&limit=50")["items"]  # type: ignore[index]
    full = [live.get(f"/api/v1/releases/{r['id']}?country=US") for r in releases]
    return max(full, key=lambda r: len(r["tracks"]))  # type: ignore[no-any-return,index]


def open_and_play(page: Page, release: dict) -> None:  # type: ignore[type-arg]
    page.goto(f"/release/{release['id']}")
    page.get_by_role("button", name=f"Play {release['title']}").click()
    wait_playing(page)


def seek_near_end(page: Page) -> None:
    page.evaluate(
        "() => { const s = document.querySelector('input.seek');"
        " s.value = String(Number(s.max) - 1200); s.dispatchEvent(new Event('change')); }"
    )


def test_free_listener_hears_an_ad_after_three_songs_in_shuffled_order(
    new_page, live: LiveServer
) -> None:
    page = new_page()
    log_in(page, live, "free@demo.cadenza.localhost")
    release = biggest_release(live)
    open_and_play(page, release)

    order = page.evaluate(
        "[window.cadenzaPlayer.state.track_id, ...window.cadenzaPlayer.state.up_next]"
    )
    album = [t["id"] for t in release["tracks"]]
    # The song playing and up to ten coming: songs of this release, each once.
    assert len(order) == len(set(order)) == min(len(album), 11)
    assert set(order) <= set(album)
    assert order != album[: len(order)], "Free plays a release shuffled"
    expect(page.get_by_role("button", name="Shuffle")).to_have_attribute("aria-pressed", "true")

    # Picking a song is Premium's: refused, and said so where the listener clicked.
    page.locator(".track-list").get_by_role("button", name=re.compile("^Play ")).nth(1).click()
    expect(page.locator("main .in-place-notice")).to_contain_text("play shuffled")
    expect(
        page.locator("main .in-place-notice").get_by_role("link", name="Upgrade to Premium")
    ).to_be_visible()

    heard = [playing_track(page)]
    for _ in range(3):
        seek_near_end(page)
        if len(heard) == 3:
            break
        page.wait_for_function("t => window.cadenzaPlayer.state.track_id !== t", arg=heard[-1])
        wait_playing(page)
        heard.append(playing_track(page))
    assert heard == order[:3], "songs play in the shuffled order the server chose"

    ad = page.get_by_role("region", name="Advertisement")
    expect(ad).to_be_visible(timeout=30_000)  # the third song's end, then the break is asked
    expect(ad.get_by_role("img")).to_have_attribute("src", re.compile(r"^/api/v1/images/"))
    expect(page.locator(".np-title")).to_have_text("Advertisement")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    expect(page.locator("input.seek")).to_be_disabled()
    page.wait_for_function(
        "() => { const a = document.querySelector('audio[data-ad]'); return a && a.currentTime > 1; }"
    )
    shoot(page, "ad-break")

    # The listener waits the ad out (played faster here); then the music goes on.
    page.evaluate("document.querySelector('audio[data-ad]').playbackRate = 8")
    page.wait_for_function(
        "t => window.cadenzaPlayer.state.track_id !== t && !window.cadenzaPlayer.ad",
        arg=heard[-1],
        timeout=20_000,
    )
    wait_playing(page)
    assert playing_track(page) == order[3]
    expect(ad).to_be_hidden()
    assert page.errors == []  # type: ignore[attr-defined]


def test_free_listener_is_refused_the_seventh_skip_with_the_time_it_frees_up(
    new_page, live: LiveServer
) -> None:
    page = new_page()
    log_in(page, live, "skipper@test.cadenza.localhost")
    open_and_play(page, biggest_release(live))
    page.get_by_role("button", name="Repeat: off").click()  # the release comes round again
    expect(page.get_by_role("button", name="Repeat: all")).to_be_visible()
    for _ in range(6):
        before = playing_track(page)
        page.get_by_role("button", name="Next").click()
        page.wait_for_function("t => window.cadenzaPlayer.state.track_id !== t", arg=before)
    before = playing_track(page)
    page.get_by_role("button", name="Next").click()
    notice = page.locator(".player-notice")
    expect(notice).to_contain_text(re.compile(r"Your next skip frees up at \d{1,2}:\d{2}"))
    expect(notice.get_by_role("link", name="Upgrade to Premium")).to_be_visible()
    assert playing_track(page) == before
    shoot(page, "skip-limit")
    assert page.errors == []  # type: ignore[attr-defined]
