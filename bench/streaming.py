"""Streaming: N listeners on loopback start a track and pull its audio in real time.

    python bench/streaming.py [--listeners 100,500,1000] [--seconds 16] [--ramp 10]
        [--chunk 65536] [--bitrate-kbps 320] [--saturation-s 5] [--connections 64]
        [--workers CORES] [--play-s 4] [--play-connections 8] [--compare-src DIR]

1. Catalog (fresh data dir, SQLite): one release of three 45-second tracks of noise (so the
   320 kbit/s Opus tier really is about 320 kbit/s), ingested by the real pipeline; as many
   Premium listeners as the largest N, each with a live session and an access token, written
   through the project's own unit of work (one shared password hash: no login is measured).
2. Servers, all on this machine: `python -m cadenza serve --workers W` twice (one sending the
   bytes itself, one with CADENZA_ACCEL_REDIRECT=/protected-blobs/), sharing the local Redis
   (CADENZA_REDIS_URL, default redis://127.0.0.1:6379/0), and the same two with one process
   (`cadenza_1proc`, `accel_1proc`: the ratio shows what the workers buy); and Debian's nginx
   (installed with apt-get when /usr/sbin/nginx is missing) serving the blob dir as plain
   static files (the ceiling) and fronting the accel Cadenzas as in docs/nginx-accel.conf.
3. For each N and each setup, N listeners, one keep-alive connection each, start over the first
   `--ramp` seconds (N / ramp stream starts a second): `PUT /api/v1/me/player/play` (the answer
   carries the stream grant), then the grant's URL with `Range: bytes=0-65535`. Time to first
   byte is from sending the play command to the audio response's first byte. Then each listener
   pulls `--chunk` bytes per range request at the real-time rate (one chunk ahead of playback);
   a chunk that arrives after its audio was due to play is a stall. The nginx ceiling has no
   play command: its listeners start with the first range request.
   Range latency, bytes per second and server CPU are taken once every listener has started.
4. Play commands: `--play-connections` connections send `PUT /me/player/play` back to back
   (each connection for its own listeners) for `--play-s` seconds against Cadenza alone, no
   audio: commands per second, their latency, and the server's CPU per command (`play_cpu_ms`).
5. Saturation: `--connections` keep-alive connections ask for random 64 KiB ranges back to back
   for `--saturation-s` seconds against each setup: range requests per second, and the server's
   CPU per request. The ratios to nginx are the figures the issue asks for.

`--compare-src DIR` adds a setup, `cadenza_before`: the same server run from another checkout's
`src/` (e.g. `git archive BASE src | tar -x -C DIR`; same database schema), measured in the same
run as the others, in steps 3 and 4, for a before/after on one machine at one load.
bench/results/streaming.json is written only by a complete default run (all three N, no
`--compare-src`); any other run prints its figures and leaves the file alone.

The client (one asyncio process, raw HTTP/1.1) shares the machine's cores with the servers, so
every figure is a lower bound on what the servers alone would do; `load_before` and
`load_after` give the machine's load average around the run (other work on the machine shows).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the release fixtures

from tests.fixtures.audio import make_audio
from tests.fixtures.releases import make_release

from _results import write_results
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.plans import Plan
from cadenza.ingest.delivery import ingest_delivery
from cadenza.services.access_tokens import new_secret_token, token_hash

ACCEL_PREFIX = "/protected-blobs/"
NGINX = Path("/usr/sbin/nginx")
FIRST_CHUNK = 65536
TRACK_SECONDS = 45.0
TRACKS = 3
WARM_UP = 10  # listeners that start a track on each server before it is measured
DEFAULT_LISTENERS = "100,500,1000"


# -- setup ----------------------------------------------------------------------------------
def ensure_nginx() -> str:
    """Debian's nginx: installed with apt-get when missing (the bench runs as root)."""
    if not NGINX.exists():
        print("nginx is missing: apt-get install nginx ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"],
            check=True,
            env=env,
        )
        # The package starts its own nginx on port 80: not ours, and not wanted in the bench.
        subprocess.run(["service", "nginx", "stop"], check=False, capture_output=True)
    version = subprocess.run([str(NGINX), "-v"], capture_output=True, text=True, check=True)
    return version.stderr.strip().removeprefix("nginx version: ")


