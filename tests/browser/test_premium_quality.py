"""Premium: pick any song, choose very high quality, and the 320 kbit/s file is what streams."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Response, expect

from tests.browser.conftest import log_in, playing_track, wait_playing
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def total_size(response: Response) -> int:
    headers = response.all_headers()
    if "content-range" in headers:
        return int(headers["content-range"].rsplit("/", 1)[1])
    return int(headers["content-length"])


def test_premium_listener_picks_a_track_in_very_high_quality(new_page, live: LiveServer) -> None:
    page = new_page()
    log_in(page, live, "premium@demo.cadenza.localhost")
    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    tracks = live.get(f"/api/v1/releases/{release['id']}?country=US")["tracks"]  # type: ignore[index]
    chosen = tracks[min(2, len(tracks) - 1)]
    very_high = next(f for f in chosen["files"] if f["quality"] == "very_high")
    assert very_high["bitrate_kbps"] == 320

    page.goto(f"/release/{release['id']}")
    page.get_by_role("button", name="Playback settings").click()
    page.get_by_label("Streaming quality").select_option("very_high")
    page.get_by_role("button", name="Playback settings").click()

    audio: list[Response] = []
    page.on("response", lambda r: audio.append(r) if "/api/v1/audio/" in r.url else None)
    page.locator(".track-list").get_by_role("button", name=f"Play {chosen['title']}").click()
    wait_playing(page, past_s=0.5)
    assert playing_track(page) == chosen["id"]
    assert page.evaluate("window.cadenzaPlayer.deck.grant.quality") == "very_high"
    streamed = [
        r
        for r in audio
        if r.request.url == page.evaluate("document.querySelector('audio[data-active]').src")
    ]
    assert streamed, "the active audio element fetched its grant's URL"
    assert total_size(streamed[0]) == very_high["size"]
    expect(page.locator(".np-title")).to_have_text(chosen["title"])
    # Premium picks songs freely: no shuffle-only notice anywhere.
    expect(page.locator("main .in-place-notice")).to_have_text(re.compile(r"^$"))
    assert page.errors == []  # type: ignore[attr-defined]
