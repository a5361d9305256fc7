"""Live audio rooms in Chromium with a fake microphone: a host opens a room and speaks, and a
listener's page plays non-silent samples; a listener who raises a hand and is invited on
stage speaks to the room; a removed (and blocked) listener's page is cut off and cannot
join again; an admin ends a reported room from the reports page, and its host publishes the
recording as an episode of their show in one click. Pages at phone width too."""

from __future__ import annotations

import base64
import os
import re
import socket
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS, log_in, shoot
from tests.browser.live import CHROMIUM, CHROMIUM_ARGS, LiveServer

# Only these tests' Chromium has a microphone: a fake one (a beep), allowed without asking.
MICROPHONE_ARGS = [
    *CHROMIUM_ARGS,
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
HEARD = 2400  # samples above the silence line: 0.1 s of the stage at 24 kHz


@pytest.fixture(scope="module")
def mic_browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=MICROPHONE_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def room_page(mic_browser: Browser, live: LiveServer) -> Iterator[Callable[..., Page]]:
    contexts = []

    def make(email: str, viewport: dict[str, int] = DESKTOP, roles: tuple[str, ...] = ()) -> Page:
        context = mic_browser.new_context(
            base_url=live.url,
            viewport=viewport,  # type: ignore[arg-type]
            permissions=["microphone"],
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors  # type: ignore[attr-defined]
        log_in(page, live, live.add_account(email, "premium_individual", *roles))
        return page

    yield make
    for context in contexts:
        context.close()


def open_room(host: Page, title: str) -> str:
    """The host opens a room from the Live shelf's "Start a room": its page's path."""
    host.goto("/")
    host.get_by_role("region", name="Live").get_by_role(
        "link", name=re.compile("Start a room")
    ).click()
    host.get_by_label("Title").fill(title)
    host.get_by_label("Topics").fill("jazz, vinyl")
    host.get_by_role("button", name="Open the room").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    expect(host.locator(".room-status")).to_contain_text("on stage")
    return urlparse(host.url).path


def heard(page: Page) -> int:
    return int(page.evaluate("() => window.cadenzaRoom ? window.cadenzaRoom.audio.loud : 0"))


def wait_heard(page: Page, more_than: int) -> None:
    page.wait_for_function(
        "n => window.cadenzaRoom && window.cadenzaRoom.audio.loud > n", arg=more_than
    )


def join_from_shelf(page: Page, title: str) -> None:
    page.goto("/")
    page.get_by_role("region", name="Live").get_by_role("link", name=re.compile(title)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.wait_for_function("() => window.cadenzaRoom && window.cadenzaRoom.role === 'listener'")


def test_a_speakers_voice_reaches_a_listeners_page(room_page: Callable[..., Page]) -> None:
    host = room_page("room-host@test.cadenza.localhost")
    path = open_room(host, "Morning coffee talk")
    ear = room_page("room-ear@test.cadenza.localhost", PHONE)
    join_from_shelf(ear, "Morning coffee talk")
    wait_heard(ear, HEARD)  # the host's microphone, played in the listener's page
    expect(ear.get_by_role("list", name="Stage")).to_contain_text("Host")
    stats = ear.evaluate("() => window.cadenzaRoom")
    assert stats["codec"] == "opus"  # WebCodecs decodes the stage: a tenth of PCM's bytes
    assert stats["audio"]["decoded"] > 10 and stats["audio"]["decodeErrors"] == 0
    assert stats["framesSent"] == 0  # a listener's microphone is never opened
    assert host.evaluate("() => window.cadenzaRoom.framesSent") > 25
    if host.evaluate("typeof AudioEncoder !== 'undefined'"):  # the voice went up as Opus
        spoke = host.evaluate("() => window.cadenzaRoom")
        assert spoke["send"] == "opus" and spoke["audio"]["encodeErrors"] == 0
        assert spoke["audio"]["encoded"] >= spoke["framesSent"] > 25
    assert not ear.errors and not host.errors  # type: ignore[attr-defined]
    shoot(ear, "room-listener")
    assert path.startswith("/room/")


# An Opus encoder that breaks after `after` frames, as a real one may mid-room (a GPU or
# codec fault): it closes and calls its error callback, as WebCodecs does.
BREAKING_ENCODER = """
(() => {
  if (typeof AudioEncoder === "undefined") return;
  const Real = AudioEncoder;
  window.AudioEncoder = class extends Real {
    constructor(init) {
      super(init);
      this.broken = init.error;
      this.frames = 0;
    }
    encode(data) {
      if (++this.frames === 40) {
        this.close();
        this.broken(new DOMException("the encoder broke", "EncodingError"));
        return;
      }
      super.encode(data);
    }
  };
})();
"""


def test_a_speaker_whose_opus_encoder_breaks_goes_on_as_pcm(
    room_page: Callable[..., Page],
) -> None:
    host = room_page("room-breaks@test.cadenza.localhost")
    # Debian's Chromium (the one `make test` installs) has WebCodecs: speakers send Opus.
    assert host.evaluate("typeof AudioEncoder !== 'undefined'")
    host.add_init_script(BREAKING_ENCODER)
    open_room(host, "Broken encoder hour")
    host.wait_for_function("() => window.cadenzaRoom.audio.encodeErrors > 0")
    # The page joined again asking to send PCM (never PCM on the socket granted Opus) ...
    host.wait_for_function("() => window.cadenzaRoom.send === 'pcm'")
    assert host.evaluate("() => window.cadenzaRoom.rejoins") == 1
    expect(host.locator(".room-status")).to_contain_text("on stage")  # still the host, on stage
    # ... and the room still hears the host.
    ear = room_page("room-breaks-ear@test.cadenza.localhost", PHONE)
    join_from_shelf(ear, "Broken encoder hour")
    wait_heard(ear, HEARD)
    assert not ear.errors and not host.errors  # type: ignore[attr-defined]


def test_the_room_socket_answers_a_deflate_offer_without_compression(
    room_page: Callable[..., Page], live: LiveServer
) -> None:
    """Browsers offer permessage-deflate on every WebSocket; the stage is Opus, compressed
    already, and the same packet goes to every listener: `cadenza serve` takes no deflate, and
    the page's socket says so (`extensions` empty)."""
    host = room_page("deflate-host@test.cadenza.localhost")
    path = open_room(host, "No deflate here")
    room_id = path.rsplit("/", 1)[1]
    host.wait_for_function("() => window.cadenzaRoom.joined === true")
    assert host.evaluate("() => window.cadenzaRoom.extensions") == ""  # Chromium offered it
    socket_url = host.evaluate(
        """async (id) => {
          const { api } = await import("/static/js/api.js");
          return (await api.post(`/api/v1/rooms/${id}/ticket`)).socket_url;
        }""",
        room_id,
    )
    address = urlparse(live.url)
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((address.hostname, address.port), timeout=20) as raw:
        raw.sendall(
            (
                f"GET {socket_url}&codec=opus HTTP/1.1\r\nHost: {address.netloc}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            got = raw.recv(4096)
            assert got, answer
            answer += got
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.startswith("http/1.1 101"), head  # the socket was opened
    assert "sec-websocket-extensions" not in head and "deflate" not in head, head


def test_a_raised_hand_brought_on_stage_speaks(room_page: Callable[..., Page]) -> None:
    host = room_page("hands-host@test.cadenza.localhost")
    open_room(host, "Ask me anything")
    host.get_by_role("group", name="Your controls").get_by_role("button", name="Mute").click()
    expect(host.get_by_role("list", name="Stage")).to_contain_text("muted")
    guest = room_page("hands-guest@test.cadenza.localhost", PHONE)
    ear = room_page("hands-ear@test.cadenza.localhost")
    join_from_shelf(guest, "Ask me anything")
    join_from_shelf(ear, "Ask me anything")
    ear.wait_for_timeout(1500)  # what the host said before muting has played out
    before = heard(ear)
    guest.get_by_role("button", name="Raise hand").click()
    hands = host.get_by_role("list", name="Raised hands")
    expect(hands).to_contain_text("hands-guest")
    shoot(host, "room-host")
    hands.get_by_role("button", name="Invite to stage").click()
    expect(guest.locator(".room-status")).to_contain_text("on stage")
    guest.wait_for_function("() => window.cadenzaRoom.framesSent > 10")
    wait_heard(ear, before + HEARD)  # the guest's voice, since the host is muted
    expect(ear.get_by_role("list", name="Stage")).to_contain_text("hands-guest")


def test_a_removed_listener_is_cut_off_and_cannot_come_back(
    room_page: Callable[..., Page],
) -> None:
    host = room_page("block-host@test.cadenza.localhost")
    open_room(host, "House rules")
    pest = room_page("block-pest@test.cadenza.localhost")
    join_from_shelf(pest, "House rules")
    wait_heard(pest, HEARD)
    listeners = host.get_by_role("list", name="Listeners")
    expect(listeners).to_contain_text("block-pest")
    listeners.get_by_role("button", name="Block").click()
    expect(pest.locator(".room-status")).to_have_text(re.compile("removed from this room"))
    pest.wait_for_function("() => window.cadenzaRoom.removed === true")
    cut_at = heard(pest)
    pest.wait_for_timeout(1000)
    assert heard(pest) == cut_at  # nothing more plays
    expect(listeners).not_to_contain_text("block-pest")
    pest.reload()
    expect(pest.get_by_role("alert")).to_contain_text("removed from this room")


def test_an_admin_ends_a_reported_room_and_its_host_publishes_the_recording(
    room_page: Callable[..., Page],
) -> None:
    host = room_page("pub-host@test.cadenza.localhost", roles=("listener", "podcaster"))
    made = host.evaluate(
        """async () => {
          const { api } = await import("/static/js/api.js");
          return api.post("/api/v1/podcaster/shows", { title: "Night Talks", category: "Music" });
        }"""
    )
    assert made["title"] == "Night Talks"
    open_room(host, "Heated debate")
    ear = room_page("pub-ear@test.cadenza.localhost")
    join_from_shelf(ear, "Heated debate")
    wait_heard(ear, HEARD)
    ear.once("dialog", lambda dialog: dialog.accept("Shouting at listeners"))
    ear.get_by_role("button", name="Report room").click()
    expect(ear.locator("body")).to_contain_text("Reported")

    admin = room_page("pub-admin@test.cadenza.localhost", PHONE, roles=("listener", "admin"))
    admin.goto("/admin/rooms")
    reports = admin.get_by_role("list", name="Reports")
    expect(reports).to_contain_text("Shouting at listeners")
    expect(reports).to_contain_text("the room is live")
    shoot(admin, "room-reports")
    reports.get_by_role("button", name="End room").click()
    expect(reports).to_contain_text("the room is ended")
    expect(ear.locator(".room-status")).to_have_text(re.compile("This room has ended"))
    assert admin.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    host.reload()
    publish = host.get_by_role("region", name="Publish")
    expect(publish.get_by_label("Show")).to_contain_text("Night Talks")
    publish.get_by_role("button", name="Publish as episode").click()
    published = publish.get_by_role("status")
    # The request answers at once; the page says how far the ingest in the background is.
    expect(published).to_contain_text(
        re.compile(r"(Waiting for the ingest|Reading the recording|Measuring loudness).* \d+%")
    )
    expect(publish.get_by_role("progressbar", name="Publishing progress")).to_be_visible()
    expect(published).to_contain_text("Published: Heated debate", timeout=240_000)  # the ingest
    assert publish.get_by_role("progressbar").evaluate("bar => bar.value") == 1
    published.get_by_role("link", name="Heated debate").click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Heated debate")
    ear.reload()  # not the host: no publishing
    expect(ear.get_by_role("heading", name="Recording")).to_be_visible()
    expect(ear.get_by_role("region", name="Publish")).to_have_count(0)