def raise_open_files() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@dataclass(frozen=True)
class Listener:
    account_id: int
    token: str
    track_id: int


@dataclass(frozen=True)
class Catalog:
    listeners: list[Listener]
    blob_paths: dict[int, str]  # track id -> its very_high file, relative to the blob dir
    very_high_bytes: int
    seed_s: float


def seed(settings: Settings, listeners: int, rng: random.Random) -> Catalog:
    start = time.perf_counter()
    app = bootstrap(settings)
    try:
        folder = settings.data_dir.parent / "release"
        samples = int(TRACK_SECONDS * 44100)
        noise = np.random.default_rng(7)
        signals = [0.25 * noise.standard_normal((2, samples)) for _ in range(TRACKS)]
        make_release(folder, formats=("flac",) * TRACKS, seconds=1.0)
        for n, path in enumerate(sorted(folder.glob("*.flac"))):
            tags = {
                "title": f"Song {n + 1}",
                "artists": ["The Testers"],
                "album": "Night Drive",
                "album_artists": ["The Testers"],
                "track_number": n + 1,
            }
            make_audio(path, "flac", signal=signals[n], tags=tags)
        released = ingest_delivery(
            app.ingest_tools(),
            folder,
            app.distributor_id("Bench"),
            limits=app.zip_limits,
            strict_cover=False,
        )
        track_ids, blobs = tracks_of(app, released.release_id)
        made = make_listeners(app, listeners, track_ids, rng)
        sizes = [app.blobs.path_of(b).stat().st_size for b in blobs]
        return Catalog(
            made,
            {t: app.blobs.relative_path(b) for t, b in zip(track_ids, blobs, strict=True)},
            min(sizes),
            time.perf_counter() - start,
        )
    finally:
        app.close()


def tracks_of(app: App, release_id: int) -> tuple[list[int], list[str]]:
    from cadenza.domain.audio import Quality
    from cadenza.domain.catalog import Viewer

    viewer = Viewer(country="GB", now=datetime.now(UTC))
    release = app.catalog.release(release_id, viewer)
    ids = [t.id for t in release.tracks]
    blobs = [app.catalog.playable(i, Quality.VERY_HIGH, viewer).blob for i in ids]
    return ids, blobs


def make_listeners(
    app: App, count: int, track_ids: list[int], rng: random.Random
) -> list[Listener]:
    """Premium accounts with a live session each, and an access token for it (1 hour)."""
    password_hash = app.hasher.hash(new_secret_token())
    now = datetime.now(UTC)
    expires = now + timedelta(hours=1)
    tokens = app.sessions.tokens
    made: list[Listener] = []
    with app.uow() as uow:
        for i in range(count):
            account_id = uow.accounts.add(
                f"listener{i:05d}@example.com",
                password_hash,
                f"Listener {i}",
                "GB",
                date(1990, 1, 1),
            )
            assert account_id is not None  # a fresh database
            uow.accounts.set_roles(account_id, ["listener"])
            uow.accounts.mark_verified(account_id, now)
            device = uow.sessions.save_device(
                account_id, token_hash(new_secret_token()), "Bench", "GB", now
            )
            creds = uow.accounts.credentials(account_id)
            assert creds is not None
            session_id = uow.sessions.start_session(
                account_id, device, token_hash(new_secret_token()), now, expires, creds.version
            )
            token = tokens.issue(account_id, session_id, expires)
            made.append(Listener(account_id, token, track_ids[i % len(track_ids)]))
        uow.commit()
    for listener in made:
        app.subscriptions.grant(listener.account_id, Plan.PREMIUM_INDIVIDUAL)
    rng.shuffle(made)
    return made


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, path: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(
                    f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode()
                )
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{proc.args!r} did not answer within 60 s")


