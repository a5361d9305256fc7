"""Cadenza on several processes sharing one Redis (CADENZA_REDIS_URL): a listener's devices
connected to different processes hear each other; rip detection adds up what every process
served; `serve --workers 2` behind one port does the background work once; and without Redis
several workers are refused. Real Redis (127.0.0.1:6379, or CADENZA_TEST_REDIS), real
processes."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx2
import psutil
import pytest
import redis
from fastapi.testclient import TestClient

from cadenza.adapters.blobs.local import LocalBlobStore
from cadenza.adapters.db.engine import make_engine
from cadenza.adapters.mail import read_outbox
from cadenza.api.app import create_app
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.live import EventStream, live_server, wait_until
from tests.e2e.test_admin import signed_in
from tests.e2e.test_offline import ShiftedClock
from tests.e2e.test_remote_control import device, opened_after, stream_url
from tests.e2e.test_rip_detection import every_file, flags
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

REDIS_URL = os.environ.get("CADENZA_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    redis.Redis.from_url(REDIS_URL).ping()  # Redis must be there: these tests never skip
    prefix = f"cadenza-test-{uuid.uuid4().hex[:8]}"  # parallel tests share the Redis
    return settings.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": prefix})


@pytest.fixture
def other(app: App) -> Iterator[App]:
    """A second server process's App over the same database, data dir and Redis."""
    second = bootstrap(app.settings, worker=True)
    second.shared_pool = app.shared_pool
    yield second
    second.close()


def test_devices_on_two_processes_hear_each_others_changes_and_commands(
    client: TestClient, app: App, other: App, premium: dict[str, str], published: int
) -> None:
    for each in (app, other):
        each.settings.player_stream_keepalive_s = 0.1
    phone, browser = device(client, premium, "Phone", "phone"), device(client, premium, "Browser")
    with live_server(app) as first, live_server(other) as second:
        on_first = httpx2.Client(base_url=first, headers=premium)
        on_second = httpx2.Client(base_url=second, headers=premium)
        with (
            EventStream(stream_url(client, premium, first, phone)) as on_phone,
            opened_after(on_phone, stream_url(client, premium, second, browser)) as on_browser,
        ):
            # The phone's process sees the browser connected to the other process.
            online = {d["name"]: d["is_online"] for d in devices_seen(on_phone)}
            assert online == {"Phone": True, "Browser": True}
            on_browser.next("devices")  # its own arrival: the last event before the test's own

            # Playing on the first process: the browser, on the second, hears the new state.
            played = on_first.put(
                "/api/v1/me/player/play",
                json={"context": {"kind": "release", "id": published}, "device": "Phone"},
            )
            assert played.status_code == 200
            heard = on_browser.next("state").data
            assert heard["playing"] is True and heard["track_id"] == played.json()["track_id"]
            assert heard["stream"]["url"] == played.json()["stream"]["url"]

            # The browser (second process) pauses the phone (connected to the first).
            paused = on_second.post(
                "/api/v1/me/player/commands",
                json={"device_id": phone, "command": "pause", "from_device_id": browser},
            )
            assert paused.status_code == 200
            phone_heard = [on_phone.next() for _ in range(2)]
            assert [e.kind for e in phone_heard] == ["state", "state"]  # played, then paused
            assert [e.data["playing"] for e in phone_heard] == [True, False]
            command = on_phone.next("command").data
            assert command["command"] == "pause" and command["from_device_id"] == browser
            # A command for the phone is not shown to the browser: the first command the browser
            # hears is one sent to it afterwards (a device hears events in the order sent).
            on_first.post(
                "/api/v1/me/player/commands",
                json={"device_id": browser, "command": "volume", "percent": 40},
            )
            heard = on_browser.until(lambda e: e.kind == "command")
            assert heard[-1].data["command"] == "volume"

            # Forgetting the phone on the second process ends its stream on the first.
            gone = on_second.delete(f"/api/v1/me/devices/{phone}")
            assert gone.status_code == 204, gone.text
            names = {d["name"] for d in devices_seen(on_browser)}
            assert names == {"Browser"}
        on_first.close()
        on_second.close()


def devices_seen(stream: EventStream) -> list[dict[str, object]]:
    found: list[dict[str, object]] = stream.next("devices").data["devices"]
    return found


@pytest.fixture
def rip_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"rip_window_s": 8.0, "rip_free_opening_s": 0.2, "rip_prefetch_allowance_s": 1.5}
    )


