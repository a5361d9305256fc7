"""Episodes in the player bar, at phone width: played from a show's list with the show's cover,
title and show; resumed where another device stopped, and moved on while paused when another
device saves a place; speed and the sleep timer in the bar; chapters in the now-playing view.
A Free listener seeks and skips between episodes in any order, without a limit, and hears the
plan's ad break between two episodes, never inside one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in, shoot
from tests.browser.live import LiveServer, _environment
from tests.browser.test_made_for_you import signed_in
from tests.fixtures.audio import make_audio
from tests.fixtures.feeds import Item, feed_host, rss

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
TITLES = ["Fifth", "Fourth", "Third", "Second", "First"]  # newest first, as the show lists them


@pytest.fixture(scope="module")
def show(live: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A show of five episodes, added by its feed with the CLI, all audio fetched: its id and
    its episodes' ids, newest first. The newest has chapters and lasts 30 s, so that it is still
    playing when a slow machine gets to pausing it after a chapter skip; the others last 8 s."""
    folder = tmp_path_factory.mktemp("episode-player")
    with feed_host() as host:
        audio = make_audio(folder / "talk.mp3", "mp3", seconds=8.0).read_bytes()
        long_audio = make_audio(folder / "long.mp3", "mp3", seconds=30.0).read_bytes()
        chapters = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Hello"}, {"startTime": 5, "title": "Goodbye"}]}  # fmt: skip
        host.put("/chapters.json", json.dumps(chapters), "application/json")
        extra = f'<podcast:chapters url="{host.url("/chapters.json")}" type="application/json+chapters"/>'
        items = []
        for n, title in enumerate(TITLES):
            body, duration = (long_audio, "00:00:30") if n == 0 else (audio, "00:00:08")
            item = Item(
                title, f"g{n}", host.put(f"/{n}.mp3", body, "audio/mpeg"), duration=duration
            )
            item.published = item.published.replace(day=20 - n)
            item.extra = extra if n == 0 else ""
            items.append(item)
        url = host.put("/bar.xml", rss("Bar Talk", items, author="Bar People"))
        env = _environment(live.data_dir) | {
            "CADENZA_PUBLIC_URL": live.url,
            "CADENZA_FEEDS_ALLOW_PRIVATE": "true",
        }
        done = subprocess.run(
            [sys.executable, "-m", "cadenza", "podcasts", "add", url, "--audio", "5", "--quiet"],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        show_id = int(done.stdout.strip())
        with urllib.request.urlopen(
            f"{live.url}/api/v1/shows/{show_id}/episodes", timeout=30
        ) as answer:
            episodes = [e["id"] for e in json.loads(answer.read())["items"]]
        yield {"show": show_id, "episodes": episodes}


def put(live: LiveServer, token: str, path: str, body: dict[str, Any]) -> Any:
    asked = urllib.request.Request(
        f"{live.url}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(asked, timeout=30) as answer:
        return json.loads(answer.read())


def bar_time(page: Page) -> float:
    return float(page.evaluate("document.querySelector('audio.episode-audio').currentTime"))


def wait_bar_playing(page: Page, title: str, past_s: float = 0.2) -> None:
    expect(page.locator(".np-title")).to_have_text(title)
    page.wait_for_function(
        "s => { const a = document.querySelector('audio.episode-audio'); return a && !a.paused && a.currentTime > s; }",
        arg=past_s,
    )


def seek_bar(page: Page, ms: int) -> None:
    page.evaluate(
        "ms => { const s = document.querySelector('input.seek'); s.value = String(ms);"
        " s.dispatchEvent(new Event('change')); }",
        ms,
    )


def test_an_episode_plays_in_the_bar_and_resumes_where_another_device_stopped(
    new_page: Any, live: LiveServer, show: dict[str, Any]
) -> None:
    email = "bar-episodes@test.cadenza.localhost"
    live.add_account(email)
    newest = show["episodes"][0]
    phone = signed_in(live, email)
    put(
        live,
        phone,
        f"/api/v1/me/episodes/{newest}/position",
        {"position_ms": 3000, "device_id": "phone"},
    )

    page: Page = new_page(PHONE)
    log_in(page, live, email)
    page.goto(f"/show/{show['show']}")
    page.get_by_role("button", name="Play Fifth").click()
    wait_bar_playing(page, "Fifth", past_s=3.0)  # from where the phone stopped, not from 0
    bar = page.locator("#player-bar")
    expect(bar.locator(".np-artists")).to_have_text("Bar Talk")
    expect(bar.locator(".np-art img")).to_have_attribute("src", re.compile(r"/api/v1/images/"))

    bar.get_by_label("Playback speed").select_option("2")
    assert page.evaluate("document.querySelector('audio.episode-audio').playbackRate") == 2
    bar.get_by_label("Sleep timer").select_option("15")
    assert page.evaluate("window.cadenzaEpisodes.sleepText()") == "Stops in 15 min"
    bar.get_by_label("Playback speed").select_option("1")

    # Chapters in the now-playing view: the second one skipped to and marked.
    page.get_by_role("button", name="Now playing view").click()
    view = page.get_by_role("dialog", name="Now playing")
    expect(view.get_by_role("heading", name="Fifth")).to_be_visible()
    view.get_by_role("button", name="0:05 Goodbye").click()
    page.wait_for_function("() => document.querySelector('audio.episode-audio').currentTime >= 5")
    expect(view.get_by_role("button", name="0:05 Goodbye")).to_have_attribute(
        "aria-current", "true"
    )
    shoot(page, "episode-in-the-bar")
    view.get_by_role("button", name="Close now playing").click()

    with page.expect_response(  # pausing saves where it stopped
        lambda r: r.url.endswith("/position") and r.request.method == "PUT"
    ):
        bar.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_function("() => document.querySelector('audio.episode-audio').paused")
    stopped = bar_time(page) * 1000
    with urllib.request.urlopen(
        urllib.request.Request(
            f"{live.url}/api/v1/episodes/{newest}", headers={"Authorization": f"Bearer {phone}"}
        ),
        timeout=30,
    ) as answer:
        saved = json.loads(answer.read())["progress"]["position_ms"]
    assert abs(saved - stopped) < 300, (saved, stopped)

    # The phone goes back to 0:02: the paused bar moves there within seconds, and plays on from it.
    put(
        live,
        phone,
        f"/api/v1/me/episodes/{newest}/position",
        {"position_ms": 2000, "device_id": "phone"},
    )
    page.wait_for_function(
        "() => Math.abs(document.querySelector('audio.episode-audio').currentTime - 2) < 0.3"
    )
    bar.get_by_role("button", name="Play", exact=True).click()
    wait_bar_playing(page, "Fifth", past_s=2.0)
    assert bar_time(page) < 4.5
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_free_listener_skips_episodes_freely_and_hears_an_ad_only_between_two(
    new_page: Any, live: LiveServer, show: dict[str, Any]
) -> None:
    email = "free-episodes@test.cadenza.localhost"
    live.add_account(email, "free")
    page: Page = new_page(PHONE)
    log_in(page, live, email)
    page.goto(f"/show/{show['show']}")
    page.get_by_role("button", name="Play Fifth").click()
    wait_bar_playing(page, "Fifth")
    bar = page.locator("#player-bar")

    # Seeking anywhere, and skipping on and back, as often as the listener likes: no limit, no ad.
    seek_bar(page, 6000)
    page.wait_for_function("() => document.querySelector('audio.episode-audio').currentTime >= 6")
    seek_bar(page, 1000)
    page.wait_for_function("() => document.querySelector('audio.episode-audio').currentTime < 3")
    for title in ["Fourth", "Third", "Second"]:
        bar.get_by_role("button", name="Next", exact=True).click()
        wait_bar_playing(page, title)
    for title in ["Third", "Fourth"]:
        bar.get_by_role("button", name="Previous", exact=True).click()
        wait_bar_playing(page, title)
    bar.get_by_role("button", name="Next", exact=True).click()  # 6 skips: Free's hourly limit
    wait_bar_playing(page, "Third")
    bar.get_by_role("button", name="Previous", exact=True).click()  # a 7th: no limit here
    wait_bar_playing(page, "Fourth")
    expect(page.get_by_role("region", name="Advertisement")).to_be_hidden()
    expect(bar.locator(".player-notice")).to_have_text("")

    # Three episodes heard to their end: the third's end brings the break, before the next.
    for title, after in [("Fourth", "Third"), ("Third", "Second")]:
        expect(bar.locator(".np-title")).to_have_text(title)
        seek_bar(page, 7000)
        wait_bar_playing(page, after)
    seek_bar(page, 7000)
    ad = page.get_by_role("region", name="Advertisement")
    expect(ad).to_be_visible(timeout=20_000)
    expect(bar.locator(".np-title")).to_have_text("Advertisement")
    ended = page.evaluate(
        "() => { const a = document.querySelector('audio.episode-audio');"
        " return {paused: a.paused, at: a.currentTime, of: a.duration, title: window.cadenzaEpisodes.current.title}; }"
    )
    assert ended["paused"] and ended["title"] == "Second"
    assert ended["at"] >= ended["of"] - 0.3, "the break came at the episode's end, not inside it"
    shoot(page, "episode-ad-break")
    page.evaluate("document.querySelector('audio[data-ad]').playbackRate = 8")
    wait_bar_playing(page, "First")
    expect(ad).to_be_hidden()
    assert page.errors == []  # type: ignore[attr-defined]


def test_another_page_pauses_seeks_and_speeds_up_the_episode_a_device_plays(
    new_page: Any, live: LiveServer, show: dict[str, Any]
) -> None:
    email = "remote-episodes@test.cadenza.localhost"
    live.add_account(email)
    laptop: Page = new_page()
    log_in(laptop, live, email)
    phone: Page = new_page(PHONE)
    log_in(phone, live, email)
    expect(laptop.locator("body[data-device-feed=open]")).to_have_count(1)  # it hears the phone
    phone.goto(f"/show/{show['show']}")
    phone.get_by_role("button", name="Play Fourth").click()
    wait_bar_playing(phone, "Fourth")

    bar = laptop.locator("#player-bar")
    expect(bar.locator(".np-title")).to_have_text("Fourth")
    expect(bar.locator(".episode-elsewhere")).to_contain_text("Playing on")
    expect(bar.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    assert laptop.evaluate("document.querySelector('audio.episode-audio')") is None  # silent here

    bar.get_by_role("button", name="Pause", exact=True).click()
    phone.wait_for_function("() => document.querySelector('audio.episode-audio').paused")
    expect(bar.get_by_role("button", name="Play", exact=True)).to_be_visible()
    bar.get_by_label("Playback speed").select_option("2")
    phone.wait_for_function(
        "() => document.querySelector('audio.episode-audio').playbackRate === 2"
    )
    seek_bar(laptop, 6000)
    phone.wait_for_function(
        "() => Math.abs(document.querySelector('audio.episode-audio').currentTime - 6) < 0.3"
    )
    expect(bar.locator(".time").first).to_have_text("0:06")  # the phone's place, shown here
    expect(laptop.locator(".player-notice")).to_have_text("")  # every command went through
    shoot(laptop, "episode-remote")
    bar.get_by_role("button", name="Play", exact=True).click()
    wait_bar_playing(phone, "Fourth", past_s=6.0)
    assert phone.errors == [] and laptop.errors == []  # type: ignore[attr-defined]
