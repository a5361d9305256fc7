"""Streaming: N listeners on loopback start a track and pull its audio in real time; then wrk
saturates each server with random 64 KiB ranges.

    python bench/streaming.py [--listeners 100,500,1000] [--seconds 16] [--ramp 10]
        [--chunk 65536] [--bitrate-kbps 320] [--saturation-s 10] [--connections 32]
        [--workers 2] [--play-s 4] [--play-connections 8] [--rounds 2] [--saturation-only]
        [--compare-src DIR]

1. Catalog (fresh data dir, SQLite): one release of three 45-second tracks of noise (so the
   320 kbit/s Opus tier really is about 320 kbit/s), ingested by the real pipeline; as many
   Premium listeners as the largest N, each with a live session and an access token, written
   through the project's own unit of work (one shared password hash: no login is measured).
2. Servers, all on this machine: `python -m cadenza serve --workers W` (uvicorn) sending the
   bytes itself, the same app under Granian with W processes (`cadenza_granian`), one with one
   process (`cadenza_1proc`), one with CADENZA_ACCEL_REDIRECT=/protected-blobs/ (`xaccel`),
   sharing the local Redis (CADENZA_REDIS_URL, default redis://127.0.0.1:6379/0); and Debian's
   nginx with one worker (installed with apt-get with wrk when missing): serving the blob dir as
   plain static files (`nginx`, the ceiling), in front of Cadenza checking the stream grants
   itself with `secure_link` and sending the file (`accel`, docs/nginx-accel.conf), and in front
   of the X-Accel-Redirect Cadenza (`xaccel`). Every Cadenza signs with one secret
   (CADENZA_STREAM_LINK_SECRET) that the nginx config holds too.
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
5. Saturation, driven by wrk (C; one thread, `--connections` keep-alive connections, a Lua
   script asking random 64 KiB ranges of fresh grant URLs) for `--saturation-s` seconds against
   each setup, in `--rounds` runs with the setups taking turns (a burst of other work on a
   shared machine falls on all of them): range requests per second, and the server's CPU per
   request. The ratios to nginx are the figures the issue asks for; a ratio above 1 against
   nginx means the bench is broken (the client, not the server, was the limit), and the run
   says so. Access logs are off on both sides (nginx's `access_log off`, CADENZA_ACCESS_LOG=
   false): a log line costs Cadenza about as much as answering the range.

`--compare-src DIR` adds a setup, `cadenza_before`: the same server run from another checkout's
`src/` (e.g. `git archive BASE src | tar -x -C DIR`; same database schema), measured in the same
run as the others, in steps 3, 4 and 5, for a before/after on one machine at one load (an older
checkout may not know CADENZA_ACCESS_LOG, and then logs every request). `--saturation-only`
runs step 5 alone.
bench/results/streaming.json is written only by a complete default run (all three N, no
`--compare-src`); any other run prints its figures and leaves the file alone.

The listeners' client (one asyncio process, raw HTTP/1.1) shares the machine's cores with the
servers, so the figures of steps 3 and 4 are lower bounds; `load_before` and `load_after` give
the machine's load average around the run (other work on the machine shows).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import secrets
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
WRK = Path("/usr/bin/wrk")
FIRST_CHUNK = 65536
TRACK_SECONDS = 45.0
TRACKS = 3
WARM_UP = 10  # listeners that start a track on each server before it is measured
DEFAULT_LISTENERS = "100,500,1000"


# -- setup ----------------------------------------------------------------------------------
def ensure_nginx() -> str:
    """Debian's nginx and wrk: installed with apt-get when missing (the bench runs as root)."""
    if not NGINX.exists() or not WRK.exists():
        print("nginx or wrk is missing: apt-get install nginx wrk ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx", "wrk"],
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
    deadline = time.monotonic() + 300  # a loaded machine starts servers slowly
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
    raise RuntimeError(f"{proc.args!r} did not answer within 300 s")


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
        env["CADENZA_ACCESS_LOG"] = "false"  # as nginx's access_log off: no line per request
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

    def granian(self, data_dir: Path, workers: int) -> tuple[int, int]:
        """The same app under Granian (Rust HTTP, the ASGI `http.response.pathsend`
        extension), `workers` processes with the background work off, as serve's workers."""
        port = free_port()
        env = dict(os.environ, CADENZA_DATA_DIR=str(data_dir))
        for key in ("CADENZA_DATABASE_URL", "CADENZA_SMTP_URL", "CADENZA_ACCEL_REDIRECT"):
            env.pop(key, None)
        env.setdefault("CADENZA_REDIS_URL", "redis://127.0.0.1:6379/0")
        env["CADENZA_REDIS_PREFIX"] = f"bench-granian-{os.getpid()}"
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory"]
        command += ["--workers", str(workers), "--loop", "uvloop", "--no-ws", "--log-level"]
        command += ["warning", "--host", "127.0.0.1", "--port", str(port)]
        log = data_dir.parent / "cadenza-granian.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [*command, "cadenza.api.app:create_worker_app"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        wait_for(port, "/healthz", proc, log)
        return port, proc.pid

    def nginx(
        self, root: Path, blob_dir: Path, upstreams: list[tuple[int, bool]], workers: int
    ) -> tuple[list[int], int]:
        """nginx in front of each Cadenza: (its port, nginx checks the grants itself); one
        port each, /blobs/ on all of them."""
        ports = [free_port() for _ in upstreams]
        (root / "nginx-tmp").mkdir(exist_ok=True)
        conf = root / "nginx.conf"
        servers = [(port, up, checks) for port, (up, checks) in zip(ports, upstreams, strict=True)]
        conf.write_text(nginx_conf(root, blob_dir, servers, workers))
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


