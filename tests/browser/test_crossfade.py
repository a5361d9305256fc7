"""Premium with crossfade: the next song (fetched ahead) starts before the last one ends, and
loudness normalisation applies the grant's gain until it is switched off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, playing_track, wait_playing
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_crossfade_overlaps_songs_and_normalisation_uses_the_grant_gain(
    new_page, live: LiveServer
) -> None:
    page = new_page()
    log_in(page, live, "student@demo.cadenza.localhost")
    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    page.goto(f"/release/{release['id']}")
    page.get_by_role("button", name="Playback settings").click()
    page.get_by_label("Crossfade").fill("4")
    expect(page.get_by_role("group", name="Playback settings")).to_contain_text("4 s")
    page.get_by_role("button", name="Playback settings").click()

    page.get_by_role("button", name=f"Play {release['title']}").click()
    wait_playing(page)
    gain = page.evaluate(
        "[window.cadenzaPlayer.deck.gain.gain.value, window.cadenzaPlayer.deck.grant.gain_db]"
    )
    assert gain[0] == pytest.approx(10 ** (gain[1] / 20), rel=1e-3)

    first = playing_track(page)
    page.evaluate(
        "() => { const s = document.querySelector('input.seek');"
        " s.value = String(Number(s.max) - 6000); s.dispatchEvent(new Event('change')); }"
    )
    # Both decks sound at once: the fade has begun, with the next song's audio fetched ahead.
    page.wait_for_function(
        "() => [...document.querySelectorAll('audio[data-deck]')].filter(a => !a.paused && a.src).length === 2",
        timeout=10_000,
    )
    page.wait_for_function(
        "t => window.cadenzaPlayer.state.track_id !== t", arg=first, timeout=10_000
    )
    wait_playing(page)
    assert page.evaluate("window.cadenzaPlayer.state.up_next.length") >= 0
    expect(page.locator("#now-playing-live")).to_contain_text("Now playing:")

    page.get_by_role("button", name="Playback settings").click()
    page.get_by_label("Normalise volume").uncheck()
    page.wait_for_function("() => window.cadenzaPlayer.deck.gain.gain.value === 1")
    assert page.errors == []  # type: ignore[attr-defined]
