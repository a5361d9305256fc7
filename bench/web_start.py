"""Web player start-up: time from a click on play to the audio element's `playing` event.

    python bench/web_start.py [--plays 20]

A live server (loopback, the small demo catalog of the browser tests, SQLite) and Debian's
Chromium driven by Playwright. A Premium listener logs in and opens a release; each play
clicks a track's play button (a different track each time, cycling), which asks the server's
player API to play it, loads the granted audio and plays it through Web Audio. The time runs
from the click event to the `playing` event, both taken in the page (performance.now()). Between
plays the player is paused and the page rests for a moment. Compared with the 265 ms median
reported for Spotify's desktop client of the peer-to-peer era (Kreitz and Niemelä, 2010).
Client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the browser tests' server

from playwright.sync_api import sync_playwright
from tests.browser.live import CHROMIUM, CHROMIUM_ARGS, PASSWORD, start_server

from _results import write_results

SPOTIFY_P50_MS = 265.0
LISTEN = """() => {
  window.__starts = [];
  document.addEventListener('click', () => { window.__click = performance.now(); }, true);
  for (const a of document.querySelectorAll('audio[data-deck]')) {
    a.addEventListener('playing', () => {
      if (window.__click !== null) window.__starts.push(performance.now() - window.__click);
      window.__click = null;
    });
  }
}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plays", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        server = start_server(Path(work))
        try:
            samples = measure(server, args.plays)
        finally:
            server.stop()
    ordered = sorted(samples)
    figures = {
        "click_to_playing_p50_ms": round(statistics.median(samples), 1),
        "click_to_playing_p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 1),
        "click_to_playing_min_ms": round(ordered[0], 1),
        "click_to_playing_max_ms": round(ordered[-1], 1),
        "plays": len(samples),
        "spotify_p50_ms": SPOTIFY_P50_MS,
    }
    notes = {
        "click_to_playing_p50_ms": "median, click on a track's play button to the audio `playing` event",
        "click_to_playing_p90_ms": "90th percentile",
        "spotify_p50_ms": "Spotify's P2P-era client, median playback latency (2010)",
    }
    write_results("web_start", figures, notes)


def measure(server, plays: int) -> list[float]:  # type: ignore[no-untyped-def]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=server.url)
        page.set_default_timeout(20_000)
        email = "premium@demo.cadenza.localhost"
        seen = server.mails()
        page.goto("/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_label("The 6-digit code we e-mailed you").fill(
            server.mail_to(email, r"\b(\d{6})\b", seen=seen)
        )
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("region", name="New releases").wait_for()
        release = server.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]
        page.goto(f"/release/{release['id']}")
        buttons = page.locator(".track-list").get_by_role("button", name="Play ")
        buttons.first.wait_for()
        page.evaluate("window.cadenzaPlayer.ensureDecks()")
        page.evaluate(LISTEN)
        count = buttons.count()
        for i in range(plays):
            buttons.nth(i % count).click()
            page.wait_for_function("n => window.__starts.length >= n", arg=i + 1)
            page.get_by_role("button", name="Pause").click()
            time.sleep(0.3)
        samples: list[float] = page.evaluate("window.__starts")
        browser.close()
    return samples


if __name__ == "__main__":
    main()
