"""Playlists in the browser: create, rename and describe, add songs from their menus, reorder by
drag and drop and by keyboard, share a link that another listener opens and follows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in, shoot, wait_playing
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def titles(page: Page) -> list[str]:
    return page.locator("main .track-list .track-title").all_inner_texts()


def test_a_playlist_is_created_edited_reordered_and_shared(new_page, live: LiveServer) -> None:
    page = new_page()
    log_in(page, live, "family@demo.cadenza.localhost")
    page.get_by_role("button", name="+ Create playlist").click()
    expect(page.locator("main h1")).to_have_text(re.compile(r"^My playlist"))
    page.get_by_role("button", name="Edit details").click()
    page.get_by_label("Name").fill("Road Trip")
    page.get_by_label("Description").fill("Songs for the long drive")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main h1")).to_have_text("Road Trip")
    expect(page.locator("main")).to_contain_text("Songs for the long drive")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Road Trip")
    ).to_be_visible()

    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    picked = live.get(f"/api/v1/releases/{release['id']}?country=US")["tracks"][:3]  # type: ignore[index]
    songs = [t["title"] for t in picked]
    page.goto(f"/release/{release['id']}")
    for title in songs:
        page.get_by_role("button", name=f"More for {title}").click()
        page.get_by_role("button", name="Add to playlist…").click()
        page.get_by_role("dialog").get_by_role("button", name="Road Trip").click()
        expect(page.get_by_role("alert")).to_contain_text("Added to Road Trip")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Road Trip").click()
    expect(page.locator("main h1")).to_have_text("Road Trip")
    assert titles(page) == songs
    rows = page.locator("main .track-list > li")
    rows.nth(2).drag_to(rows.nth(0))
    expect(page.locator("main .track-list .track-title").first).to_have_text(songs[2])
    assert titles(page) == [songs[2], songs[0], songs[1]]
    page.get_by_role("button", name=f"More for {songs[2]}").click()
    page.get_by_role("button", name="Move down").click()
    expect(page.locator("main .track-list .track-title").first).to_have_text(songs[0])
    page.reload()
    expect(page.locator("main .track-list .track-title").first).to_have_text(songs[0])
    assert titles(page) == [songs[0], songs[2], songs[1]]
    shoot(page, "playlist")
    page.get_by_role("button", name="Play Road Trip").click()
    wait_playing(page)
    assert page.evaluate("window.cadenzaPlayer.state.context.kind") == "playlist"
    assert page.evaluate("window.cadenzaPlayer.state.track_id") == picked[0]["id"]

    page.get_by_role("button", name="Share").click()
    link = page.get_by_label("Share link").input_value()
    assert re.search(r"/playlist-invite/[\w-]+$", link)

    friend = new_page()
    log_in(friend, live, "plus@demo.cadenza.localhost")
    friend.goto(link)
    expect(friend.locator("main h1")).to_have_text("Road Trip")
    expect(friend.get_by_role("button", name="Following")).to_be_visible()
    assert titles(friend) == [songs[0], songs[2], songs[1]]
    assert page.errors == [] and friend.errors == []  # type: ignore[attr-defined]


def test_a_long_playlist_shows_every_song_a_page_at_a_time(new_page, live: LiveServer) -> None:
    """A playlist of 230 songs (made through the API, 100 per edit as the server allows):
    the page shows the first 100, then "Show more songs" brings the rest, on a phone too."""
    page = new_page(PHONE)
    log_in(page, live, "family@demo.cadenza.localhost")
    releases = live.get("/api/v1/browse/new-releases?country=US&limit=10")["items"]  # type: ignore[index]
    songs: list[dict[str, Any]] = []
    for release in releases:
        songs += live.get(f"/api/v1/releases/{release['id']}?country=US")["tracks"]  # type: ignore[index]
    picked = [songs[i % len(songs)] for i in range(230)]  # a song may come more than once
    made = page.evaluate(
        "async (ids) => { const { api } = await import('/static/js/api.js');"
        " const p = await api.post('/api/v1/me/playlists', { name: 'Everything' });"
        " for (let at = 0; at < ids.length; at += 100)"
        "   await api.post(`/api/v1/playlists/${p.id}/tracks`, { track_ids: ids.slice(at, at + 100) });"
        " return p.id; }",
        [s["id"] for s in picked],
    )
    page.goto(f"/playlist/{made}")
    expect(page.locator("main h1")).to_have_text("Everything")
    expect(page.locator("main .hero-meta")).to_contain_text("230 songs")
    rows = page.locator("main .track-list > li")
    expect(rows).to_have_count(100)
    expect(page.locator("main")).to_contain_text("Showing 100 of 230 songs.")
    page.get_by_role("button", name="Show more songs").click()
    expect(rows).to_have_count(200)
    # Keyboard users land on the first new song.
    expect(rows.nth(100).locator(".track-play")).to_be_focused()
    page.get_by_role("button", name="Show more songs").click()
    expect(rows).to_have_count(230)
    expect(page.get_by_role("button", name="Show more songs")).to_have_count(0)
    assert titles(page) == [s["title"] for s in picked]
    assert page.locator("main .track-list .track-number").last.inner_text() == "230"
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the playlist is {wide} px wider than a phone"
    # Playing the 150th song plays it in the playlist's order.
    rows.nth(149).locator(".track-play").click()
    page.wait_for_function(
        "id => window.cadenzaPlayer.state && window.cadenzaPlayer.state.track_id === id",
        arg=picked[149]["id"],
    )
    assert page.errors == []  # type: ignore[attr-defined]