def nginx_conf(
    root: Path, blob_dir: Path, servers: list[tuple[int, int, bool]], workers: int
) -> str:
    """docs/nginx-accel.conf's setup, plus /blobs/: the same files with no Cadenza in the way;
    one server block per (nginx port, Cadenza port, nginx checks the grants itself). No
    `tcp_nopush`: with sendfile it holds the last partial packet of each unaligned range back
    (about 40 ms a range)."""
    user = "user root;" if os.geteuid() == 0 else ""
    temp = root / "nginx-tmp"
    blocks = "\n".join(
        nginx_server(blob_dir, port, f"cadenza{n}", upstream, checks)
        for n, (port, upstream, checks) in enumerate(servers)
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
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{blocks}
}}
"""


def nginx_server(blob_dir: Path, port: int, upstream: str, cadenza: int, checks: bool) -> str:
    audio = secure_link_location(blob_dir, os.environ["CADENZA_STREAM_LINK_SECRET"])
    return f"""
    upstream {upstream} {{ server 127.0.0.1:{cadenza}; keepalive 256; }}
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
        {audio if checks else ""}
        location {ACCEL_PREFIX} {{
            internal;
            alias {blob_dir}/;
        }}
    }}
"""


def secure_link_location(blob_dir: Path, secret: str) -> str:
    """docs/nginx-accel.conf's grant check: nginx verifies the signature and expiry, then
    sends the blob the path names; Cadenza never sees the range request."""
    hexes = "(?<a>[0-9a-f]{2})(?<b>[0-9a-f]{2})(?<rest>[0-9a-f]{60})"
    return f"""
        location ~ "^/api/v1/audio/{hexes}\\.(opus|flac)$" {{
            secure_link $arg_sig,$arg_expires;
            secure_link_md5 "$secure_link_expires$uri$arg_play {secret}";
            if ($secure_link = "") {{ return 404; }}
            if ($secure_link = "0") {{ return 403; }}
            types {{ audio/ogg opus; audio/flac flac; }}
            add_header Cache-Control "private, max-age=86400";
            alias {blob_dir}/$a/$b/$a$b$rest;
        }}"""


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


WRK_SCRIPT = """
local paths = {%(paths)s}
local size = %(size)d
local chunk = %(chunk)d
math.randomseed(%(seed)d)
request = function()
  local offset = math.random(0, size - chunk)
  local path = paths[math.random(1, #paths)]
  local range = "bytes=" .. offset .. "-" .. (offset + chunk - 1)
  return wrk.format("GET", path, {["Range"] = range})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "bytes": %%d, "status_errors": %%d, ' ..
    '"socket_errors": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def saturate(
    setup: Setup, paths: list[str], args: argparse.Namespace, size: int, root: Path, seed: int
) -> dict[str, float]:
    """wrk, one thread, `--connections` keep-alive connections, random 64 KiB ranges of
    `paths` back to back for one round (`--saturation-s` / `--rounds` seconds): the totals."""
    script = root / f"ranges-{setup.name}.lua"
    quoted = ", ".join(json.dumps(p) for p in paths)
    script.write_text(
        WRK_SCRIPT % {"paths": quoted, "size": size, "chunk": FIRST_CHUNK, "seed": seed}
    )
    seconds = args.saturation_s / args.rounds
    command = [str(WRK), "-t1", f"-c{args.connections}", f"-d{seconds:g}s"]
    command += ["--latency", "-s", str(script), f"http://127.0.0.1:{setup.port}"]
    cpu0 = cpu_seconds(setup.pids)
    ran = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True)
    cpu = cpu_seconds(setup.pids) - cpu0
    line = next(x for x in ran.stdout.splitlines() if x.startswith("WRK "))
    got = json.loads(line.removeprefix("WRK "))
    return {
        "span_s": got["duration_us"] / 1e6,
        "ok": got["requests"] - got["status_errors"],
        "bytes": got["bytes"],
        "errors": float(got["status_errors"] + got["socket_errors"]),
        "p50_ms": got["p50_us"] / 1000,
        "p99_ms": got["p99_us"] / 1000,
        "cpu_s": cpu,
    }


