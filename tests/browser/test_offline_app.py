"""The web player as an installable app: it starts with no network, a replayed track fetches no
audio, a release downloads (resumed after a killed connection, every chunk checked), the kept
file is ciphertext, downloads play with the network cut (the listening events sent once it is
back), a device that has not checked in for 30 days by the server's clock stops playing them
until it does (a rewritten licence or a clock put back changes nothing), a removed device's
downloads go at its check-in, and so do those of a listener whose Premium the operator ended
(the page says why), a playlist downloads every song and follows its changes, logging
out takes the downloads off the browser, and a new version of the player is offered, then
starts offline."""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.browser.conftest import DESKTOP, PHONE, log_in, shoot, wait_playing
from tests.browser.live import PASSWORD, LiveServer
from tests.browser.test_library_pages import operator

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

READ_CHUNKS = """async (trackId) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open("cadenza-offline"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const range = IDBKeyRange.bound([trackId, 0], [trackId, Infinity]);
  const rows = await new Promise((ok) => { const r = db.transaction("chunks").objectStore("chunks").getAll(range); r.onsuccess = () => ok(r.result); });
  const bytes = rows.flatMap((row) => Array.from(new Uint8Array(row.data)));
  let text = ""; for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""

OPENED = """async (trackId) => {
  const bytes = new Uint8Array(await (await fetch(`/offline-audio/${trackId}`)).arrayBuffer());
  let text = ""; for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""

STORED = """async ([store, key]) => {
  const db = await new Promise((ok) => { const r = indexedDB.open("cadenza-offline"); r.onsuccess = () => ok(r.result); });
  return new Promise((ok) => { const r = db.transaction(store).objectStore(store)[key === null ? "getAll" : "get"](key ?? undefined); r.onsuccess = () => ok(r.result); });
}"""

VERSION = """() => new Promise((ok) => {
  navigator.serviceWorker.addEventListener("message", (e) => e.data?.type === "version" && ok(e.data.version));
  navigator.serviceWorker.controller.postMessage({ type: "version" });
})"""

# The device's licence rewritten to run a year on (the signed licence is left as it was).
REWRITTEN = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open("cadenza-offline"); r.onsuccess = () => ok(r.result); });
  const store = () => db.transaction("meta", "readwrite").objectStore("meta");
  const held = await new Promise((ok) => { const r = store().get("device"); r.onsuccess = () => ok(r.result); });
  held.licence_expires_at = new Date(Date.now() + 365 * 86400000).toISOString();
  await new Promise((ok) => { const r = store().put(held, "device"); r.onsuccess = ok; });
}"""

# The page's own API client, with the page's session: what another of the listener's devices
# (or the listener in another tab) does meanwhile.
CALL = """([method, path, body]) => import("/static/js/api.js").then((m) => m.request(method, path, body ?? undefined))"""


def devices_of(live: LiveServer, email: str) -> Any:
    """The account's download devices, asked by the test itself (a new device: the e-mailed
    code answered)."""
    form = {"email": email, "password": PASSWORD, "device_id": "offline-test", "device_name": "t"}
    seen = live.mails()

    def token(body: dict[str, str]) -> Any:
        asked = urllib.request.Request(
            live.url + "/api/v1/auth/token",
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(asked, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            return json.loads(refused.read())

    got = token(form)
    if "access_token" not in got:
        got = token(form | {"email_code": live.mail_to(email, r"\b(\d{6})\b", seen=seen)})
    listed = urllib.request.Request(
        live.url + "/api/v1/me/offline/devices",
        headers={"authorization": f"Bearer {got['access_token']}"},
    )
    with urllib.request.urlopen(listed, timeout=30) as answer:
        return json.loads(answer.read())


def wait_true(page: Page, script: str, arg: Any = None, timeout_s: float = 30) -> None:
    """Until the async `script` answers true (page.wait_for_function takes a promise as a
    truthy answer at once: it does not wait for what the promise gives)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"never true: {script}"
        page.wait_for_timeout(100)  # a poll: nothing in the page tells when storage changed


def decoded_frames(path: Path, container: str) -> int:
    """Audio frames a decoder gets out of the file read as this container (0: it cannot)."""
    try:
        with av.open(str(path), format=container) as opened:
            return sum(1 for _ in opened.decode(audio=0))
    except (av.error.FFmpegError, ValueError, IndexError):
        return 0


