"""Social pages in the browser, with two listeners: a Blend made through an invite link (the
page shows the match score and whose taste each song comes from), a profile to follow, the
friend activity beside the page on a desktop and on its own page at phone width, and
playlists found by search."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in, shoot
from tests.browser.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def account_id(page: Page) -> int:
    found: int = page.evaluate(
        "async () => (await import('/static/js/api.js')).api.get('/api/v1/me').then(m => m.id)"
    )
    return found


def test_two_listeners_make_a_blend_through_an_invite_link(new_page, live: LiveServer) -> None:
    ada = new_page()
    log_in(ada, live, live.add_account("blend-ada@example.org"))
    ada.goto("/blend")
    expect(ada.locator("main h1")).to_have_text("Blend")
    ada.get_by_role("button", name="Invite a friend to a Blend").click()
    link = ada.get_by_label("Invite link").input_value()
    assert re.search(r"/blend/invite/[\w-]{20,}$", link)

    ada.goto(link)  # one's own link makes no Blend
    expect(ada.locator("main")).to_contain_text("This is your own invite")

    bo = new_page(PHONE)
    log_in(bo, live, live.add_account("blend-bo@example.org"))
    bo.goto(link)
    expect(bo.locator("main")).to_contain_text("blend-ada invites you to a Blend")
    bo.get_by_role("button", name="Make our Blend").click()
    expect(bo.locator("main h1")).to_have_text("blend-ada + blend-bo")
    expect(bo.locator("main .match-score")).to_contain_text(re.compile(r"\d+% taste match"))
    markers = bo.locator("main .blend-from")
    expect(markers.first).to_be_visible()
    said = set(markers.all_inner_texts())
    assert said == {"from blend-ada", "from blend-bo"}  # both tastes, each song marked
    shoot(bo, "blend")

    bo.goto(link)  # used: it works once
    expect(bo.locator("main")).to_contain_text("was used already")
    ada.goto("/blend")
    ada.get_by_role("link", name="blend-ada + blend-bo").click()
    expect(ada.locator("main h1")).to_have_text("blend-ada + blend-bo")
    assert not ada.errors and not bo.errors  # type: ignore[attr-defined]


def test_friend_activity_shows_beside_the_page_and_on_a_phone(new_page, live: LiveServer) -> None:
    ada = new_page()
    log_in(ada, live, live.add_account("friend-ada@example.org"))
    ada.goto("/account")
    share = ada.get_by_label("Share what I play with the listeners who follow me")
    expect(share).not_to_be_checked()  # off until turned on
    share.check()
    ada_id = account_id(ada)
    track = live.get("/api/v1/search?q=a&type=track&country=US&limit=1")["tracks"]["items"][0][
        "track"
    ]  # type: ignore[index]
    now = datetime.now(UTC).isoformat()
    event = {"id": "fa-1", "play_id": "fa", "kind": "start", "track_id": track["id"]}
    event |= {"device": "test", "position_ms": 0, "at": now}
    ada.evaluate(
        "async (e) => (await import('/static/js/api.js')).api.post("
        "'/api/v1/me/player/events', { events: [e] })",
        event,
    )

    bo = new_page()
    log_in(bo, live, live.add_account("friend-bo@example.org"))
    bo.goto(f"/user/{ada_id}")
    expect(bo.locator("main h1")).to_have_text("friend-ada")
    expect(bo.locator("main")).not_to_contain_text("example.org")
    bo.get_by_role("button", name="Follow").click()
    expect(bo.get_by_role("button", name="Following")).to_have_attribute("aria-pressed", "true")
    bo.reload()
    panel = bo.locator("#friends-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("friend-ada")
    expect(panel).to_contain_text(track["title"])
    expect(panel).to_contain_text("Playing now")
    shoot(bo, "friend-activity-panel")

    bo.set_viewport_size(PHONE)
    expect(panel).to_be_hidden()  # no room beside the page: the Friends page instead
    bo.get_by_role("navigation", name="Main").get_by_role("link", name="Friends").click()
    expect(bo.locator("main h1")).to_have_text("Friend activity")
    expect(bo.locator("main")).to_contain_text(track["title"])
    shoot(bo, "friend-activity-page")

    ada.goto("/account")  # turned off: nothing shows
    ada.get_by_label("Share what I play with the listeners who follow me").uncheck()
    expect(
        ada.get_by_label("Share what I play with the listeners who follow me")
    ).not_to_be_checked()
    bo.reload()
    expect(bo.locator("main")).to_contain_text("Nobody you follow is sharing")


def test_the_search_page_finds_playlists(new_page, live: LiveServer) -> None:
    page = new_page()
    log_in(page, live, live.add_account("search-playlists@example.org"))
    made = page.evaluate(
        "async () => (await import('/static/js/api.js')).api.post('/api/v1/me/playlists',"
        " { name: 'Zanzibar Sunset Grooves', description: 'warm evenings' })"
    )
    page.goto("/search?q=zanzibar")
    shelf = page.get_by_role("region", name="Playlists")
    expect(shelf).to_contain_text("Zanzibar Sunset Grooves")
    shelf.get_by_role("link", name=re.compile("Zanzibar Sunset Grooves")).click()
    expect(page).to_have_url(re.compile(rf"/playlist/{made['id']}$"))
