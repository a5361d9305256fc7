"""Pages no browser test reached: the editors' shelf on Home, Liked Songs, Your Library,
"Go to song radio" from a song's menu, and the artist dashboard."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, playing_track, shoot, wait_playing
from tests.browser.live import PASSWORD, LiveServer, _environment

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def operator(live: LiveServer, *args: str) -> str:
    """A `cadenza` command on the live server's data, as its operator runs it beside it."""
    done = subprocess.run(
        [sys.executable, "-m", "cadenza", *args],
        env=_environment(live.data_dir),
        input=PASSWORD,
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def first_release(live: LiveServer) -> dict:  # type: ignore[type-arg]
    listed = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    return live.get(f"/api/v1/releases/{listed['id']}?country=US")  # type: ignore[return-value]


def song_menu(page: Page, title: str, item: str) -> None:
    page.get_by_role("button", name=f"More for {title}").first.click()
    page.locator(".menu-panel:visible").get_by_role("button", name=item).click()


def test_editors_shelf_liked_songs_your_library_and_song_radio(new_page, live: LiveServer) -> None:
    email = "shelves@test.cadenza.localhost"
    operator(live, "users", "create", email, "--password-stdin", "--plan", "premium_individual")
    page = new_page()
    log_in(page, live, email)

    # Home: the editors' playlists on a shelf of their own, each leading to its page.
    editors = page.get_by_role("region", name="Picked by our editors")
    picks = editors.get_by_role("link", name=re.compile("Cadenza Picks"))
    expect(picks).to_be_visible()
    shoot(page, "home-editors")
    picks.click()
    expect(page.locator("main h1")).to_have_text("Cadenza Picks")

    # A song saved from its menu is in Liked Songs, and Liked Songs plays.
    release = first_release(live)
    song = release["tracks"][1]
    page.goto(f"/release/{release['id']}")
    song_menu(page, song["title"], "Save to Liked Songs")
    expect(page.locator("#toast")).to_have_text("Added to Liked Songs")
    page.goto("/collection/tracks")
    expect(page.locator("main h1")).to_have_text("Liked Songs")
    expect(page.locator(".hero-meta")).to_have_text("1 songs")
    expect(page.locator(".track-list .track-title")).to_have_text([song["title"]])
    shoot(page, "liked-songs")
    page.get_by_role("button", name="Play Liked Songs").click()
    wait_playing(page)
    assert playing_track(page) == song["id"]

    # Your Library: a playlist made there is listed there, and Liked Songs is a click away.
    page.goto("/library")
    expect(page.locator("main h1")).to_have_text("Your Library")
    page.locator("main").get_by_role("button", name="Create playlist", exact=True).click()
    page.wait_for_url(re.compile(r"/playlist/\d+$"))
    made = page.url.rsplit("/", 1)[1]
    page.goto("/library?kind=playlist")
    expect(page.locator(f"main a.library-item[href='/playlist/{made}']")).to_contain_text(
        "My playlist"
    )
    shoot(page, "your-library")
    page.locator("main").get_by_role("link", name="Liked Songs").click()
    expect(page.locator("main h1")).to_have_text("Liked Songs")

    # Song radio: the player plays in a radio context seeded by that song.
    page.goto(f"/release/{release['id']}")
    song_menu(page, song["title"], "Go to song radio")
    page.wait_for_function(
        "id => { const s = window.cadenzaPlayer.state;"
        " return s && s.context && s.context.kind === 'radio' && s.context.id === id; }",
        arg=song["id"],
    )
    wait_playing(page)
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_artist_dashboard_shows_the_linked_artists_releases(new_page, live: LiveServer) -> None:
    release = first_release(live)
    artist = release["artists"][0]
    linked = operator(
        live, "users", "link-artist", "artist@demo.cadenza.localhost", str(artist["id"])
    )
    assert f"{artist['name']} ({artist['id']})" in linked

    listener = new_page()
    log_in(listener, live, "plus@demo.cadenza.localhost")
    listener.goto("/artist-dashboard")
    expect(listener.locator("main")).to_contain_text("This page is for artist accounts.")

    page = new_page()
    log_in(page, live, "artist@demo.cadenza.localhost")
    page.get_by_role("link", name="Artist dashboard").first.click()
    expect(page.locator("main h1")).to_have_text("Artist dashboard")
    # The demo artist account is linked to an artist of its own already: each linked artist has
    # its section, the one just linked among them.
    panel = page.locator("section.panel", has=page.locator("h2", has_text=artist["name"]))
    expect(panel).to_be_visible()
    shelf = page.get_by_role("region", name=f"Releases by {artist['name']}")
    expect(shelf.get_by_role("link", name=re.compile(re.escape(release["title"])))).to_be_visible()
    expect(shelf).to_contain_text("Out now")
    shoot(page, "artist-dashboard")
    panel.get_by_role("link", name="See your public page").click()
    expect(page.locator("main h1")).to_contain_text(artist["name"])
    assert page.errors == [] and listener.errors == []  # type: ignore[attr-defined]
