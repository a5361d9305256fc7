"""Discover Weekly and Similar songs, in the browser: a listener finds Discover Weekly on Home
under Made for you (songs another listener plays, none she played), opens its page and plays
it; a song's page lists similar songs with "Go to song radio"."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, playing_track, shoot, wait_playing
from tests.browser.live import LiveServer
from tests.browser.test_made_for_you import signed_in
from tests.e2e.test_listening import play
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LISTENER = "weekly@test.cadenza.localhost"
OTHER = "weekly-crowd@test.cadenza.localhost"


def _heard(live: LiveServer, email: str, tracks: list[int], tag: str) -> str:
    live.add_account(email, "premium_individual")
    token = signed_in(live, email)
    start = datetime.now(UTC) - timedelta(days=2)
    events = []
    for n, track in enumerate(tracks * 2):
        events += play(track, f"{tag}-{n}", 35, start + timedelta(minutes=n))
    sent = live.import_listening(email, events)  # their past: imported history
    assert sent["rejected"] == [], sent
    return token


@pytest.fixture(scope="module")
def two_tastes(
    live: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[int], list[int], str]:
    """Two releases; the listener played the first, another listener the second."""
    made = []
    for n, (title, artist) in enumerate(
        (("Heard Songs", "The Heard"), ("Fresh Songs", "The Fresh"))
    ):
        folder = make_release(
            tmp_path_factory.mktemp("weekly") / title,
            title=title,
            artist=artist,
            upc=f"12345678957{n}",
            isrc_prefix=f"QZDW{n}26",
            seconds=40.0,
            formats=("mp3", "mp3", "mp3"),
        )
        made.append([int(t) for t in live.ingest(folder)["track_ids"]])
    heard, fresh = made
    token = _heard(live, LISTENER, heard, "weekly")
    _heard(live, OTHER, fresh, "crowd")
    return heard, fresh, token


def test_discover_weekly_waits_on_home_and_plays_and_a_song_shows_similar_songs(
    new_page, live: LiveServer, two_tastes: tuple[list[int], list[int], str]
) -> None:
    heard, fresh, token = two_tastes
    page = new_page()
    log_in(page, live, LISTENER)
    shelf = page.locator("section", has=page.get_by_role("heading", name="Made for you"))
    card = shelf.get_by_role("link", name=re.compile(r"^Discover Weekly"))
    expect(card).to_be_visible()
    card.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discover Weekly")
    rows = page.locator("main .track-list")
    expect(rows).to_contain_text("The Fresh")
    expect(rows).not_to_contain_text("The Heard")  # nothing she played
    shoot(page, "discover-weekly")

    page.get_by_role("button", name="Play Discover Weekly").click()
    wait_playing(page)
    request = urllib.request.Request(
        live.url + "/api/v1/me/discover-weekly", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        weekly = json.loads(answer.read())
    order = [int(t["id"]) for t in weekly["tracks"]]
    assert len(set(fresh) & set(order)) == 2  # two of The Fresh's three: 2 per artist at most
    assert not set(heard) & set(order)
    assert playing_track(page) == order[0]

    page.goto(f"{live.url}/track/{fresh[0]}")
    similar = page.locator("section", has=page.get_by_role("heading", name="Similar songs"))
    expect(similar).to_contain_text("The Fresh")  # the same artist's other songs, no model yet
    expect(similar.get_by_role("button", name="Go to song radio")).to_be_visible()
    shoot(page, "similar-songs")