class Processes:
    """The servers this bench started, stopped at the end (by their own ids)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def cadenza(
        self, data_dir: Path, name: str, extra_env: dict[str, str], workers: int = 1
    ) -> tuple[int, int]:
        port = free_port()
        env = dict(os.environ, CADENZA_DATA_DIR=str(data_dir), **extra_env)
        env["CADENZA_WORKERS"] = str(workers)
        for key in ("CADENZA_DATABASE_URL", "CADENZA_SMTP_URL", "CADENZA_ACCEL_REDIRECT"):
            if key not in extra_env:
                env.pop(key, None)
        if workers > 1:
            env.setdefault("CADENZA_REDIS_URL", "redis://127.0.0.1:6379/0")
            env["CADENZA_REDIS_PREFIX"] = f"bench-{name}-{os.getpid()}"
        else:
            env.pop("CADENZA_REDIS_URL", None)
        log = data_dir.parent / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "cadenza",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        wait_for(port, "/healthz", proc, log)
        return port, proc.pid

    def cadenza_baseline(self, data_dir: Path) -> tuple[int, int]:
        """Cadenza as uvicorn ran it before uvloop and httptools: asyncio's loop, h11."""
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")}
        env["CADENZA_DATA_DIR"] = str(data_dir)
        code = (
            "import uvicorn; from cadenza.api.app import create_app; "
            "from cadenza.bootstrap import bootstrap; "
            f"uvicorn.run(create_app(bootstrap()), host='127.0.0.1', port={port}, "
            "loop='asyncio', http='h11', log_level='info')"
        )
        log = data_dir.parent / "cadenza-h11.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-c", code], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.procs.append(proc)
        wait_for(port, "/healthz", proc, log)
        return port, proc.pid

    def nginx(
        self, root: Path, blob_dir: Path, accel_ports: list[int], workers: int
    ) -> tuple[list[int], int]:
        """nginx in front of each accel Cadenza (one port each; /blobs/ on all of them)."""
        ports = [free_port() for _ in accel_ports]
        (root / "nginx-tmp").mkdir(exist_ok=True)
        conf = root / "nginx.conf"
        conf.write_text(
            nginx_conf(root, blob_dir, list(zip(ports, accel_ports, strict=True)), workers)
        )
        log = root / "nginx-error.log"
        proc = subprocess.Popen(
            [str(NGINX), "-c", str(conf), "-p", str(root), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        wait_for(ports[0], "/healthz", proc, log)
        return ports, proc.pid

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT if "cadenza" in str(proc.args) else signal.SIGQUIT)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def nginx_conf(root: Path, blob_dir: Path, ports: list[tuple[int, int]], workers: int) -> str:
    """docs/nginx-accel.conf's setup, plus /blobs/: the same files with no Cadenza in the way;
    one server block per (nginx port, accel Cadenza port)."""
    user = "user root;" if os.geteuid() == 0 else ""
    temp = root / "nginx-tmp"
    servers = "\n".join(
        nginx_server(blob_dir, port, f"cadenza{n}", accel_port)
        for n, (port, accel_port) in enumerate(ports)
    )
    return f"""
{user}
worker_processes {workers};
worker_rlimit_nofile 65536;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 16384; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{servers}
}}
"""


def nginx_server(blob_dir: Path, port: int, upstream: str, accel_port: int) -> str:
    return f"""
    upstream {upstream} {{ server 127.0.0.1:{accel_port}; keepalive 256; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location = /healthz {{ return 200 "ok"; }}
        location /blobs/ {{ alias {blob_dir}/; }}
        location /api/ {{
            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
        location {ACCEL_PREFIX} {{
            internal;
            alias {blob_dir}/;
            add_header X-Cadenza-Gain-Db $upstream_http_x_cadenza_gain_db;
        }}
    }}
"""


# -- a small HTTP/1.1 client ----------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    head_at: float  # perf_counter when the status line and headers had arrived


class Connection:
    """One keep-alive HTTP/1.1 connection; Content-Length bodies only (all this bench gets)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", "Host: bench"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method in ("PUT", "POST"):
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        head_at = time.perf_counter()
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parsed = {}
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                parsed[k.strip().lower()] = v.strip()
        length = int(parsed.get("content-length", "0"))
        data = await self.reader.readexactly(length) if length else b""
        if parsed.get("connection", "").lower() == "close":
            self.close()
        return Answer(int(status_line.split(" ", 2)[1]), parsed, data, head_at)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# -- the listeners ---------------------------------------------------------------------------
@dataclass
class Setup:
    name: str
    port: int  # where listeners connect
    pids: list[int]  # whose CPU counts
    play: bool  # the play command first (Cadenza) or straight to the file (nginx)
    audio_path: Callable[[Listener, str], str]  # (listener, grant url) -> the path to range


@dataclass
class Run:
    ttfb: list[float] = field(default_factory=list)
    first_chunk: list[float] = field(default_factory=list)
    range_latency: list[float] = field(default_factory=list)
    started_at: list[float] = field(default_factory=list)
    bytes_in_window: int = 0
    ranges_in_window: int = 0
    stalls: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    headers_seen: dict[str, str] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def play_body(listener: Listener) -> bytes:
    return json.dumps({"track_ids": [listener.track_id], "quality": "very_high"}).encode()


async def listen(
    setup: Setup,
    listener: Listener,
    start_at: float,
    end_at: float,
    window: tuple[float, float],
    args: argparse.Namespace,
    size: int,
    run: Run,
) -> None:
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    conn = Connection(setup.port)
    rate = args.bitrate_kbps * 1000 / 8
    try:
        t0 = time.perf_counter()
        url = ""
        if setup.play:
            auth = {"Authorization": f"Bearer {listener.token}", "Content-Type": "application/json"}
            played = await conn.request("PUT", "/api/v1/me/player/play", auth, play_body(listener))
            if played.status != 200:
                run.error(f"play {played.status} {played.body[:80]!r}")
                return
            url = json.loads(played.body)["stream"]["url"]
        path = setup.audio_path(listener, url)
        first = await conn.request("GET", path, {"Range": f"bytes=0-{FIRST_CHUNK - 1}"})
        if first.status != 206 or len(first.body) != FIRST_CHUNK:
            run.error(f"first chunk {first.status} {len(first.body)} bytes")
            return
        now = time.perf_counter()
        run.ttfb.append(first.head_at - t0)
        run.first_chunk.append(now - t0)
        run.started_at.append(now)
        if not run.headers_seen:
            run.headers_seen = first.headers
        playing_from, have = now, FIRST_CHUNK
        while True:
            # One chunk ahead: ask for the next when the one before it starts playing.
            due = playing_from + (have - args.chunk) / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            asked = time.perf_counter()
            if asked >= end_at:
                return
            offset = have % size
            last = min(offset + args.chunk, size) - 1
            got = await conn.request("GET", path, {"Range": f"bytes={offset}-{last}"})
            done = time.perf_counter()
            if got.status != 206 or len(got.body) != last - offset + 1:
                run.error(f"range {got.status}")
                return
            if done > playing_from + have / rate:  # the audio before it has run out
                run.stalls += 1
            have += len(got.body)
            if window[0] <= asked < window[1]:
                run.range_latency.append(done - asked)
                run.ranges_in_window += 1
                run.bytes_in_window += len(got.body)
    except (OSError, asyncio.IncompleteReadError, ValueError, KeyError) as exc:
        run.error(type(exc).__name__)
    finally:
        conn.close()


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.Error:
            continue
    return total


async def load(
    setup: Setup, listeners: list[Listener], args: argparse.Namespace, size: int
) -> dict[str, float]:
    run = Run()
    begin = time.perf_counter() + 0.2
    ramp = args.ramp
    end = begin + args.seconds
    window = (begin + ramp + 0.5, end)
    starts = [begin + ramp * i / len(listeners) for i in range(len(listeners))]
    tasks = [
        asyncio.create_task(listen(setup, lis, at, end, window, args, size, run))
        for lis, at in zip(listeners, starts, strict=True)
    ]
    await asyncio.sleep(max(0.0, window[0] - time.perf_counter()))
    cpu0 = cpu_seconds(setup.pids)
    await asyncio.sleep(max(0.0, window[1] - time.perf_counter()))
    cpu1 = cpu_seconds(setup.pids)
    await asyncio.gather(*tasks)
    span = window[1] - window[0]
    n = len(listeners)
    started = len(run.started_at)
    row = {
        "listeners": float(n),
        "started": float(started),
        "ttfb_p50_ms": pct(run.ttfb, 50) * 1000,
        "ttfb_p99_ms": pct(run.ttfb, 99) * 1000,
        "first_64k_p50_ms": pct(run.first_chunk, 50) * 1000,
        "starts_per_s": started / (max(run.started_at) - min(run.started_at) or 1.0)
        if started > 1
        else 0.0,
        "range_p50_ms": pct(run.range_latency, 50) * 1000,
        "range_p99_ms": pct(run.range_latency, 99) * 1000,
        "range_rps": run.ranges_in_window / span,
        "mbytes_per_s": run.bytes_in_window / span / 1e6,
        "stalls": float(run.stalls),
        "errors": float(sum(run.errors.values())),
        "server_cpu_pct": (cpu1 - cpu0) / span * 100,
        "cpu_ms_per_listener_s": (cpu1 - cpu0) / span * 1000 / n,
    }
    if run.errors:
        print(f"  {setup.name} N={n}: errors {run.errors}", flush=True)
    row["_headers"] = run.headers_seen  # type: ignore[assignment]
    return row


async def warm_up(setup: Setup, listeners: list[Listener], size: int) -> None:
    """A few starts and ranges, not measured."""

    async def one(lis: Listener) -> None:
        conn = Connection(setup.port)
        try:
            url = ""
            if setup.play:
                auth = {
                    "Authorization": f"Bearer {lis.token}",
                    "Content-Type": "application/json",
                }
                played = await conn.request("PUT", "/api/v1/me/player/play", auth, play_body(lis))
                url = json.loads(played.body)["stream"]["url"]
            path = setup.audio_path(lis, url)
            for k in range(5):
                offset = (k * FIRST_CHUNK) % (size - FIRST_CHUNK)
                await conn.request("GET", path, {"Range": f"bytes={offset}-{offset + 9999}"})
        finally:
            conn.close()

    for _ in range(2):
        await asyncio.gather(*(one(lis) for lis in listeners))


async def play_commands(
    setup: Setup, listeners: list[Listener], args: argparse.Namespace
) -> dict[str, float]:
    """Back-to-back play commands (no audio) on `--play-connections` connections, each for its
    own listeners, so no two commands race for one listener's player."""
    k = args.play_connections
    stop_at = time.perf_counter() + args.play_s
    latency: list[float] = []
    errors: dict[str, int] = {}

    async def worker(mine: list[Listener]) -> None:
        conn = Connection(setup.port)
        n = 0
        try:
            while time.perf_counter() < stop_at:
                lis = mine[n % len(mine)]
                n += 1
                auth = {
                    "Authorization": f"Bearer {lis.token}",
                    "Content-Type": "application/json",
                }
                t0 = time.perf_counter()
                got = await conn.request("PUT", "/api/v1/me/player/play", auth, play_body(lis))
                if got.status == 200:
                    latency.append(time.perf_counter() - t0)
                else:
                    errors[str(got.status)] = errors.get(str(got.status), 0) + 1
        except (OSError, asyncio.IncompleteReadError) as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        finally:
            conn.close()

    cpu0 = cpu_seconds(setup.pids)
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(listeners[i::k]) for i in range(k)))
    span = time.perf_counter() - t0
    cpu = cpu_seconds(setup.pids) - cpu0
    if errors:
        print(f"  {setup.name} play commands: errors {errors}", flush=True)
    return {
        "plays_per_s": len(latency) / span,
        "play_p50_ms": pct(latency, 50) * 1000,
        "play_p99_ms": pct(latency, 99) * 1000,
        "errors": float(sum(errors.values())),
        "server_cpu_pct": cpu / span * 100,
        "play_cpu_ms": cpu / max(len(latency), 1) * 1000,
    }


