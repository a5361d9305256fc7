"""Charts and Release Radar in the browser: songs played this week reach the Top 50 once the
`charts` job has run; Home and Search lead to the chart, which plays from its first song; a
followed artist's new release waits on Home under "Made for you" as Release Radar."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PHONE, log_in, playing_track, shoot, wait_playing
from tests.browser.live import LiveServer
from tests.browser.test_made_for_you import signed_in
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
    sent = live.import_listening(LISTENER, events)  # their past: imported history
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


def test_the_browser_saves_its_time_zone_and_the_account_page_changes_it(
    browser: Browser, live: LiveServer, charted: tuple[list[int], str]
) -> None:
    _, token = charted
    context = browser.new_context(base_url=live.url, viewport=PHONE, timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        log_in(page, live, LISTENER)
        deadline = time.monotonic() + 15
        while get(live, "/api/v1/me", token)["time_zone"] != "Asia/Tokyo":  # type: ignore[index]
            assert time.monotonic() < deadline, "the browser's zone was not saved"
            time.sleep(0.2)
        page.goto("/account")
        zone = page.get_by_role("combobox", name="Time zone")
        expect(zone).to_have_value("Asia/Tokyo")
        zone.fill("Europe/Paris")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text("Europe/Paris")
        assert get(live, "/api/v1/me", token)["time_zone"] == "Europe/Paris"  # type: ignore[index]
        page.reload()  # the choice stays: the browser's zone does not overwrite it
        expect(page.get_by_role("combobox", name="Time zone")).to_have_value("Europe/Paris")
        shoot(page, "account-time-zone")
    finally:
        context.close()


def test_after_signing_up_the_first_login_offers_three_artists_to_pick(
    new_page, live: LiveServer, charted: tuple[list[int], str]
) -> None:
    email, password = "picker@test.cadenza.localhost", "three artists I like a lot"
    page = new_page(PHONE)
    seen = live.mails()
    page.goto("/signup")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label(re.compile("^Password")).fill(password)
    page.get_by_label("What should we call you?").fill("Pia")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Date of birth").fill("1999-04-01")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    page.goto(live.mail_to(email, r"https?://\S+/verify-email\?token=\S+", seen=seen))
    expect(page.locator("main").get_by_role("status")).to_contain_text("is confirmed")

    seen = live.mails()
    page.get_by_role("link", name="Log in").last.click()  # the page's, not the header's
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    code_box = page.get_by_label("The 6-digit code we e-mailed you")
    code_box.fill(live.mail_to(email, r"\b(\d{6})\b", seen=seen))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pick three artists you like")
    expect(page.get_by_role("status").filter(has_text="picked")).to_have_text("0 of 3 picked")
    shoot(page, "pick-artists")

    page.get_by_role("searchbox", name="Search artists").fill("charters")
    pick = page.get_by_role("button", name="The Charters")
    pick.click()
    expect(pick).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status").filter(has_text="picked")).to_have_text("1 of 3 picked")
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Good (morning|afternoon|evening)")
    )
    # The pick is kept: the page shows it picked when opened again.
    page.goto("/welcome/artists")
    page.get_by_role("searchbox", name="Search artists").fill("charters")
    expect(page.get_by_role("button", name="The Charters")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.errors == []  # type: ignore[attr-defined]
