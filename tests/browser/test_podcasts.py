"""Podcasts in the browser: a show page (follow, its episodes), Your Episodes, an episode page
(play, resume where you stopped, 0.5x-3x, a sleep timer, chapters to skip to, a transcript to
search) and the podcaster's dashboard (create a show, upload an episode, its figures)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in, shoot
from tests.browser.live import LiveServer, _environment
from tests.browser.test_made_for_you import signed_in
from tests.fixtures.audio import make_audio
from tests.fixtures.feeds import Item, feed_host, rss

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LISTENER = "podcasts@test.cadenza.localhost"
PODCASTER = "podcaster@test.cadenza.localhost"
VTT = (
    "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Ada>Welcome to Night Signals\n\n"
    "00:00:05.000 --> 00:00:07.000\n<v Grace>Compilers are our friends\n"
)


@pytest.fixture(scope="module")
def show(live: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """A show added by its feed (served on loopback) with the CLI, both episodes' audio
    fetched: its id and the newest episode's."""
    folder = tmp_path_factory.mktemp("podcasts")
    with feed_host() as host:
        audio = make_audio(folder / "talk.mp3", "mp3", seconds=12.0).read_bytes()
        chapters = {
            "version": "1.2.0",
            "chapters": [
                {"startTime": 0, "title": "Opening"},
                {"startTime": 6, "title": "Part two"},
            ],
        }
        host.put("/chapters.json", json.dumps(chapters), "application/json")
        host.put("/t.vtt", VTT, "text/vtt")
        extra = (
            f'<podcast:chapters url="{host.url("/chapters.json")}" type="application/json+chapters"/>'
            f'<podcast:transcript url="{host.url("/t.vtt")}" type="text/vtt"/>'
        )
        items = [
            Item(
                "Signals from the deep",
                "n2",
                host.put("/2.mp3", audio, "audio/mpeg"),
                extra=extra,
                duration="00:00:12",
            ),
            Item(
                "First transmission",
                "n1",
                host.put("/1.mp3", audio, "audio/mpeg"),
                duration="00:00:12",
            ),
        ]
        items[1].published = items[1].published.replace(day=1)
        items[0].published = items[0].published.replace(day=2)
        url = host.put("/night.xml", rss("Night Signals", items, author="Radio Dark"))
        env = _environment(live.data_dir) | {
            "CADENZA_PUBLIC_URL": live.url,
            "CADENZA_FEEDS_ALLOW_PRIVATE": "true",
        }
        done = subprocess.run(
            [sys.executable, "-m", "cadenza", "podcasts", "add", url, "--audio", "2", "--quiet"],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        show_id = int(done.stdout.strip())
        with urllib.request.urlopen(
            f"{live.url}/api/v1/shows/{show_id}/episodes", timeout=30
        ) as answer:
            episodes = json.loads(answer.read())["items"]
        yield {"show": show_id, "newest": episodes[0]["id"]}


def test_show_page_follow_and_your_episodes(
    new_page: object, live: LiveServer, show: dict[str, int]
) -> None:
    live.add_account(LISTENER, "free")
    page: Page = new_page()  # type: ignore[operator]
    log_in(page, live, LISTENER)
    page.goto(f"/show/{show['show']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Night Signals")
    expect(page.locator(".episode-title")).to_have_text(
        ["Signals from the deep", "First transmission"]
    )
    follow = page.get_by_role("button", name="Follow")
    follow.click()
    expect(page.get_by_role("button", name="Following")).to_have_attribute("aria-pressed", "true")
    page.goto("/episodes")
    expect(page.get_by_role("heading", name="Your Episodes")).to_be_visible()
    expect(page.locator(".episode-title").first).to_have_text("Signals from the deep")
    expect(page.locator(".followed-shows")).to_contain_text("Night Signals 2 unplayed")
    shoot(page, "podcasts-your-episodes")
    assert page.errors == []  # type: ignore[attr-defined]


def test_episode_page_plays_resumes_skips_chapters_and_searches_the_transcript(
    new_page: object, live: LiveServer, show: dict[str, int]
) -> None:
    live.add_account("episodes@test.cadenza.localhost", "free")
    page: Page = new_page(PHONE)  # type: ignore[operator]
    log_in(page, live, "episodes@test.cadenza.localhost")
    page.goto(f"/episode/{show['newest']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signals from the deep")
    controls = page.locator(".episode-controls")
    controls.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "() => { const a = document.querySelector('.episode-audio'); return a && !a.paused && a.currentTime > 0.3; }"
    )

    page.get_by_label("Playback speed").select_option("2")
    assert page.evaluate("document.querySelector('.episode-audio').playbackRate") == 2
    page.get_by_label("Playback speed").select_option("0.5")
    assert page.evaluate("document.querySelector('.episode-audio').playbackRate") == 0.5

    page.get_by_role("button", name="0:06 Part two").click()
    page.wait_for_function("() => document.querySelector('.episode-audio').currentTime >= 6")
    expect(page.get_by_role("button", name="0:06 Part two")).to_have_attribute(
        "aria-current", "true"
    )

    page.get_by_label("Sleep timer").select_option("5")
    expect(page.locator(".sleep-left")).to_have_text("Stops in 5 min")

    search = page.get_by_label("Search the transcript")
    search.fill("compilers")
    expect(page.locator(".cue:visible")).to_have_count(1)
    expect(page.locator(".cue:visible")).to_contain_text("Compilers are our friends")
    expect(page.locator(".transcript-found")).to_have_text("1 of 2 lines")

    with page.expect_response(  # pausing saves where it stopped
        lambda r: r.url.endswith("/position") and r.request.method == "PUT"
    ):
        controls.get_by_role("button", name="Pause", exact=True).click()
    page.reload()
    resume = page.locator(".episode-controls").get_by_role("button", name="Resume", exact=True)
    expect(resume).to_be_visible()
    # The listener's phone moves on to 0:09: this page, paused, hears it within seconds.
    expect(page.locator("body[data-device-feed=open]")).to_have_count(1)  # it hears the phone
    token = signed_in(live, "episodes@test.cadenza.localhost")
    moved = urllib.request.Request(
        f"{live.url}/api/v1/me/episodes/{show['newest']}/position",
        data=json.dumps({"position_ms": 9000}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="PUT",
    )
    urllib.request.urlopen(moved, timeout=30).close()
    expect(page.locator(".episode-status")).to_have_text(
        "Resumes at 0:09, where another device stopped"
    )
    resume.click()
    page.wait_for_function("() => document.querySelector('.episode-audio').currentTime >= 9")
    shoot(page, "podcasts-episode")
    assert page.errors == []  # type: ignore[attr-defined]


def test_podcaster_dashboard_creates_a_show_and_uploads_an_episode(
    new_page: object, live: LiveServer, tmp_path: Path
) -> None:
    live.add_account(PODCASTER, "free", "podcaster")
    page: Page = new_page()  # type: ignore[operator]
    log_in(page, live, PODCASTER)
    page.goto("/podcaster")
    expect(page.get_by_role("heading", name="Podcaster dashboard")).to_be_visible()
    page.get_by_label("Show title").fill("Kitchen Table")
    page.get_by_label("Description").fill("Talk over dinner")
    page.get_by_role("button", name="Create show").click()
    panel = page.get_by_role("region", name="Kitchen Table")
    expect(panel).to_contain_text("0 plays · 0 listeners")
    audio = make_audio(tmp_path / "dinner.mp3", "mp3", seconds=3.0)
    panel.get_by_label("Episode title").fill("Soup")
    panel.get_by_label("Audio file").set_input_files(str(audio))
    panel.get_by_label("Chapters (one a line: 0:00 Title)").fill("0:00 Starters\n0:02 Mains")
    panel.get_by_role("button", name="Upload episode").click()
    panel = page.get_by_role("region", name="Kitchen Table")
    expect(panel.locator(".episode-figures tbody tr")).to_have_count(1, timeout=60_000)
    expect(panel.locator(".episode-figures")).to_contain_text("Soup")
    feed = panel.locator(".feed-link").get_attribute("href")
    assert feed is not None
    with urllib.request.urlopen(
        feed.replace("http://127.0.0.1:8000", live.url), timeout=30
    ) as answer:
        assert b"<title>Soup</title>" in answer.read()
    shoot(page, "podcasts-podcaster")
    assert page.errors == []  # type: ignore[attr-defined]
