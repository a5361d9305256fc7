"""Made for you, in the browser: a listener who played a genre yesterday finds a Daily Mix of it
on Home, opens its page and plays it in the mix's own order; their Blend waits beside it."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, playing_track, shoot, wait_playing
from tests.browser.live import PASSWORD, LiveServer
from tests.e2e.test_listening import play
from tests.fixtures.releases import make_release

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LISTENER = "mixes@test.cadenza.localhost"


def call(live: LiveServer, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        live.url + path, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return json.loads(refused.read())


def signed_in(live: LiveServer, email: str) -> str:
    """An access token for `email`, answering the e-mailed code a new device is asked for."""
    form = {"email": email, "password": PASSWORD, "device_id": "mix-test", "device_name": "test"}
    seen = live.mails()
    answer = call(live, "/api/v1/auth/token", form)
    if "access_token" not in answer:
        assert answer["error"]["code"] == "email_code_required", answer
        code = live.mail_to(email, r"\b(\d{6})\b", seen=seen)
        answer = call(live, "/api/v1/auth/token", form | {"email_code": code})
    return str(answer["access_token"])


@pytest.fixture(scope="module")
def heard_yesterday(
    live: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[int], str]:
    """A 40-second-a-song release (long enough for counted plays), ingested into the live
    server's data, and a listener whose plays of it yesterday count: its track ids, and the
    listener's access token."""
    folder = make_release(
        tmp_path_factory.mktemp("mix") / "Long Songs",
        title="Long Songs",
        artist="The Mixers",
        upc="123456789555",  # apart from every other release the session's server holds
        isrc_prefix="QZMIX26",
        seconds=40.0,
        formats=("mp3", "mp3", "mp3"),
    )
    tracks = [int(t) for t in live.ingest(folder)["track_ids"]]
    live.add_account(LISTENER, "premium_individual")
    token = signed_in(live, LISTENER)
    start = datetime.now(UTC) - timedelta(days=1, hours=1)
    events = []
    for n, track in enumerate(tracks * 2):  # each song heard twice, 35 s a time
        events += play(track, f"mix-{n}", 35, start + timedelta(minutes=n))
    sent = live.import_listening(LISTENER, events)  # their past: imported history
    assert sent["rejected"] == [], sent
    return tracks, token


def test_a_daily_mix_of_what_was_played_waits_on_home_and_plays_in_its_order(
    new_page, live: LiveServer, heard_yesterday: tuple[list[int], str]
) -> None:
    tracks, token = heard_yesterday
    page = new_page()
    log_in(page, live, LISTENER)
    shelf = page.locator("section", has=page.get_by_role("heading", name="Made for you"))
    mix_card = shelf.get_by_role("link", name=re.compile(r"^Daily Mix 1"))
    expect(mix_card).to_be_visible()
    expect(mix_card).to_contain_text("The Mixers")
    shoot(page, "home-made-for-you")

    mix_card.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily Mix 1")
    rows = page.locator("main .track-list")
    for title in ("Song 1", "Song 2", "Song 3"):
        expect(rows).to_contain_text(title)
    shoot(page, "daily-mix")

    page.get_by_role("button", name="Play Daily Mix 1").click()
    wait_playing(page)
    request = urllib.request.Request(
        live.url + "/api/v1/me/daily-mixes/1", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        mix = [int(t["id"]) for t in json.loads(answer.read())["tracks"]]
    assert set(tracks) <= set(mix)  # what she played is in her mix
    assert playing_track(page) == mix[0]  # it plays in its own order, from its first song


def test_a_blend_waits_on_home_beside_the_daily_mix(
    new_page, live: LiveServer, heard_yesterday: tuple[list[int], str]
) -> None:
    _, token = heard_yesterday
    mate = live.add_account("mix-mate@test.cadenza.localhost")
    invite = call(live, "/api/v1/blends", {}, token)
    made = call(live, f"/api/v1/blend-invites/{invite['token']}", {}, signed_in(live, mate))
    assert "name" in made, made
    page = new_page()
    log_in(page, live, LISTENER)
    shelf = page.locator("section", has=page.get_by_role("heading", name="Made for you"))
    expect(shelf.get_by_role("link", name=re.compile(r"^Daily Mix 1"))).to_be_visible()
    blend = shelf.get_by_role("link", name=re.compile("^" + re.escape(made["name"])))
    expect(blend).to_contain_text(f"{made['match_score']}% match")
    blend.click()
    expect(page.locator("main h1")).to_have_text(made["name"])
    expect(page.locator("main .blend-from").first).to_be_visible()  # whose taste, per song