async def saturate(
    setup: Setup, paths: list[str], args: argparse.Namespace, size: int
) -> dict[str, float]:
    """Back-to-back random 64 KiB ranges on `--connections` connections."""
    stop_at = time.perf_counter() + args.saturation_s
    counts = [0]
    errors = [0]
    rng = random.Random(11)

    async def worker(k: int) -> None:
        conn = Connection(setup.port)
        path = paths[k % len(paths)]
        try:
            while time.perf_counter() < stop_at:
                offset = rng.randrange(0, size - FIRST_CHUNK)
                got = await conn.request(
                    "GET", path, {"Range": f"bytes={offset}-{offset + FIRST_CHUNK - 1}"}
                )
                if got.status == 206 and len(got.body) == FIRST_CHUNK:
                    counts[0] += 1
                else:
                    errors[0] += 1
        except (OSError, asyncio.IncompleteReadError):
            errors[0] += 1
        finally:
            conn.close()

    cpu0 = cpu_seconds(setup.pids)
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(args.connections)))
    span = time.perf_counter() - t0
    cpu = cpu_seconds(setup.pids) - cpu0
    return {
        "rps": counts[0] / span,
        "errors": float(errors[0]),
        "server_cpu_pct": cpu / span * 100,
        "server_cpu_us_per_request": cpu / max(counts[0], 1) * 1e6,
    }


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