def combined(rounds: list[dict[str, float]]) -> dict[str, float]:
    """A setup's rounds as one run: rates over their summed time, the worst p99."""
    span = sum(r["span_s"] for r in rounds)
    ok = sum(r["ok"] for r in rounds)
    cpu = sum(r["cpu_s"] for r in rounds)
    return {
        "rps": ok / span,
        "mbytes_per_s": sum(r["bytes"] for r in rounds) / span / 1e6,
        "errors": sum(r["errors"] for r in rounds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": max(r["p99_ms"] for r in rounds),
        "server_cpu_pct": cpu / span * 100,
        "server_cpu_us_per_request": cpu / max(ok, 1) * 1e6,
    }


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


async def grant_urls(port: int, listeners: list[Listener]) -> list[str]:
    """A grant per track (the saturation phase's URLs, valid a minute), asked as a player
    would: from a device its session registered."""
    urls = []
    seen: set[int] = set()
    for lis in listeners:
        if lis.track_id in seen:
            continue
        seen.add(lis.track_id)
        conn = Connection(port)
        auth = {"Authorization": f"Bearer {lis.token}", "Content-Type": "application/json"}
        device = await conn.request(
            "POST",
            "/api/v1/me/devices",
            auth,
            json.dumps({"name": "bench", "type": "web"}).encode(),
        )
        body = {"track_id": lis.track_id, "quality": "very_high"}
        body["device_id"] = json.loads(device.body)["id"]
        got = await conn.request(
            "POST", "/api/v1/me/player/stream-grants", auth, json.dumps(body).encode()
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
    parser.add_argument("--saturation-s", type=float, default=10.0, help="per setup, in all")
    parser.add_argument("--rounds", type=int, default=2, help="saturation runs per setup")
    parser.add_argument(
        "--saturation-only", action="store_true", help="step 5 alone (with --compare-src too)"
    )
    parser.add_argument("--connections", type=int, default=32, help="wrk's connections")
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="Cadenza's processes (serve --workers); the 1-process setup runs beside them",
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
    # One signing key for every Cadenza here and nginx's secure_link (never printed).
    os.environ["CADENZA_STREAM_LINK_SECRET"] = secrets.token_urlsafe(32)
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
        granian = procs.granian(data_dir, args.workers)
        xaccel_port, xaccel_pid = procs.cadenza(data_dir, "cadenza-xaccel", accel_env, args.workers)
        nginx_ports, nginx_pid = procs.nginx(
            root,
            settings.blob_dir.resolve(),
            [(direct[0], True), (xaccel_port, False)],
            args.nginx_workers,
        )
        servers = {
            "cadenza": direct,
            "cadenza_1proc": direct_1,
            "cadenza_granian": granian,
            "accel": (nginx_ports[0], direct[1]),
            "xaccel": (nginx_ports[1], xaccel_pid),
            "nginx": (nginx_ports[0], nginx_pid),
        }
        if args.compare_src is not None:
            src = str((args.compare_src / "src").resolve())
            servers["cadenza_before"] = procs.cadenza(
                data_dir, "cadenza-before", {"PYTHONPATH": src}, args.workers
            )
        figures = asyncio.run(measure(args, counts, catalog, servers, root))
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
    complete = (
        args.listeners == DEFAULT_LISTENERS
        and args.compare_src is None
        and not args.saturation_only
    )
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
    root: Path,
) -> dict[str, Any]:
    """`servers`: name -> (the port listeners use, the pid of the process that answers)."""
    size = catalog.very_high_bytes
    direct_port, direct_pid = servers["cadenza"]
    direct_1_port, direct_1_pid = servers["cadenza_1proc"]
    granian_port, granian_pid = servers["cadenza_granian"]
    nginx_port, nginx_pid = servers["nginx"]
    xaccel_port, xaccel_pid = servers["xaccel"]

    def url(_lis: Listener, granted: str) -> str:
        return granted

    setups = [
        Setup("cadenza", direct_port, [direct_pid], True, url),
        Setup("cadenza_1proc", direct_1_port, [direct_1_pid], True, url),
        Setup("accel", nginx_port, [nginx_pid], True, url),  # nginx checks, nginx sends
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
        setups.insert(1, Setup("cadenza_before", before_port, [before_pid], True, url))
    tables: dict[str, dict[str, dict[str, float]]] = {s.name: {} for s in setups}
    headers: dict[str, dict[str, str]] = {}
    for setup in setups:  # a fresh server's first requests compile queries, import modules
        await warm_up(setup, catalog.listeners[-WARM_UP:], size)
    if args.saturation_only:
        counts = []
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
        if s.name in ("cadenza", "cadenza_before") and not args.saturation_only
    }
    for name, row in plays.items():
        print(f"play commands {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in row.items()))
    # Saturation: the CPU that counts is the server's that answers the ranges (nginx alone
    # for `accel`: Cadenza never sees them).
    saturating = {
        "nginx": (Setup("nginx", nginx_port, [nginx_pid], False, url), None),
        "cadenza": (Setup("cadenza", direct_port, [direct_pid], True, url), direct_port),
        "cadenza_granian": (
            Setup("cadenza_granian", granian_port, [granian_pid], True, url),
            granian_port,
        ),
        "cadenza_1proc": (
            Setup("cadenza_1proc", direct_1_port, [direct_1_pid], True, url),
            direct_1_port,
        ),
        "accel": (Setup("accel", nginx_port, [nginx_pid], True, url), nginx_port),
        "xaccel": (
            Setup("xaccel", xaccel_port, [nginx_pid, xaccel_pid], True, url),
            xaccel_port,
        ),
    }
    if "cadenza_before" in servers:
        before_port, before_pid = servers["cadenza_before"]
        before = Setup("cadenza_before", before_port, [before_pid], True, url)
        saturating["cadenza_before"] = (before, before_port)
    blob_urls = ["/blobs/" + p for p in catalog.blob_paths.values()]
    # Each setup's time in `--rounds` runs, the setups taking turns: a burst of other work on
    # a shared machine falls on all of them rather than on one.
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in saturating}
    for turn in range(args.rounds):
        for name, (setup, grants_from) in saturating.items():
            # Fresh grants right before each run: they last a minute.
            paths = (
                blob_urls
                if grants_from is None
                else await grant_urls(grants_from, catalog.listeners)
            )
            rounds[name].append(saturate(setup, paths, args, size, root, seed=11 + turn))
            got = rounds[name][-1]
            print(
                f"saturation {name:15} round {turn + 1}: {got['ok'] / got['span_s']:.0f} "
                f"ranges/s, {got['cpu_s'] / max(got['ok'], 1) * 1e6:.1f} us CPU each",
                flush=True,
            )
    saturation = {name: combined(each) for name, each in rounds.items()}
    for name, row in saturation.items():
        print(
            f"saturation {name:15}: " + ", ".join(f"{k} {v:.1f}" for k, v in row.items()),
            flush=True,
        )
    ceiling = saturation["nginx"]["rps"]
    broken = [n for n, r in saturation.items() if n != "nginx" and r["rps"] > ceiling]
    if broken:
        print(f"BENCH BROKEN: {broken} above plain nginx: the client was the limit", flush=True)
    ratios = {f"{name}_rps_ratio_vs_nginx": r["rps"] / ceiling for name, r in saturation.items()}
    if args.saturation_only:
        return {"saturation": saturation, "ratios": ratios}  # type: ignore[dict-item]
    at500 = tables["cadenza"].get("500") or tables["cadenza"][str(counts[0])]
    at500_1 = tables["cadenza_1proc"].get("500") or tables["cadenza_1proc"][str(counts[0])]
    at_most = tables["cadenza"][str(counts[-1])]
    at_most_1 = tables["cadenza_1proc"][str(counts[-1])]
    accel_headers = headers.get("accel", {})

    def ratio(name: str) -> float:
        return round(saturation[name]["rps"] / ceiling, 3)

    def cpu_ratio(name: str) -> float:
        """nginx's CPU per range over this setup's: what the rates would be with a core each,
        whatever share of a loaded machine each run got."""
        mine = saturation[name]["server_cpu_us_per_request"]
        return round(saturation["nginx"]["server_cpu_us_per_request"] / mine, 3)

    return {
        "workers": args.workers,
        "ttfb_p50_ms": at500["ttfb_p50_ms"],
        "ttfb_p99_ms": at500["ttfb_p99_ms"],
        "ttfb_p50_ms_1proc": at500_1["ttfb_p50_ms"],
        "ttfb_p99_ms_1proc": at500_1["ttfb_p99_ms"],
        f"ttfb_p50_ms_at_{counts[-1]}": at_most["ttfb_p50_ms"],
        f"ttfb_p50_ms_at_{counts[-1]}_1proc": at_most_1["ttfb_p50_ms"],
        "play_cpu_ms": round(plays["cadenza"]["play_cpu_ms"], 3),
        "nginx_rps": round(ceiling, 1),
        "range_rps_ratio_vs_nginx": ratio("cadenza"),
        "range_rps_ratio_vs_nginx_granian": ratio("cadenza_granian"),
        "range_rps_ratio_vs_nginx_1proc": ratio("cadenza_1proc"),
        "accel_rps_ratio_vs_nginx": ratio("accel"),
        "xaccel_rps_ratio_vs_nginx": ratio("xaccel"),
        "range_cpu_ratio_vs_nginx": cpu_ratio("cadenza"),
        "range_cpu_ratio_vs_nginx_granian": cpu_ratio("cadenza_granian"),
        "accel_cpu_ratio_vs_nginx": cpu_ratio("accel"),
        "bench_broken": bool(broken),
        "accel_keeps_content_type": accel_headers.get("content-type") == "audio/ogg",
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
            "saturation_client": "wrk -t1 -c{connections}, random 64 KiB ranges",
            "saturation_rounds": args.rounds,
            "access_logs": "off (nginx and Cadenza)",
            "connections": args.connections,
            "nginx_workers": args.nginx_workers,
            "cadenza_workers": args.workers,
            "play_s": args.play_s,
            "play_connections": args.play_connections,
        },
    }


