"""What a Spotify listener expects of the player, in the browser: hearts that agree everywhere,
a now-playing view with credits, lyrics that follow the song and the queue apart from the
album, and links that copy, open their page and carry a preview."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in, shoot, wait_playing
from tests.browser.live import LiveServer
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LISTENER = "hearts@test.cadenza.localhost"
LRC = "".join(f"[00:{2 * n:02d}.00]Line {n + 1}\n" for n in range(6))


@pytest.fixture(scope="module")
def sung(live: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A release of three 12-second songs whose first has timed lyrics, ingested with the CLI
    into the live server's data."""
    folder = make_release(
        tmp_path_factory.mktemp("sung") / "Sung Songs",
        title="Sung Songs",
        artist="The Singers",
        upc="123456789666",  # apart from every other release the session's server holds
        isrc_prefix="QZSNG26",
        seconds=12.0,
        formats=("mp3", "mp3", "mp3"),
    )
    manifest = folder / "release.json"
    data = json.loads(manifest.read_text())
    data["tracks"][0]["lyrics"] = LRC
    data["tracks"][0]["featured_artists"] = ["A Guest"]
    manifest.write_text(json.dumps(data))
    result = live.ingest(folder)
    release_id = result.get("release_id") or result["releases"][0]["release_id"]
    return live.get(f"/api/v1/releases/{release_id}")  # type: ignore[return-value]


def heart_of(page: Page, scope: str, title: str) -> object:
    return page.locator(scope).get_by_role("button", name=re.compile(f"(Save|Remove) {title} "))


def test_hearts_the_now_playing_view_lyrics_and_the_queue(
    new_page, live: LiveServer, sung: dict[str, object]
) -> None:
    tracks = [t["title"] for t in sung["tracks"]]  # type: ignore[attr-defined]
    page = new_page()
    log_in(page, live, LISTENER)
    page.goto(f"/release/{sung['id']}")
    page.get_by_role("button", name="Play Sung Songs").click()
    wait_playing(page)

    # The heart in the player bar and the one on the song's row are one and the same like.
    bar_heart = page.locator("#player-bar .np-like").get_by_role("button")
    expect(bar_heart).to_have_attribute("aria-pressed", "false")
    bar_heart.click()
    expect(bar_heart).to_have_attribute("aria-pressed", "true")
    row_heart = heart_of(page, "main .track-list", tracks[0])
    expect(row_heart).to_have_attribute("aria-pressed", "true")

    # Another tab of this browser hears of a like made here, and of one made there.
    other = page.context.new_page()
    other.goto(f"/release/{sung['id']}")
    expect(heart_of(other, "main .track-list", tracks[0])).to_have_attribute("aria-pressed", "true")
    heart_of(other, "main .track-list", tracks[2]).click()
    expect(heart_of(page, "main .track-list", tracks[2])).to_have_attribute("aria-pressed", "true")
    other.close()

    # Two songs queued from their menus play before the album goes on.
    for title in (tracks[2], tracks[1]):
        page.get_by_role("button", name=f"More for {title}").click()
        page.get_by_role("button", name="Add to queue").click()

    page.get_by_role("button", name="Now playing view").click()
    view = page.get_by_role("dialog", name="Now playing")
    expect(view.get_by_role("heading", level=2)).to_have_text(tracks[0])
    credits = view.locator(".np-credits")
    expect(credits).to_contain_text("The Singers")
    expect(credits).to_contain_text("Main artist")
    expect(credits).to_contain_text("A Guest")
    expect(credits).to_contain_text("Featured artist")

    # Timed lyrics: the line being sung is highlighted, and the highlight moves on.
    lines = view.locator(".lyrics.synced .lyric-line")
    expect(lines).to_have_count(6)
    expect(view.locator(".lyric-line.current")).to_have_count(1)
    expect(view.locator(".lyric-line.current")).to_have_text(
        re.compile(r"Line [3-6]"), timeout=20_000
    )

    queued = view.get_by_role("region", name="Next in queue")
    expect(queued.locator(".track-title")).to_have_text([tracks[2], tracks[1]])
    context = view.get_by_role("region", name="Next from: Sung Songs")
    expect(context.locator(".track-title")).to_have_text([tracks[1], tracks[2]])
    shoot(page, "now-playing")
    queued.get_by_role("button", name=f"Move {tracks[1]} up").click()
    expect(queued.locator(".track-title")).to_have_text([tracks[1], tracks[2]])
    queued.get_by_role("button", name=f"Remove {tracks[1]} from queue").click()
    expect(queued.locator(".track-title")).to_have_text([tracks[2]])
    assert page.evaluate("window.cadenzaPlayer.state.queue") == [sung["tracks"][2]["id"]]  # type: ignore[index]

    # At phone width the view fits: nothing runs off the side.
    page.set_viewport_size(PHONE)
    expect(view.get_by_role("button", name="Close now playing")).to_be_visible()
    assert (
        page.evaluate("document.getElementById('now-playing-view').scrollWidth") <= PHONE["width"]
    )
    page.keyboard.press("Escape")
    expect(view).to_have_count(0)

    # A new device of the same listener shows the likes right on load.
    fresh = new_page()
    log_in(fresh, live, LISTENER)
    fresh.goto(f"/release/{sung['id']}")
    expect(heart_of(fresh, "main .track-list", tracks[0])).to_have_attribute("aria-pressed", "true")
    expect(heart_of(fresh, "main .track-list", tracks[1])).to_have_attribute(
        "aria-pressed", "false"
    )
    assert not page.errors and not fresh.errors  # type: ignore[attr-defined]


def test_a_copied_link_opens_its_page_with_a_preview(
    new_page, live: LiveServer, sung: dict[str, object]
) -> None:
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    log_in(page, live, LISTENER)
    page.goto(f"/release/{sung['id']}")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("alert")).to_contain_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live.url}/release/{sung['id']}"

    first = sung["tracks"][0]  # type: ignore[index]
    page.get_by_role("button", name=f"More for {first['title']}").click()
    page.get_by_role("button", name="Share: copy link").click()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{live.url}/track/{first['id']}"

    visitor = new_page()  # no one signed in: the link opens the song's page
    visitor.goto(link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(first["title"])
    expect(visitor.locator("main")).to_contain_text("Sung Songs")
    with urllib.request.urlopen(link, timeout=10) as answer:  # what a chat app's bot reads
        html = answer.read().decode()
    assert f'<meta property="og:title" content="{first["title"]} · The Singers, A Guest">' in html
    assert '<meta property="og:type" content="music.song">' in html
    assert f'<meta property="og:image" content="{live.url}/api/v1/images/' in html
    shoot(visitor, "shared-track")
    assert not page.errors and not visitor.errors  # type: ignore[attr-defined]
