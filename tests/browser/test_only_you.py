"""Only You and Your year in the browser: a listener with a week of plays at set hours finds
Only You from Your Library, sees her day in music and her dinner guests, plays her morning mix,
and shares her year's cards (PNG images from the server), on a desktop and at 390 px."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in, playing_track, shoot, wait_playing
from tests.browser.live import LiveServer
from tests.browser.test_made_for_you import signed_in
from tests.e2e.test_listening import play
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LISTENER = "onlyyou@test.cadenza.localhost"
SECONDS = 35  # each play: counted, 35 s of a 40-second song
# Artist, songs, the hours of the day she plays them (UTC, the zone the server uses for her)
HABITS = (("Morning Larks", 3, (7, 8)), ("Afternoon Tea", 2, (14,)), ("Night Owls", 2, (23,)))
DAYS = 8


@pytest.fixture(scope="module")
def week_of_plays(live: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Three artists' songs ingested into the live server, and a listener who played them at
    her hours for the last eight days: their track ids and when each play started."""
    tracks: dict[str, list[int]] = {}
    for n, (artist, songs, _) in enumerate(HABITS):
        folder = make_release(
            tmp_path_factory.mktemp("taste") / artist,
            title=f"{artist} Live",
            artist=artist,
            upc=f"12345678960{n}",
            isrc_prefix=f"QZTAS2{n}",
            seconds=40.0,
            formats=("mp3",) * songs,
        )
        tracks[artist] = [int(t) for t in live.ingest(folder)["track_ids"]]
    live.add_account(LISTENER, "premium_individual")
    signed_in(live, LISTENER)
    today = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    starts: list[datetime] = []
    events = []
    for day in range(1, DAYS + 1):
        for n, (artist, _, hours) in enumerate(HABITS):
            for hour in hours:
                at = (today - timedelta(days=day)).replace(hour=hour)
                song = tracks[artist][(day + hour) % len(tracks[artist])]
                events += play(song, f"taste-{n}-{day}-{hour}", SECONDS, at)
                starts.append(at)
    sent = live.import_listening(LISTENER, events)  # their past: imported history
    assert sent.get("rejected") == [], sent
    return {"tracks": tracks, "starts": starts}


def fits(page: Page) -> bool:
    """Nothing wider than the window: no sideways scrolling."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_only_you_from_your_library_and_the_morning_mix_plays(
    new_page, live: LiveServer, week_of_plays: dict[str, object]
) -> None:
    page = new_page()
    log_in(page, live, LISTENER)
    page.goto("/library")
    page.get_by_role("link", name="Only You").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Only You")

    day = page.get_by_role("region", name="Your day in music")
    expect(day.locator("li", has_text="Morning")).to_contain_text("Morning Larks")
    expect(day.locator("li", has_text="Night")).to_contain_text("Night Owls")
    expect(day.locator("li", has_text="Evening")).to_contain_text("Quiet")
    dinner = page.get_by_role("region", name="Your dream dinner")
    expect(dinner).to_contain_text("Morning Larks is your most played artist: 16 plays.")
    expect(dinner.get_by_role("listitem")).to_have_count(3)
    pairs = page.get_by_role("region", name="Your rare pairings")
    expect(pairs.get_by_role("listitem").first).to_contain_text("Only you here play both")
    shoot(page, "only-you")
    page.set_viewport_size(PHONE)
    assert fits(page)

    page.get_by_role("link", name=re.compile("^Your morning mix")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your morning mix")
    page.get_by_role("button", name="Play Your morning mix").click()
    wait_playing(page)
    larks = week_of_plays["tracks"]["Morning Larks"]  # type: ignore[index]
    assert playing_track(page) in larks
    assert fits(page)


def test_your_year_shows_her_minutes_and_shares_a_card(
    new_page, live: LiveServer, week_of_plays: dict[str, object]
) -> None:
    starts: list[datetime] = week_of_plays["starts"]  # type: ignore[assignment]
    year = starts[-1].year  # the year of her oldest plays: a week ago
    in_year = [s for s in starts if s.year == year]
    page = new_page(PHONE)
    log_in(page, live, LISTENER)
    page.goto(f"/year/{year}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your {year}")
    numbers = page.get_by_role("list", name="Your year in numbers")
    expect(numbers).to_contain_text(f"{len(in_year) * SECONDS // 60}minutes listened")
    expect(numbers).to_contain_text(f"{len(in_year)}songs played")
    expect(numbers).to_contain_text("3new artists discovered")
    top = page.get_by_role("region", name="Top artists")
    expect(top.get_by_role("listitem").first).to_contain_text("Morning Larks")
    card = page.get_by_role("img", name=f"Top artists of {year}")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=card.element_handle())
    assert card.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1080, 1080]
    assert fits(page)
    shoot(page, "your-year")

    with page.expect_download() as saved:
        page.get_by_role("button", name="Download Top artists").click()
    path = saved.value.path()
    image = Image.open(io.BytesIO(path.read_bytes()))
    assert (image.format, image.size) == ("PNG", (1080, 1080))
    assert saved.value.suggested_filename == f"my-{year}-artists.png"