async def grant_urls(port: int, listeners: list[Listener]) -> list[str]:
    """A grant per track (the saturation phase's URLs), asked as a player would."""
    urls = []
    seen: set[int] = set()
    for lis in listeners:
        if lis.track_id in seen:
            continue
        seen.add(lis.track_id)
        conn = Connection(port)
        auth = {"Authorization": f"Bearer {lis.token}", "Content-Type": "application/json"}
        got = await conn.request(
            "POST",
            "/api/v1/me/player/stream-grants",
            auth,
            json.dumps({"track_id": lis.track_id, "quality": "very_high"}).encode(),
        )
        conn.close()
        urls.append(json.loads(got.body)["url"])
    return urls


# -- the run ---------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listeners", default=DEFAULT_LISTENERS)
    parser.add_argument("--seconds", type=float, default=16.0, help="each load run")
    parser.add_argument("--ramp", type=float, default=10.0, help="listeners start over this")
    parser.add_argument("--chunk", type=int, default=65536, help="bytes per range request")
    parser.add_argument("--bitrate-kbps", type=float, default=320.0)
    parser.add_argument("--saturation-s", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--workers",
        type=int,
        default=max(2, os.cpu_count() or 1),
        help="Cadenza's processes (serve --workers); the 1-process setups run beside them",
    )
    parser.add_argument("--play-s", type=float, default=4.0, help="the play-command phase")
    parser.add_argument("--play-connections", type=int, default=8)
    parser.add_argument(
        "--compare-src",
        type=Path,
        default=None,
        help="another checkout's src/ parent: measured too, as cadenza_before",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.listeners.split(",")]
    began = time.perf_counter()
    load_before = os.getloadavg()
    nginx_version = ensure_nginx()
    raise_open_files()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="cadenza-bench-streaming-"))
    root.chmod(0o755)
    data_dir = root / "var"
    settings = Settings(data_dir=data_dir, billing_interval_s=0)
    procs = Processes()
    try:
        catalog = seed(settings, max(counts), rng)
        print(f"seeded {len(catalog.listeners)} listeners in {catalog.seed_s:.1f} s", flush=True)
        accel_env = {"CADENZA_ACCEL_REDIRECT": ACCEL_PREFIX}
        direct = procs.cadenza(data_dir, "cadenza", {}, args.workers)
        direct_1 = procs.cadenza(data_dir, "cadenza-1proc", {})
        accel_port, accel_pid = procs.cadenza(data_dir, "cadenza-accel", accel_env, args.workers)
        accel_1_port, accel_1_pid = procs.cadenza(data_dir, "cadenza-accel-1proc", accel_env)
        nginx_ports, nginx_pid = procs.nginx(
            root, settings.blob_dir.resolve(), [accel_port, accel_1_port], args.nginx_workers
        )
        baseline = procs.cadenza_baseline(data_dir)
        servers = {
            "cadenza": direct,
            "cadenza_1proc": direct_1,
            "accel": (nginx_ports[0], accel_pid),
            "accel_1proc": (nginx_ports[1], accel_1_pid),
            "nginx": (nginx_ports[0], nginx_pid),
            "cadenza_h11": baseline,
        }
        if args.compare_src is not None:
            src = str((args.compare_src / "src").resolve())
            servers["cadenza_before"] = procs.cadenza(
                data_dir, "cadenza-before", {"PYTHONPATH": src}
            )
        figures = asyncio.run(measure(args, counts, catalog, servers))
    finally:
        procs.stop()
        shutil.rmtree(root, ignore_errors=True)
    load_after = os.getloadavg()
    figures["load_before"] = round(load_before[0], 2)
    figures["load_after"] = round(load_after[0], 2)
    figures["cores"] = os.cpu_count() or 0
    figures["nginx"] = nginx_version  # type: ignore[assignment]
    figures["bench_seconds"] = round(time.perf_counter() - began, 1)
    scalars = {k: v for k, v in figures.items() if not isinstance(v, dict)}
    complete = args.listeners == DEFAULT_LISTENERS and args.compare_src is None
    if not complete:  # the results file holds complete default runs only
        print(json.dumps(figures, indent=2))
        return
    out = write_results("streaming", scalars, NOTES)
    written = json.loads(out.read_text())
    written["figures"] = figures  # the per-N tables beside the headline figures
    out.write_text(json.dumps(written, indent=2) + "\n")


