"""Charts and Release Radar in the browser: songs played this week reach the Top 50 once the
`charts` job has run; Home and Search lead to the chart, which plays from its first song; a
followed artist's new release waits on Home under "Made for you" as Release Radar."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in, playing_track, shoot, wait_playing
from tests.browser.live import LiveServer
from tests.browser.test_made_for_you import call, signed_in
from tests.e2e.test_listening import play
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LISTENER = "charts@test.cadenza.localhost"


def get(live: LiveServer, path: str, token: str) -> object:
    request = urllib.request.Request(live.url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


@pytest.fixture(scope="module")
def charted(live: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[int], str]:
    """A release out three days ago, its songs played this week by a listener who follows its
    artist, and the charts rebuilt: its track ids and the listener's token."""
    released = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    folder = make_release(
        tmp_path_factory.mktemp("charts") / "Chart Songs",
        title="Chart Songs",
        artist="The Charters",
        upc="123456789666",  # apart from every other release the session's server holds
        isrc_prefix="QZCHT26",
        seconds=40.0,
        formats=("mp3", "mp3", "mp3"),
        extra={"release_date": released},
    )
    report = live.ingest(folder)
    tracks = [int(t) for t in report["track_ids"]]
    live.add_account(LISTENER, "premium_individual")
    token = signed_in(live, LISTENER)
    start = datetime.now(UTC) - timedelta(days=1, hours=2)
    events = []
    # Song 3 three times, Song 1 twice, Song 2 once: the chart's order.
    for n, track in enumerate([tracks[2]] * 3 + [tracks[0]] * 2 + [tracks[1]]):
        events += play(track, f"chart-{n}", 35, start + timedelta(minutes=n))
    sent = call(live, "/api/v1/me/player/events", {"events": events}, token)
    assert sent["rejected"] == [], sent
    release = get(live, f"/api/v1/tracks/{tracks[0]}", token)
    artist = release["artists"][0]["id"]  # type: ignore[index]
    follow = urllib.request.Request(
        f"{live.url}/api/v1/me/following/artists/{artist}",
        headers={"Authorization": f"Bearer {token}"},
        method="PUT",
    )
    urllib.request.urlopen(follow, timeout=30).close()
    live.run_job("charts")
    return tracks, token


def test_the_top_50_is_on_home_and_search_and_plays_from_its_first_song(
    new_page, live: LiveServer, charted: tuple[list[int], str]
) -> None:
    tracks, _ = charted
    page = new_page()
    log_in(page, live, LISTENER)
    charts = page.locator("section", has=page.get_by_role("heading", name="Charts"))
    card = charts.get_by_role("link", name=re.compile(r"^Top 50: Global"))
    expect(card).to_be_visible()
    shoot(page, "home-charts")

    card.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Top 50: Global")
    rows = page.locator("main .track-list > li")
    expect(rows.nth(0)).to_contain_text("Song 3")
    expect(rows.nth(0)).to_contain_text("3 plays this week")
    expect(rows.nth(1)).to_contain_text("Song 1")
    expect(rows.nth(0).get_by_label("New on the chart")).to_be_visible()
    shoot(page, "chart")

    page.get_by_role("button", name="Play Top 50: Global").click()
    wait_playing(page)
    assert playing_track(page) == tracks[2]  # the chart's first song

    # Search's Browse leads to every chart, at phone width too.
    page.set_viewport_size(PHONE)
    page.goto("/search")
    page.get_by_role("link", name=re.compile(r"^Charts")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charts")
    expect(page.get_by_role("link", name=re.compile(r"^Top 50: Global"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_followed_artists_new_release_waits_on_home_as_release_radar(
    new_page, live: LiveServer, charted: tuple[list[int], str]
) -> None:
    tracks, token = charted
    page = new_page()
    log_in(page, live, LISTENER)
    shelf = page.locator("section", has=page.get_by_role("heading", name="Made for you"))
    tile = shelf.get_by_role("link", name=re.compile(r"^Release Radar"))
    expect(tile).to_contain_text("The Charters")
    tile.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Release Radar")
    rows = page.locator("main .track-list")
    for title in ("Song 1", "Song 2", "Song 3"):
        expect(rows).to_contain_text(title)
    shoot(page, "release-radar")
    page.get_by_role("button", name="Play Release Radar").click()
    wait_playing(page)
    radar = get(live, "/api/v1/me/release-radar", token)
    assert playing_track(page) == radar["tracks"][0]["id"]  # type: ignore[index]
    assert {t["id"] for t in radar["tracks"]} == set(tracks)  # type: ignore[index]
    # The account page shows the time zone the browser saved (the test browser's).
    page.goto("/account")
    expect(page.get_by_label("Time zone")).to_have_value(re.compile(r".+/.+|UTC"))