def a_release(live: LiveServer) -> dict[str, Any]:
    release = live.get("/api/v1/browse/new-releases?country=US&limit=1")["items"][0]  # type: ignore[index]
    found: dict[str, Any] = live.get(f"/api/v1/releases/{release['id']}?country=US")  # type: ignore[assignment]
    return found


def signed_in_with_worker(
    new_page: Callable[..., Page],
    live: LiveServer,
    email: str,
    plan: str = "premium_individual",
    **size: Any,
) -> Page:
    live.add_account(email, plan)
    page = new_page(**size)
    log_in(page, live, email)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return page


def playing_url(page: Page, track_id: int) -> str:
    """The audio URL of the deck that plays `track_id` (the other deck may hold the next song,
    its grant asked ahead)."""
    page.wait_for_function(
        "id => window.cadenzaPlayer.deck.grant?.track_id === id && !window.cadenzaPlayer.deck.audio.paused",
        arg=track_id,
    )
    url: str = page.evaluate("window.cadenzaPlayer.deck.audio.src")
    return url


def test_the_player_is_installable_and_starts_with_no_network(new_page, live: LiveServer) -> None:
    page = signed_in_with_worker(new_page, live, "install@test.cadenza.localhost", viewport=PHONE)
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())"
    )
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Downloads")
    notice = page.locator("#offline-notice")
    expect(notice).to_contain_text("You're offline")
    expect(notice).to_contain_text("Search, browsing, radio and mixes")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the offline page fits 390 px"
    shoot(page, "offline-start")
    page.context.set_offline(False)
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_replayed_track_fetches_no_audio_bytes(new_page, live: LiveServer) -> None:
    page = signed_in_with_worker(new_page, live, "replay@test.cadenza.localhost")
    release = a_release(live)
    track = release["tracks"][0]
    from_network: list[str] = []  # audio the service worker asked the server for

    def seen(request: Request) -> None:
        if "/api/v1/audio/" in request.url and request.service_worker is not None:
            from_network.append(request.url)

    page.context.on("request", seen)
    page.goto(f"/release/{release['id']}")
    play = page.locator(".track-list").get_by_role("button", name=f"Play {track['title']}")
    play.click()
    wait_playing(page, past_s=0.5)
    assert from_network, "the first play fetches the file (and the test sees the worker's fetch)"
    first_url = playing_url(page, track["id"])
    wait_true(  # kept (the song after it may be kept too: the player asks ahead)
        page,
        "u => caches.open('cadenza-audio-v1').then((c) => c.keys())"
        ".then((k) => k.some((r) => r.url === u.split('?')[0]))",
        first_url,
    )
    other = release["tracks"][1]
    page.locator(".track-list").get_by_role("button", name=f"Play {other['title']}").click()
    wait_playing(page, past_s=1.2)  # a later grant: another expiry in the URL
    from_network.clear()
    play.click()
    wait_playing(page, past_s=0.5)
    replay_url = playing_url(page, track["id"])
    assert replay_url != first_url, "a new grant"
    assert replay_url.split("?")[0] == first_url.split("?")[0], "the same content address"
    # A seek is a range request, answered from the kept file too, with its ETag.
    answer = page.evaluate(
        """async (url) => { const r = await fetch(url, { headers: { range: 'bytes=100-199' } });
        return [r.status, r.headers.get('content-range'), r.headers.get('etag'), (await r.arrayBuffer()).byteLength]; }""",
        replay_url,
    )
    assert answer[0] == 206 and answer[1].startswith("bytes 100-199/") and answer[3] == 100
    assert answer[2] == f'"{replay_url.split("/audio/")[1].split(".")[0]}"'
    page.evaluate("document.querySelector('audio[data-active]').currentTime = 4")
    wait_playing(page, past_s=4.3)
    # (The song after the other one may have been fetched meanwhile: the player asks ahead.)
    assert [u for u in from_network if u.split("?")[0] == first_url.split("?")[0]] == []
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_download_resumes_stays_sealed_and_plays_offline(
    new_page, live: LiveServer, tmp_path: Path
) -> None:
    page = signed_in_with_worker(new_page, live, "offline@test.cadenza.localhost")
    release = a_release(live)
    chunks: list[tuple[str, str]] = []  # the file and range asked for, in order
    killed: list[tuple[str, str]] = []

    def kill_the_third(route: Route) -> None:
        asked = route.request.headers.get("range")
        if asked:
            chunks.append((route.request.url, asked))
            if len(chunks) == 3 and not killed:
                killed.append(chunks[-1])
                route.abort("connectionreset")
                return
        route.continue_()

    page.context.route(re.compile(r"/api/v1/downloads/[^/]+$"), kill_the_third)
    page.goto(f"/release/{release['id']}")
    switch = page.get_by_role("switch", name="Download")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    songs = len(release["tracks"])
    expect(page.locator(".download-status")).to_have_text(
        f"Downloaded: {songs} songs", timeout=90_000
    )
    assert killed, "the connection was killed mid-download"
    page.set_viewport_size(PHONE)  # the switch and its progress fit a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "release-downloaded")
    # Resumed at the chunk that failed: it alone was asked for twice.
    assert chunks.count(killed[0]) == 2
    assert len(chunks) == len(set(chunks)) + 1

    # What the browser keeps is ciphertext: copied out, it does not decode.
    first = release["tracks"][0]["id"]
    kept = base64.b64decode(page.evaluate(READ_CHUNKS, first))
    assert len(kept) > 10_000
    assert kept[:4] not in (b"OggS", b"fLaC")
    copied = tmp_path / "copied"
    copied.write_bytes(kept)
    assert decoded_frames(copied, "ogg") == decoded_frames(copied, "flac") == 0
    # Inside Cadenza the same chunks open (through the service worker) and decode.
    plain = base64.b64decode(page.evaluate(OPENED, first))
    assert len(kept) == len(plain) + 16 * -(-len(plain) // (256 * 1024))  # a GCM tag a chunk
    opened = tmp_path / "opened"
    opened.write_bytes(plain)
    assert decoded_frames(opened, "ogg" if plain[:4] == b"OggS" else "flac") > 10

    # The network goes: the downloads page still opens, and a downloaded song plays.
    page.get_by_role("link", name="Downloads").first.click()
    expect(page.get_by_text("This device keeps")).to_contain_text(f"{songs} of 10,000 songs")
    expect(page.get_by_text("devices keep downloads")).to_have_text(
        "1 of 5 devices keep downloads."
    )
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Downloads")
    expect(page.locator(".offline-missing")).to_contain_text("Search, browsing")
    page.get_by_role("button", name=f"Play {release['title']}").click()
    wait_playing(page, past_s=1.5)
    assert "/offline-audio/" in page.evaluate("document.querySelector('audio[data-active]').src")
    wait_true(page, f"() => ({STORED})(['events', null]).then((e) => e.length >= 1)")
    kept_events = page.evaluate(STORED, ["events", None])
    held = page.evaluate(STORED, ["meta", "device"])
    assert {e["device"] for e in kept_events} == {str(held["id"])}, "plays of a download device"
    # Offline, Next goes down the release, and Shuffle reorders what is left.
    order = [t["id"] for t in release["tracks"]]
    bar = page.locator("#player-bar")
    bar.get_by_role("button", name="Next").click()
    page.wait_for_function("id => window.cadenzaPlayer.state.track_id === id", arg=order[1])
    bar.get_by_role("button", name="Shuffle").click()
    expect(bar.get_by_role("button", name="Shuffle")).to_have_attribute("aria-pressed", "true")
    queued = page.evaluate("window.cadenzaPlayer.offline.queue.map((t) => t.track_id)")
    assert queued[0] == order[1] and sorted(queued[1:]) == sorted(set(order) - {order[1]})
    page.locator("#player-bar").get_by_role("button", name="Pause").click()  # kept too
    page.wait_for_function("() => document.querySelector('audio[data-active]').paused")

    # Back online: the kept events go to the server, each once.
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/me/player/events") and r.request.method == "POST"
    ) as sent:
        page.context.set_offline(False)
    assert sent.value.json()["accepted"] >= 1
    wait_true(page, f"() => ({STORED})(['events', null]).then((e) => e.length === 0)")

    # 30 days without a check-in, as the server's clock says: the page checks in while the
    # server's clock stands 31 days back, so the licence it gets ended yesterday.
    live.move_clock(-timedelta(days=31))
    try:
        page.reload()  # online: it checks in
        wait_true(
            page,
            f"() => ({STORED})(['meta', 'device']).then((d) => Date.parse(d.licence_expires_at) < Date.now())",
        )
        page.context.set_offline(True)  # and has been offline since
    finally:
        live.move_clock(timedelta(0))
    page.reload()
    expect(page.locator(".licence-problem")).to_contain_text("has not checked in for 30 days")
    page.get_by_role("button", name=f"Play {release['title']}").click()
    expect(page.locator("main .in-place-notice")).to_contain_text("check in")
    refused = page.evaluate(f"fetch('/offline-audio/{first}').then((r) => r.status)")
    assert refused == 403
    # The licence's end rewritten in the browser's storage: the signed one still decides.
    page.evaluate(REWRITTEN)
    assert page.evaluate(f"fetch('/offline-audio/{first}').then((r) => r.status)") == 403
    # The device's clock put two days back (before the licence's end) brings nothing back:
    # the page holds the licence against the latest time it has seen.
    page.clock.set_fixed_time(datetime.now(UTC) - timedelta(days=2))
    page.reload()
    assert page.evaluate("Date.now()") < (datetime.now(UTC) - timedelta(days=1)).timestamp() * 1000
    expect(page.locator(".licence-problem")).to_contain_text("has not checked in for 30 days")
    page.get_by_role("button", name=f"Play {release['title']}").click()
    expect(page.locator("main .in-place-notice")).to_contain_text("check in")
    page.clock.set_fixed_time(datetime.now(UTC))
    page.context.set_offline(False)  # online again: the page checks in at once
    expect(page.locator(".licence-problem")).to_have_count(0)
    page.get_by_role("button", name=f"Play {release['title']}").click()
    wait_playing(page, past_s=0.5)
    shoot(page, "downloads")

    # The device is removed from another device: at its next check-in the page deletes the
    # sealed audio and the key.
    held = page.evaluate(STORED, ["meta", "device"])
    page.evaluate(CALL, ["DELETE", f"/api/v1/me/offline/devices/{held['id']}", None])
    page.reload()
    expect(page.get_by_text("Nothing downloaded yet")).to_be_visible()
    wait_true(page, f"() => ({STORED})(['meta', 'device']).then((d) => d === undefined)")
    assert page.evaluate(STORED, ["chunks", None]) == []
    assert page.evaluate(STORED, ["tracks", None]) == []
    assert page.errors == []  # type: ignore[attr-defined]


