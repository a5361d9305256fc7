"""Browser tests: Debian's Chromium driven by Playwright against a live server on loopback.

They test the web player, not the database, so they run once (SQLite) and are not marked for
the PostgreSQL rerun. Each xdist worker that runs some of them starts one server for them (over
its own copy of the demo data) and one Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.live import CHROMIUM, CHROMIUM_ARGS, PASSWORD, LiveServer, start_server

SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# What a page waits for (actions, wait_for_function: the pages' default below) and what an
# expect() waits for are one deadline: Playwright's own 5 s for assertions failed tests on a
# loaded machine while the page was still on its way (a login's argon2 check, an ad break
# fetched after a song's last second), though nothing was wrong.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("web"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does it)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser, live: LiveServer) -> Iterator[object]:
    """Pages in fresh browser contexts (each its own device), closed after the test."""
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP) -> Page:
        context = browser.new_context(base_url=live.url, viewport=viewport)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []

        def page_error(e: Any) -> None:
            errors.append(str(e))
            print(f"page error: {e}\n{getattr(e, 'stack', '')}")  # shown when the test fails

        page.on("pageerror", page_error)
        page.errors = errors  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, live: LiveServer, email: str, password: str = PASSWORD) -> None:
    """Log in through the form; a new device answers with the e-mailed code, typed in next."""
    seen = live.mails()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    code_box = page.get_by_label("The 6-digit code we e-mailed you")
    code_box.wait_for()
    code_box.fill(live.mail_to(email, r"\b(\d{6})\b", seen=seen))
    page.get_by_role("button", name="Log in").click()
    # The first home page of a fresh server imports its route modules and the ORM on those
    # requests (the server starts without them): on a loaded test machine that alone can take
    # most of the usual wait.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Good (morning|afternoon|evening)"), timeout=2 * TIMEOUT_MS
    )


def shoot(page: Page, name: str) -> None:
    """The page at desktop and at phone width, for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size or DESKTOP
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png")
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png")
    page.set_viewport_size(size)


def audio_time(page: Page) -> float:
    return float(page.evaluate("document.querySelector('audio[data-active]').currentTime"))


def playing_track(page: Page) -> int | None:
    return page.evaluate("window.cadenzaPlayer.state && window.cadenzaPlayer.state.track_id")  # type: ignore[no-any-return]


def wait_playing(page: Page, past_s: float = 0.3) -> None:
    """The active audio element plays and has gone past `past_s` seconds."""
    try:
        page.wait_for_function(
            "s => { const a = document.querySelector('audio[data-active]');"
            " return a && !a.paused && a.currentTime > s; }",
            arg=past_s,
        )
    except PlaywrightTimeoutError:
        # What the page saw, so that a failure says why it did not play.
        seen = page.evaluate(
            "() => { const a = document.querySelector('audio[data-active]'), p = window.cadenzaPlayer;"
            " return { audio: a && { paused: a.paused, time: a.currentTime, ready: a.readyState,"
            " error: a.error && a.error.code, src: a.currentSrc.split('?')[0] },"
            " state: p && p.state, notice: p && p.notice, device: p && p.me() }; }"
        )
        raise AssertionError(f"not playing past {past_s} s: {seen}") from None