NOTES = {
    "workers": "Cadenza's processes (serve --workers) in the cadenza setups",
    "ttfb_p50_ms": "500 listeners: play command sent -> first audio byte (goal < 10)",
    "ttfb_p99_ms": "500 listeners, same (goal < 50)",
    "ttfb_p50_ms_1proc": "the same with one Cadenza process",
    "play_cpu_ms": "server CPU per play command, commands back to back (no audio)",
    "nginx_rps": "wrk, random 64 KiB ranges: plain nginx, 1 worker (the ceiling)",
    "range_rps_ratio_vs_nginx": "the same against Cadenza alone, serve's processes (goal >= 0.3)",
    "range_rps_ratio_vs_nginx_granian": "the same app under Granian",
    "range_rps_ratio_vs_nginx_1proc": "one Cadenza process",
    "accel_rps_ratio_vs_nginx": "nginx checks the grant (secure_link), sends the file (goal >= 0.9)",
    "xaccel_rps_ratio_vs_nginx": "nginx asks Cadenza per range (X-Accel-Redirect)",
    "range_cpu_ratio_vs_nginx": "nginx CPU per range / Cadenza's (above 1: the bench is broken)",
    "range_cpu_ratio_vs_nginx_granian": "the same under Granian",
    "accel_cpu_ratio_vs_nginx": "nginx CPU per range / nginx checking grants (secure_link)",
    "bench_broken": "a setup outran plain nginx: the client was the limit",
    "accel_keeps_content_type": "the secure_link answer reaching the client is audio/ogg",
    "load_before": "1-minute load average before the run (machine shared)",
    "load_after": "and after",
}


if __name__ == "__main__":
    main()