async def measure(
    args: argparse.Namespace,
    counts: list[int],
    catalog: Catalog,
    servers: dict[str, tuple[int, int]],
) -> dict[str, Any]:
    """`servers`: name -> (the port listeners use, the pid of the process that answers)."""
    size = catalog.very_high_bytes
    direct_port, direct_pid = servers["cadenza"]
    direct_1_port, direct_1_pid = servers["cadenza_1proc"]
    nginx_port, nginx_pid = servers["nginx"]
    accel_pid = servers["accel"][1]
    accel_1_port, accel_1_pid = servers["accel_1proc"]
    h11_port, h11_pid = servers["cadenza_h11"]
    setups = [
        Setup("cadenza", direct_port, [direct_pid], True, lambda _lis, url: url),
        Setup("cadenza_1proc", direct_1_port, [direct_1_pid], True, lambda _lis, url: url),
        Setup("accel", nginx_port, [nginx_pid, accel_pid], True, lambda _lis, url: url),
        Setup("accel_1proc", accel_1_port, [nginx_pid, accel_1_pid], True, lambda _l, url: url),
        Setup(
            "nginx",
            nginx_port,
            [nginx_pid],
            False,
            lambda lis, _url: "/blobs/" + catalog.blob_paths[lis.track_id],
        ),
    ]
    if "cadenza_before" in servers:
        before_port, before_pid = servers["cadenza_before"]
        setups.insert(
            1, Setup("cadenza_before", before_port, [before_pid], True, lambda _lis, url: url)
        )
    tables: dict[str, dict[str, dict[str, float]]] = {s.name: {} for s in setups}
    headers: dict[str, dict[str, str]] = {}
    for setup in setups:  # a fresh server's first requests compile queries, import modules
        await warm_up(setup, catalog.listeners[-WARM_UP:], size)
    for n in counts:
        for setup in setups:
            row = await load(setup, catalog.listeners[:n], args, size)
            headers.setdefault(setup.name, row.pop("_headers"))  # type: ignore[arg-type]
            tables[setup.name][str(n)] = {k: round(v, 3) for k, v in row.items()}
            print(
                f"{setup.name:8} N={n:5}: " + ", ".join(f"{k} {v:.1f}" for k, v in row.items()),
                flush=True,
            )
    plays = {
        s.name: await play_commands(s, catalog.listeners, args)
        for s in setups
        if s.name in ("cadenza", "cadenza_before")
    }
    for name, row in plays.items():
        print(f"play commands {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in row.items()))
    direct_urls = await grant_urls(direct_port, catalog.listeners)
    accel_urls = await grant_urls(nginx_port, catalog.listeners)
    direct_1_urls = await grant_urls(direct_1_port, catalog.listeners)
    accel_1_urls = await grant_urls(accel_1_port, catalog.listeners)
    blob_urls = ["/blobs/" + p for p in catalog.blob_paths.values()]
    h11 = Setup("cadenza_h11", h11_port, [h11_pid], True, lambda _lis, url: url)
    saturation = {
        "cadenza_h11_asyncio": await saturate(
            h11, await grant_urls(h11_port, catalog.listeners), args, size
        ),
        "cadenza": await saturate(setups[0], direct_urls, args, size),
        "cadenza_1proc": await saturate(setups[1], direct_1_urls, args, size),
        "accel": await saturate(setups[2], accel_urls, args, size),
        "accel_1proc": await saturate(setups[3], accel_1_urls, args, size),
        "nginx": await saturate(setups[4], blob_urls, args, size),
    }
    for name, row in saturation.items():
        print(
            f"saturation {name:8}: " + ", ".join(f"{k} {v:.1f}" for k, v in row.items()), flush=True
        )
    ceiling = saturation["nginx"]["rps"]
    at500 = tables["cadenza"].get("500") or tables["cadenza"][str(counts[0])]
    at500_1 = tables["cadenza_1proc"].get("500") or tables["cadenza_1proc"][str(counts[0])]
    at_most = tables["cadenza"][str(counts[-1])]
    at_most_1 = tables["cadenza_1proc"][str(counts[-1])]
    accel_headers = headers.get("accel", {})
    return {
        "workers": args.workers,
        "ttfb_p50_ms": at500["ttfb_p50_ms"],
        "ttfb_p99_ms": at500["ttfb_p99_ms"],
        "ttfb_p50_ms_1proc": at500_1["ttfb_p50_ms"],
        "ttfb_p99_ms_1proc": at500_1["ttfb_p99_ms"],
        f"ttfb_p50_ms_at_{counts[-1]}": at_most["ttfb_p50_ms"],
        f"ttfb_p50_ms_at_{counts[-1]}_1proc": at_most_1["ttfb_p50_ms"],
        "play_cpu_ms": round(plays["cadenza"]["play_cpu_ms"], 3),
        "range_rps_ratio_vs_nginx": round(saturation["cadenza"]["rps"] / ceiling, 3),
        "range_rps_ratio_vs_nginx_1proc": round(saturation["cadenza_1proc"]["rps"] / ceiling, 3),
        "accel_rps_ratio_vs_nginx": round(saturation["accel"]["rps"] / ceiling, 3),
        "accel_rps_ratio_vs_nginx_1proc": round(saturation["accel_1proc"]["rps"] / ceiling, 3),
        "range_cpu_ratio_vs_nginx": round(
            saturation["nginx"]["server_cpu_us_per_request"]
            / saturation["cadenza"]["server_cpu_us_per_request"],
            3,
        ),
        "accel_keeps_content_type_and_gain": (
            accel_headers.get("content-type") == "audio/ogg"
            and "x-cadenza-gain-db" in accel_headers
        ),
        "very_high_file_bytes": size,
        "accel_headers_seen": {
            k: v for k, v in accel_headers.items() if k not in ("date", "connection")
        },
        "per_n": tables,  # type: ignore[dict-item]
        "play_commands": {k: {m: round(v, 3) for m, v in r.items()} for k, r in plays.items()},
        "saturation": {k: {m: round(v, 1) for m, v in r.items()} for k, r in saturation.items()},
        "settings": {
            "seconds": args.seconds,
            "ramp_s": args.ramp,
            "chunk_bytes": args.chunk,
            "bitrate_kbps": args.bitrate_kbps,
            "saturation_s": args.saturation_s,
            "connections": args.connections,
            "nginx_workers": args.nginx_workers,
            "cadenza_workers": args.workers,
            "play_s": args.play_s,
            "play_connections": args.play_connections,
        },
    }


NOTES = {
    "workers": "Cadenza's processes (serve --workers) in the cadenza and accel setups",
    "ttfb_p50_ms": "500 listeners: play command sent -> first audio byte (goal < 10)",
    "ttfb_p99_ms": "500 listeners, same (goal < 50)",
    "ttfb_p50_ms_1proc": "the same with one Cadenza process",
    "play_cpu_ms": "server CPU per play command, commands back to back (no audio)",
    "range_rps_ratio_vs_nginx": "saturated 64 KiB ranges: Cadenza / nginx (goal >= 0.25)",
    "accel_rps_ratio_vs_nginx": "same through nginx + X-Accel-Redirect / plain nginx",
    "range_cpu_ratio_vs_nginx": "nginx CPU per range / Cadenza's (client-independent)",
    "accel_keeps_content_type_and_gain": "the accel answer reaching the client has both",
    "load_before": "1-minute load average before the run (machine shared)",
    "load_after": "and after",
}


if __name__ == "__main__":
    main()