def test_downloads_go_when_the_operator_ends_premium_and_the_page_says_why(
    new_page, live: LiveServer
) -> None:
    email = "premium-ends@test.cadenza.localhost"
    page = signed_in_with_worker(new_page, live, email, "premium_student")
    release = a_release(live)
    page.goto(f"/release/{release['id']}")
    switch = page.get_by_role("switch", name="Download")
    switch.click()
    status = page.locator(".download-status")
    songs = len(release["tracks"])
    expect(status).to_have_text(f"Downloaded: {songs} songs", timeout=90_000)
    assert len(page.evaluate(STORED, ["tracks", None])) == songs

    # The operator ends the Premium by hand; the page, opened again, checks in.
    ended = operator(live, "users", "plan", email, "free")
    assert ended.strip() == f"{email}: premium_student -> free"
    page.set_viewport_size(PHONE)
    page.reload()
    notice = page.locator("#app-notice")
    # The plan that ended is named: a student's was Premium Student.
    expect(notice).to_contain_text(
        "Your downloads were removed because your Premium Student ended."
    )
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(status).to_have_text("Downloads come with Premium")
    wait_true(page, f"() => ({STORED})(['chunks', null]).then((c) => c.length === 0)")
    assert page.evaluate(STORED, ["tracks", None]) == []
    assert page.evaluate(STORED, ["collections", None]) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "downloads-removed")
    # The switch now offers Premium instead of downloading.
    switch.click()
    offer = status.get_by_role("link", name="Downloads come with Premium")
    expect(offer).to_have_attribute("href", "/account/plan")
    expect(switch).to_have_attribute("aria-checked", "false")
    assert page.evaluate(STORED, ["collections", None]) == []
    expect(notice.get_by_role("link", name="Get Premium")).to_have_attribute(
        "href", "/account/plan"
    )
    notice.get_by_role("button", name="Dismiss").click()
    expect(notice).to_be_hidden()
    page.get_by_role("link", name="Downloads").first.click()
    expect(page.get_by_text("Downloads come with Premium.")).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_downloaded_playlist_keeps_every_song_follows_its_changes_and_goes_at_logout(
    new_page, live: LiveServer
) -> None:
    page = signed_in_with_worker(new_page, live, "playlist-offline@test.cadenza.localhost")
    songs = [t["id"] for t in a_release(live)["tracks"]]
    # 101 places for the first song (the server pages a playlist 100 at a time), then two more.
    made = page.evaluate(CALL, ["POST", "/api/v1/me/playlists", {"name": "Long Drive"}])
    add = f"/api/v1/playlists/{made['id']}/tracks"
    page.evaluate(CALL, ["POST", add, {"track_ids": [songs[0]] * 100}])
    page.evaluate(CALL, ["POST", add, {"track_ids": [songs[0], songs[1], songs[2]]}])
    page.goto(f"/playlist/{made['id']}")
    switch = page.get_by_role("switch", name="Download")
    switch.click()
    status = page.locator(".download-status")
    expect(status).to_have_text("Downloaded: 3 songs", timeout=90_000)
    kept = page.evaluate(STORED, ["collections", f"playlist:{made['id']}"])
    assert sorted(kept["track_ids"]) == sorted(songs[:3])

    # On another device the listener removes the second song and adds a fourth: the page,
    # opened again, follows (the new song downloaded, the removed one deleted).
    page.evaluate(CALL, ["DELETE", add, {"tracks": [{"track_id": songs[1], "position": 101}]}])
    page.evaluate(CALL, ["POST", add, {"track_ids": [songs[3]]}])
    page.reload()
    wait_true(page, f"() => ({STORED})(['tracks', {songs[1]}]).then((t) => t === undefined)")
    kept = page.evaluate(STORED, ["collections", f"playlist:{made['id']}"])
    assert sorted(kept["track_ids"]) == sorted([songs[0], songs[2], songs[3]])
    wait_true(page, f"() => ({STORED})(['tracks', {songs[3]}]).then((t) => t?.complete)", None, 90)
    expect(status).to_have_text("Downloaded: 3 songs")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "playlist-downloaded")

    # Logging out takes the account's downloads off this browser: the sealed audio, the key,
    # the songs played; the download device is gone from the account's list too.
    page.get_by_role("link", name="Downloads").first.click()
    expect(page.get_by_role("button", name="Play Long Drive")).to_be_visible()
    page.get_by_role("button", name="Play Long Drive").click()
    wait_playing(page, past_s=0.3)
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    for store in ("tracks", "chunks", "collections", "played", "events"):
        assert page.evaluate(STORED, [store, None]) == [], store
    assert page.evaluate(STORED, ["meta", "device"]) is None
    assert page.evaluate("caches.has('cadenza-audio-v1')") is False
    assert devices_of(live, "playlist-offline@test.cadenza.localhost") == []
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_new_version_of_the_player_is_offered_and_then_starts_offline(
    new_page, live: LiveServer
) -> None:
    page = signed_in_with_worker(new_page, live, "new-version@test.cadenza.localhost")
    page.reload()  # a returning visit: the running worker is the old version
    old = page.evaluate(VERSION)
    live.new_shell("the next release")
    try:
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        notice = page.locator("#app-notice")
        expect(notice).to_contain_text("A new version of Cadenza is ready.")
        page.set_viewport_size(PHONE)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shoot(page, "update-offer")
        with page.expect_event("load"):
            notice.get_by_role("button", name="Reload").click()
        new = page.evaluate(VERSION)
        assert new != old
        wait_true(
            page,
            "v => caches.keys().then((k) => k.filter((n) => n.startsWith('cadenza-shell-')).join() === `cadenza-shell-${v}`)",
            new,
        )
        # The new shell starts the player with no network.
        page.context.set_offline(True)
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("Downloads")
        assert page.evaluate(VERSION) == new
        expect(page.locator("#app-notice")).to_be_hidden()
        page.context.set_offline(False)
    finally:
        live.new_shell("")
    assert page.errors == []  # type: ignore[attr-defined]