def test_rip_detection_adds_up_what_every_process_served(
    rip_settings: Settings, shared_workers: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = bootstrap(rip_settings), bootstrap(rip_settings, worker=True)
    clock = ShiftedClock()
    for each in (first, second):
        monkeypatch.setattr(each.clock, "now", clock.now)
    try:
        published = deliver(first, make_release(rip_settings.data_dir / "r")).release_id
        with TestClient(create_app(first)) as one, TestClient(create_app(second)) as two:
            admin = signed_in(one, first, "admin@example.org", Role.ADMIN, Role.LISTENER)
            ripper = sign_in(one, first, "ripper@example.org", Plan.PREMIUM_INDIVIDUAL)
            urls = every_file(one, published, ripper)
            statuses = []
            # 21 s of audio in about a second, every other file from the other process: each
            # served about 10 s, under the 11.5 s allowed; together they are well over.
            for number, url in enumerate(urls):
                statuses.append((one if number % 2 else two).get(url).status_code)
                clock.ahead += timedelta(seconds=0.075)
                for each in (first, second):  # as each process does a few times a second
                    each.rip_watch.flush()
            assert statuses[-2:] == [429, 429]
            [flag] = flags(one, admin)
            assert flag["audio_seconds"] > flag["allowed_seconds"]
            # Both processes throttle it, whichever flagged it; the admin suspends it on one,
            # and its grants stop at once on the other.
            assert one.get(urls[0]).status_code == two.get(urls[0]).status_code == 429
            assert one.post(f"/api/v1/admin/rip-flags/{flag['id']}/suspend", headers=admin)
            refused = wait_for(lambda: two.get(urls[1]).json().get("error", {}).get("code"))
            assert refused == "account_suspended"
    finally:
        second.close()
        first.close()


def wait_for(answer: object, want: str = "account_suspended", tries: int = 50) -> object:
    """The other process hears of it over Redis a moment later."""
    got: object = None
    for _ in range(tries):
        got = answer()  # type: ignore[operator]
        if got == want:
            return got
        time.sleep(0.05)
    return got


# -- `cadenza serve --workers 2`: real processes behind one port ------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RawEventStream:
    """An SSE stream on a plain socket, so the test knows its local port (and so the server
    process that holds it)."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.port = self.sock.getsockname()[1]
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        self.buffer = b""

    def next(self, kind: str, timeout: float = 10) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        pattern = re.compile(rb"event: (\w+)\ndata: (.*)\n")
        while True:
            for found in pattern.finditer(self.buffer):
                self.buffer = self.buffer[found.end() :]
                if found.group(1).decode() == kind:
                    data: dict[str, object] = json.loads(found.group(2))
                    return data
                break
            else:
                assert time.monotonic() < deadline, f"no {kind} event arrived"
                self.sock.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = self.sock.recv(65536)
                assert chunk, "the server closed the stream"
                self.buffer += chunk
                continue

    def close(self) -> None:
        self.sock.close()


def holder(server: psutil.Process, client_port: int) -> int | None:
    """The pid of the server process holding the connection from this local port."""
    for child in [server, *server.children(recursive=True)]:
        try:
            connections = child.net_connections(kind="tcp")
        except psutil.Error:
            continue
        if any(c.raddr and c.raddr.port == client_port for c in connections):
            return child.pid
    return None


@pytest.fixture
def two_workers(app: App) -> Iterator[tuple[str, int, psutil.Process]]:
    port = free_port()
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(app.settings.data_dir),
        "CADENZA_DATABASE_URL": app.settings.resolved_database_url,
        "CADENZA_DISTRIBUTOR_KEY": "test-distributor-key",
        "CADENZA_BILLING_INTERVAL_S": "0",
        "CADENZA_SEARCH_POPULARITY_INTERVAL_S": "0",
        "CADENZA_REDIS_URL": REDIS_URL,
        "CADENZA_REDIS_PREFIX": app.settings.redis_prefix,
        "CADENZA_PLAYER_STREAM_KEEPALIVE_S": "0.2",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "cadenza", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        yield base, port, psutil.Process(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@pytest.mark.slow  # starts `cadenza serve --workers 2`: about a minute
def test_two_workers_behind_one_port_share_devices_and_send_mail_once(
    client: TestClient,
    app: App,
    premium: dict[str, str],
    published: int,
    two_workers: tuple[str, int, psutil.Process],
) -> None:
    base, port, server = two_workers
    phone, browser = device(client, premium, "Phone", "phone"), device(client, premium, "Browser")
    http = httpx2.Client(base_url=base, headers=premium, timeout=30)

    def open_stream(device_id: str) -> RawEventStream:
        ticket = http.post("/api/v1/me/player/stream-ticket", json={"device_id": device_id})
        stream = RawEventStream(port, ticket.json()["url"])
        stream.next("state")
        return stream

    on_phone = open_stream(phone)
    phone_process = holder(server, on_phone.port)
    assert phone_process is not None and phone_process != server.pid
    # Reconnect the browser until the kernel hands it to the other worker process.
    for _ in range(40):
        on_browser = open_stream(browser)
        browser_process = holder(server, on_browser.port)
        if browser_process not in (None, phone_process):
            break
        on_browser.close()
    else:
        pytest.fail("the browser's stream never landed on the second worker process")
    try:
        played = http.put(
            "/api/v1/me/player/play",
            json={"context": {"kind": "release", "id": published}, "device": "Phone"},
        )
        assert played.status_code == 200
        while (state := on_browser.next("state"))["playing"] is not True:
            pass
        assert state["track_id"] == played.json()["track_id"]
        http.post(
            "/api/v1/me/player/commands",
            json={"device_id": phone, "command": "next", "from_device_id": browser},
        )
        command = on_phone.next("command")
        assert command["command"] == "next" and command["from_device_id"] == browser
    finally:
        on_phone.close()
        on_browser.close()

    # Account mail queued by a worker goes out from the one process doing background work:
    # once, not once per worker.
    app.accounts.create("ada@example.org", "a long and unusual listening phrase", roles=[])
    asked = http.post("/api/v1/auth/password-reset", json={"email": "ada@example.org"})
    assert asked.status_code in (200, 202)
    outbox = app.settings.data_dir / "outbox"

    def sent_to(address: str) -> list[str]:
        return [m["Subject"] for m in read_outbox(outbox) if m["To"] == address]

    wait_until(lambda: bool(sent_to("ada@example.org")), "the reset mail", timeout=60)
    # A later message, queued after the first went out, goes out too: delivery passes ran
    # after the first was sent, and none of them sent it again.
    app.accounts.create("bo@example.org", "a long and unusual listening phrase", roles=[])
    http.post("/api/v1/auth/password-reset", json={"email": "bo@example.org"})
    wait_until(lambda: bool(sent_to("bo@example.org")), "the second reset mail", timeout=60)
    assert app.outgoing_mail.deliver_due() == 0  # nothing is left due, in any process's view
    assert sent_to("ada@example.org") == ["Reset your Cadenza password"]
    http.close()


def test_several_workers_without_redis_are_refused_with_a_clear_message(app: App) -> None:
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(app.settings.data_dir),
        "CADENZA_DATABASE_URL": app.settings.resolved_database_url,
        "CADENZA_WORKERS": "3",
    }
    env.pop("CADENZA_REDIS_URL", None)
    ran = subprocess.run(
        [sys.executable, "-m", "cadenza", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 2
    assert "CADENZA_REDIS_URL" in ran.stderr and "--workers 1" in " ".join(ran.stderr.split())


def test_processes_starting_at_once_share_one_signing_key(settings: Settings) -> None:
    """Workers make the data dir's secrets on first use: they must all end up with the same
    one, or a token one process signed would be refused by another."""
    settings = settings.model_copy(update={"distributor_key": None})  # made on first use
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    apps = [App(settings=settings, shared_engine=engine, blobs=LocalBlobStore(settings.blob_dir))]
    apps += [App(settings=settings, shared_engine=engine, blobs=apps[0].blobs) for _ in range(15)]
    start = threading.Barrier(len(apps))

    def key_of(app: App) -> str:
        start.wait()
        return app.distributor_key

    with ThreadPoolExecutor(len(apps)) as pool:
        keys = set(pool.map(key_of, apps))
    engine.dispose()
    [key] = keys
    assert len(key) >= 40
    assert (settings.data_dir / "distributor.key").read_text().strip() == key
    assert [p.name for p in settings.data_dir.iterdir() if p.name.startswith(".")] == []


def test_cadenza_worker_delivers_mail_queued_by_servers_without_background_work(
    app: App,
) -> None:
    """An HTTP node with CADENZA_BACKGROUND=false queues the mail; `cadenza worker` sends it."""
    app.accounts.create("ada@example.org", "a long and unusual listening phrase", roles=[])
    app.passwords.request_reset("ada@example.org", "198.51.100.7")  # queued, not sent
    outbox = app.settings.data_dir / "outbox"
    assert not outbox.exists() or read_outbox(outbox) == []
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(app.settings.data_dir),
        "CADENZA_DATABASE_URL": app.settings.resolved_database_url,
        "CADENZA_BILLING_INTERVAL_S": "0",
        "CADENZA_SEARCH_POPULARITY_INTERVAL_S": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "cadenza", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            if outbox.exists() and read_outbox(outbox):
                break
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, errors = worker.communicate(timeout=30)
    assert worker.returncode == 0, errors
    sent = [(m["To"], m["Subject"]) for m in read_outbox(outbox)]
    assert sent == [("ada@example.org", "Reset your Cadenza password")]
