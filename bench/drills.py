"""Drills: listeners listen through nginx on two Cadenza nodes (deploy/local-cluster.sh's
layout, started here with a private PostgreSQL and nginx's access log on) while parts of the
cluster are killed.

Audio takes the way a deployment's does: the nodes keep it in object storage (moto's S3
server here), and nginx in front checks each grant itself (`secure_link`) and answers ranges
from its own cache, keyed by the content-addressed path in 1 MiB slices, filling a missing
slice from a node (whose own grant check applies; it reads the store). So nginx stands where a
CDN or cache stands in front of object storage, and no audio byte a listener gets passes
through Python once cached. (CADENZA_S3_DELIVERY=redirect would send listeners to the store
itself; moto is a Python mock, so that would measure moto, not a store.)

1. Soak: `--listeners` simulated listeners (an asyncio httpx client in this process) for
   `--soak-s` seconds. Each plays a track (the stream grant, then the first 64 KiB range),
   pulls a 32 KiB range every few seconds as a player does, and now and then seeks, likes the
   track, searches, edits its playlist, and skips; its listening events (start, progress,
   seek, skip/end) go to /me/player/events in batches and are kept and resent until accepted,
   as a player does. The figures after the warm-up (the first quarter):
   - `soak_ttfb_p99_ms` (and p50): from nginx's access log, not from the client: for each play
     the play PUT's `$request_time` plus its first range's, paired by the `X-Drill-Play`
     label the client puts on both (each time runs from nginx reading the request to its
     writing the last byte; the client's own gap between the two, and any wait before nginx
     reads a request, are left out). `soak_play_p99_ms`, `soak_first_range_p99_ms`: each
     alone; `soak_play_node_p99_ms`: the node's part of the play ($upstream_response_time),
     `soak_play_node_p99_ms_<node>` by the node that answered; `soak_range_p99_ms`: the later
     ranges; `soak_audio_cache_hit_pct`: ranges nginx had in its cache; `soak_server_5xx`:
     answers of 5xx in nginx's log (the whole soak).
   - `soak_client_ttfb_p99_ms` (and p50, play and first range alone): the same measured by
     the Python client, which on a small machine saturates before the servers do: read it
     beside `soak_client_cpu_pct` (this process's CPU over the measured part; 100 is a whole
     core) and `soak_client_loop_lag_p99_ms` (how late its event loop wakes from a 50 ms
     sleep). `soak_cpu_pct_<node1|node2|nginx>`: the servers' CPU;
     `soak_run_wait_pct_<node1|node2|nginx|client>`: how long each one's main threads (its
     event loops; its children's added) were runnable but waiting for a core, in % of the
     time (/proc schedstat: the machine starving it, which a CPU figure does not show);
     `soak_load_avg_*`: the machine's 1-minute load average before and after.
   - `soak_errors`: answers of 5xx or no answer at all, as the client saw them.
     `soak_rss_growth_pct`: the largest growth of resident memory of a node or nginx from the
     end of the warm-up to the end.
2. Faults while listening (fewer listeners, `--fault-listeners`): kill -9 node2 (nginx's
   upstream sends its requests to node1), restart the private PostgreSQL, stop the private
   NATS for `--outage-s` (30 s), stop the private Redis for as long, and a blob store that
   refuses writes (an ingest against an S3 endpoint whose server is gone must refuse with
   `blob_store_unavailable` and leave no release visible, while listeners play from the
   cluster's store). For each: events accepted (acknowledged to the client) vs counted (rows
   in listening_events once the consumer caught up), errors listeners saw, and
   `recovery_s_<fault>`: from the fault's end (for the node: from the kill) to the last error
   a listener saw because of it (0 when none).

The default is scaled to this 2-core machine shared with others: 200 listeners for 180 s;
`--full` runs the issue's size (1,000 listeners for 600 s); `--soak-only` skips the faults.
Runs on loopback only, stops every process it started, and writes bench/results/drills.json
(drills_soak.json with `--soak-only`, or `--results NAME`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the cluster helpers and release fixtures
sys.path.insert(0, str(ROOT / "deploy"))

import local_cluster as lc  # noqa: E402
from tests.e2e.cluster import Listener, node_settings, seed  # noqa: E402

from _results import write_results  # noqa: E402

CHUNK = 32 * 1024
FIRST = 64 * 1024
LABEL = "X-Drill-Play"  # logged by nginx as $http_x_drill_play (deploy/local_cluster.py)


@dataclass
class Phase:
    name: str
    errors: Counter[str] = field(default_factory=Counter)
    error_times: list[float] = field(default_factory=list)
    requests: int = 0
    accepted: set[str] = field(default_factory=set)


@dataclass
class Load:
    base: str
    phase: Phase
    stop_at: float = 0.0
    ttfb: list[float] = field(default_factory=list)
    play_s: list[float] = field(default_factory=list)
    first_range_s: list[float] = field(default_factory=list)
    measure_ttfb: bool = True
    rejected: Counter[str] = field(default_factory=Counter)
    track_size: int = 0

    def error(self, what: str) -> None:
        self.phase.errors[what] += 1
        self.phase.error_times.append(time.monotonic())


async def call(
    load: Load, client: httpx.AsyncClient, method: str, url: str, **kw: Any
) -> httpx.Response | None:
    load.phase.requests += 1
    try:
        got = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        load.error(f"{method} {type(exc).__name__}")
        return None
    if got.status_code >= 500:
        load.error(f"{method} {url.split('?')[0][:40]} {got.status_code}")
    return got


async def listen(
    load: Load, client: httpx.AsyncClient, lis: Listener, tracks: list[int], rng: random.Random
) -> None:
    """One listener; `tracks`: the release's, in order (it goes on to the next now and then)."""
    auth = {"Authorization": f"Bearer {lis.token}"}
    pending: list[dict[str, Any]] = []
    playlist: int | None = None
    device = f"drill-{lis.account_id}"
    await asyncio.sleep(rng.uniform(0, 5))

    def event(kind: str, play: str, track: int, pos: int, **more: Any) -> None:
        pending.append(
            {
                "id": uuid.uuid4().hex,
                "play_id": play,
                "kind": kind,
                "track_id": track,
                "device": device,
                "position_ms": pos,
                "at": datetime.now(UTC).isoformat(),
                **more,
            }
        )

    async def flush() -> None:
        if not pending:
            return
        batch = pending[:50]
        got = await call(
            load, client, "POST", "/api/v1/me/player/events", json={"events": batch},
            headers=auth,
        )  # fmt: skip
        if got is None or got.status_code != 200:
            if got is not None and got.status_code < 500:
                load.error(f"events {got.status_code}")
            return  # kept, resent with the next batch
        rejected = {r["id"]: r["code"] for r in got.json()["rejected"]}
        for sent in batch:
            if sent["id"] in rejected:
                load.rejected[rejected[sent["id"]]] += 1
            else:
                load.phase.accepted.add(sent["id"])
        del pending[: len(batch)]

    track = lis.track_id
    plays = 0
    while time.monotonic() < load.stop_at:
        plays += 1
        label = {LABEL: f"{lis.account_id}-{plays}"}  # the play and its first range, in nginx's log
        t0 = time.perf_counter()
        played = await call(
            load, client, "PUT", "/api/v1/me/player/play",
            json={"track_ids": [track], "quality": "very_high"}, headers=auth | label,
        )  # fmt: skip
        if played is None or played.status_code != 200:
            if played is not None and played.status_code < 500:
                load.error(f"play {played.status_code}")
            await asyncio.sleep(1)
            continue
        url = played.json()["stream"]["url"]
        t1 = time.perf_counter()
        first = await call(
            load, client, "GET", url, headers={"Range": f"bytes=0-{FIRST - 1}"} | label
        )
        if first is None or first.status_code != 206:
            if first is not None and first.status_code < 500:
                load.error(f"first range {first.status_code}")
            await asyncio.sleep(1)
            continue
        if load.measure_ttfb:
            t2 = time.perf_counter()
            load.ttfb.append(t2 - t0)
            load.play_s.append(t1 - t0)
            load.first_range_s.append(t2 - t1)
        size = int(first.headers["content-range"].rsplit("/", 1)[1])
        play = uuid.uuid4().hex
        event("start", play, track, 0, source="library")
        pos_ms, have = 0, FIRST
        for _ in range(rng.randint(3, 8)):  # a few chunks of listening, 3 s apart
            await asyncio.sleep(3)
            if time.monotonic() >= load.stop_at:
                break
            pos_ms += 3000
            roll = rng.random()
            if roll < 0.1:  # seek
                have = rng.randrange(0, max(1, size - CHUNK))
                pos_ms = rng.randrange(0, 15000)
                event("seek", play, track, pos_ms, seek_to_ms=pos_ms)
            elif roll < 0.15:
                await call(load, client, "PUT", f"/api/v1/me/tracks/{track}", headers=auth)
            elif roll < 0.2:
                await call(
                    load, client, "GET", "/api/v1/search",
                    params={"q": "song", "type": "track"}, headers=auth,
                )  # fmt: skip
            elif roll < 0.25:
                if playlist is None:
                    made = await call(
                        load, client, "POST", "/api/v1/me/playlists",
                        json={"name": "Drill mix"}, headers=auth,
                    )  # fmt: skip
                    if made is not None and made.status_code == 201:
                        playlist = made.json()["id"]
                else:
                    await call(
                        load, client, "POST", f"/api/v1/playlists/{playlist}/tracks",
                        json={"track_ids": [track]}, headers=auth,
                    )  # fmt: skip
            start = have % size
            last = min(start + CHUNK, size) - 1
            got = await call(load, client, "GET", url, headers={"Range": f"bytes={start}-{last}"})
            if got is not None and got.status_code == 403:  # grant expired: a new one
                break
            have = last + 1
            event("progress", play, track, pos_ms)
            if len(pending) >= 4:
                await flush()
        event("skip" if rng.random() < 0.3 else "end", play, track, pos_ms)
        await flush()
        if rng.random() < 0.5:  # the next track of the release, the first after the last
            track = tracks[(tracks.index(track) + 1) % len(tracks)]
    for _ in range(30):  # a player keeps its events until they are accepted
        if not pending:
            break
        await flush()
        if pending:
            await asyncio.sleep(1)


async def run_load(load: Load, listeners: list[Listener], seconds: float) -> None:
    load.stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=len(listeners) + 10, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=load.base, timeout=15, limits=limits) as client:
        rng = random.Random(7)
        tracks = sorted({lis.track_id for lis in listeners})
        await asyncio.gather(
            *(listen(load, client, lis, tracks, random.Random(rng.random())) for lis in listeners)
        )


def rss_of(pids: dict[str, int]) -> dict[str, int]:
    """Resident memory of each process and its children; nginx's cache loader, which reads
    the cache's index once a minute after start and exits, left out."""
    found = {}
    for name, pid in pids.items():
        try:
            proc = psutil.Process(pid)
            kept = [
                c
                for c in proc.children(recursive=True)
                if "cache loader" not in " ".join(c.cmdline())
            ]
            found[name] = proc.memory_info().rss + sum(c.memory_info().rss for c in kept)
        except psutil.Error:
            pass
    return found


def counted(database: str, accounts: list[int]) -> set[str]:
    """The client ids of the events stored (counted) for these listeners."""
    with psycopg.connect(database.replace("+psycopg", ""), connect_timeout=5) as db:
        rows = db.execute(
            "SELECT client_id FROM listening_events WHERE user_id = ANY(%s)", (accounts,)
        ).fetchall()
        return {str(r[0]) for r in rows}


def settle(database: str, accounts: list[int], accepted: set[str], wait_s: float = 120) -> set[str]:
    """Wait until the consumer has counted every accepted event (or the time is up): the
    accepted events among those counted."""
    deadline = time.monotonic() + wait_s
    found: set[str] = set()
    while time.monotonic() < deadline:
        with contextlib.suppress(psycopg.Error):  # PostgreSQL still starting
            found = counted(database, accounts) & accepted
        if found == accepted:
            break
        time.sleep(1)
    return found


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def ms(values: list[float], p: float) -> float:
    return round(1000 * pct(sorted(values), p), 1)


def pids_of(state: dict[str, Any]) -> dict[str, int]:
    return {n: s["pid"] for n, s in state["services"].items() if n in ("node1", "node2", "nginx")}


def cpu_of(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) each process and its children have used so far."""
    found = {}
    for name, pid in pids.items():
        try:
            proc = psutil.Process(pid)
            found[name] = sum(
                sum(p.cpu_times()[:2]) for p in (proc, *proc.children(recursive=True))
            )
        except psutil.Error:
            pass
    return found


def run_wait(pids: dict[str, int]) -> dict[str, float]:
    """Seconds the main threads of each process and its children (the event loops: uvicorn's,
    nginx's workers', the client's) have waited for a core while runnable (/proc/PID/schedstat):
    a process starved by the machine, not by its own work."""
    found = {}
    for name, pid in pids.items():
        try:
            procs = [psutil.Process(pid)]
            procs += procs[0].children(recursive=True)
        except psutil.Error:
            continue
        waited = 0
        for proc in procs:
            with contextlib.suppress(OSError, IndexError, ValueError):
                waited += int(Path(f"/proc/{proc.pid}/schedstat").read_text().split()[1])
        found[name] = waited / 1e9
    return found


def nginx_figures(log: Path, since: float, nodes: dict[str, str]) -> dict[str, float]:
    """The soak as nginx saw it (its access log, LOG_FORMAT of deploy/local_cluster.py): the
    plays asked from `since` (unix s, the end of the warm-up) and every request's status.

    A play is paired with its first range by the client's X-Drill-Play label; its first byte
    as the servers gave it is the play PUT's $request_time plus the first range's (each from
    nginx reading the request to nginx writing the last byte), so the time the client takes
    between the two, and any time a request waits before nginx reads it, are not in it."""
    plays: dict[str, tuple[float, float, float]] = {}  # label -> start, request, node time
    by_node: dict[str, list[float]] = {name: [] for name in nodes.values()}
    firsts: dict[str, float] = {}
    ranges: list[float] = []
    statuses: Counter[str] = Counter()
    cache: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        fields = line.split("\t")
        if len(fields) != 10:
            continue
        ended, method, path, status, took, upstream, cached, _asked, label, addr = fields
        statuses[status] += 1
        start = float(ended) - float(took)
        if method == "PUT" and path == "/api/v1/me/player/play" and status == "200":
            if start >= since and label != "-":
                tries = upstream.replace(":", ",").split(",")  # one time per node tried
                node = sum(float(t) for t in tries if t.strip() not in ("", "-"))
                plays[label] = (start, float(took), node)
                if addr in nodes:  # answered by the first node asked
                    by_node[nodes[addr]].append(node)
        elif method == "GET" and path.startswith("/api/v1/audio/") and status == "206":
            if label != "-":
                firsts[label] = float(took)
            elif start >= since:
                ranges.append(float(took))
            cache[cached] += 1
    paired = [plays[k][1] + firsts[k] for k in plays if k in firsts]
    audio = sum(cache.values())
    return {
        "soak_plays_measured": len(paired),
        "soak_ttfb_p50_ms": ms(paired, 0.5),
        "soak_ttfb_p99_ms": ms(paired, 0.99),
        "soak_play_p99_ms": ms([p[1] for p in plays.values()], 0.99),
        "soak_play_node_p99_ms": ms([p[2] for p in plays.values()], 0.99),
        **{f"soak_play_node_p99_ms_{name}": ms(times, 0.99) for name, times in by_node.items()},
        "soak_first_range_p99_ms": ms([firsts[k] for k in plays if k in firsts], 0.99),
        "soak_range_p99_ms": ms(ranges, 0.99),
        "soak_audio_cache_hit_pct": round(100 * cache["HIT"] / audio, 1) if audio else 0.0,
        "soak_server_5xx": sum(n for code, n in statuses.items() if code.startswith("5")),
        "soak_client_gone_499": statuses["499"],
    }


async def loop_lag(lags: list[float], stop: asyncio.Event) -> None:
    """How late the load generator's event loop wakes for a 50 ms sleep: a saturated client."""
    while not stop.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(0.05)
        lags.append(time.perf_counter() - t0 - 0.05)


async def soak(
    folder: Path, state: dict[str, Any], listeners: list[Listener], seconds: float
) -> dict[str, float]:
    load = Load(state["url"], Phase("soak"))
    pids = pids_of(state)
    me = psutil.Process()
    load_before = os.getloadavg()[0]
    task = asyncio.create_task(run_load(load, listeners, seconds))
    await asyncio.sleep(seconds / 4)  # warm-up: every listener has started and the caches fill
    load.ttfb.clear()
    load.play_s.clear()
    load.first_range_s.clear()
    warm_end, wall0, mine0 = time.time(), time.monotonic(), sum(me.cpu_times()[:2])
    cpu0 = cpu_of(pids)
    watched = {**pids, "client": os.getpid()}
    wait0 = run_wait(watched)
    lags: list[float] = []
    stop_lag = asyncio.Event()
    lag_task = asyncio.create_task(loop_lag(lags, stop_lag))
    before = rss_of(pids)
    await task
    stop_lag.set()
    await lag_task
    wall = time.monotonic() - wall0
    client_cpu = 100 * (sum(me.cpu_times()[:2]) - mine0) / wall
    cpu1 = cpu_of(pids)
    wait1 = run_wait(watched)
    after = rss_of(pids)
    load_after = os.getloadavg()[0]
    growth = {
        n: 100.0 * (after[n] - before[n]) / before[n] for n in before if n in after and before[n]
    }
    print("RSS after warm-up -> end (MB):", {
        n: (round(before[n] / 2**20), round(after.get(n, 0) / 2**20)) for n in before
    })  # fmt: skip
    nodes = {f"127.0.0.1:{state['services'][n]['port']}": n for n in ("node1", "node2")}
    server = nginx_figures(folder / lc.ACCESS_LOG, warm_end, nodes)
    ttfb = load.ttfb
    database = node_settings(folder).database_url
    accounts = [lis.account_id for lis in listeners]
    total = settle(database, accounts, load.phase.accepted)
    print(f"soak: {load.phase.requests} requests, errors {dict(load.phase.errors)}")
    return {
        "soak_listeners": len(listeners),
        "soak_s": seconds,
        "soak_requests": load.phase.requests,
        "soak_errors": sum(load.phase.errors.values()),
        "soak_rss_growth_pct": round(max(growth.values(), default=0.0), 1),
        **server,
        "soak_client_plays_measured": len(ttfb),
        "soak_client_ttfb_p50_ms": ms(ttfb, 0.5),
        "soak_client_ttfb_p99_ms": ms(ttfb, 0.99),
        "soak_client_play_p99_ms": ms(load.play_s, 0.99),
        "soak_client_first_range_p99_ms": ms(load.first_range_s, 0.99),
        "soak_client_cpu_pct": round(client_cpu, 1),
        "soak_client_loop_lag_p99_ms": ms(lags, 0.99),
        **{
            f"soak_cpu_pct_{n}": round(100 * (cpu1[n] - cpu0[n]) / wall, 1)
            for n in cpu0
            if n in cpu1
        },
        **{
            f"soak_run_wait_pct_{n}": round(100 * (wait1[n] - wait0[n]) / wall, 1)
            for n in wait0
            if n in wait1
        },
        "soak_load_avg_before": round(load_before, 1),
        "soak_load_avg_after": round(load_after, 1),
        "soak_events_accepted": len(load.phase.accepted),
        "soak_events_counted": len(total),
        **{f"soak_rss_growth_pct_{n}": round(g, 1) for n, g in growth.items()},
    }


def refused_ingest(folder: Path) -> tuple[bool, bool]:
    """An ingest against an S3 endpoint whose server is gone: (refused with
    blob_store_unavailable, a release of that title visible afterwards)."""
    from tests.fixtures.releases import make_release

    from cadenza.bootstrap import bootstrap
    from cadenza.domain.errors import CadenzaError
    from cadenza.ingest.delivery import ingest_delivery

    dead = f"http://127.0.0.1:{lc.free_port()}"  # nothing listens there
    settings = node_settings(folder).model_copy(update={"s3_endpoint_url": dead})
    app = bootstrap(settings)
    title = f"Refused {uuid.uuid4().hex[:6]}"
    try:
        release = make_release(folder / "refused-release", title=title, formats=("flac",))
        try:
            ingest_delivery(
                app.ingest_tools(), release, app.distributor_id("Cluster"),
                limits=app.zip_limits, strict_cover=False,
            )  # fmt: skip
            code = "stored"
        except CadenzaError as exc:
            code = exc.code
    finally:
        app.close()
    with psycopg.connect(settings.database_url.replace("+psycopg", "")) as db:
        row = db.execute("SELECT count(*) FROM releases WHERE title = %s", (title,)).fetchone()
    return code == "blob_store_unavailable", bool(row and row[0])


async def faults(
    folder: Path, state: dict[str, Any], listeners: list[Listener], outage_s: float
) -> dict[str, float]:
    database = node_settings(folder).database_url
    accounts = [lis.account_id for lis in listeners]
    load = Load(state["url"], Phase("warm"), measure_ttfb=False)
    figures: dict[str, float] = {}
    phases: list[Phase] = [load.phase]
    task = asyncio.create_task(run_load(load, listeners, 10_000))
    await asyncio.sleep(15)

    async def drill(name: str, fault: Any, restore: Any, hold_s: float, from_start: bool) -> None:
        load.phase = Phase(name)
        phases.append(load.phase)
        print(f"drill {name} ...", flush=True)
        started = time.monotonic()
        await asyncio.to_thread(fault)
        await asyncio.sleep(hold_s)
        await asyncio.to_thread(restore)
        lifted = time.monotonic()
        await asyncio.sleep(20)  # listeners go on; late errors still count to this fault
        phase = load.phase
        base = started if from_start else lifted
        last = max(phase.error_times, default=base)
        figures[f"recovery_s_{name}"] = round(max(0.0, last - base), 2)
        figures[f"listener_errors_{name}"] = sum(phase.errors.values())
        figures[f"outage_s_{name}"] = round(lifted - started, 1)
        print(f"  {name}: errors {dict(phase.errors)}", flush=True)

    def kill_node() -> None:
        os.kill(state["services"]["node2"]["pid"], signal.SIGKILL)

    def start_node() -> None:
        lc.launch(folder, state, "node2")

    await drill("node_kill", kill_node, start_node, 20, True)
    await drill(
        "postgres_restart",
        lambda: lc.pg_stop(state, "fast"),
        lambda: lc.pg_start(state),
        5,
        False,
    )
    await drill(
        "nats_stop",
        lambda: lc.stop(state, "nats"),
        lambda: lc.launch(folder, state, "nats"),
        outage_s,
        False,
    )
    await drill(
        "redis_stop",
        lambda: lc.stop(state, "redis"),
        lambda: lc.launch(folder, state, "redis"),
        outage_s,
        False,
    )
    load.phase = Phase("blob_refuses_writes")
    phases.append(load.phase)
    refused, visible = await asyncio.to_thread(refused_ingest, folder)
    await asyncio.sleep(5)
    figures["blob_ingest_refused"] = int(refused)
    figures["blob_half_stored_visible"] = int(visible)
    figures["listener_errors_blob_refuses_writes"] = sum(load.phase.errors.values())
    figures["recovery_s_blob_refuses_writes"] = 0.0  # the cluster's own store never stopped
    load.stop_at = time.monotonic()
    await task
    accepted = set().union(*(p.accepted for p in phases))
    total = settle(database, accounts, accepted)
    for phase in phases[1:]:
        figures[f"events_accepted_{phase.name}"] = len(phase.accepted)
        figures[f"events_counted_{phase.name}"] = len(phase.accepted & total)
    figures["drill_events_accepted"] = len(accepted)
    figures["drill_events_counted"] = len(total)
    figures["drill_events_rejected"] = sum(load.rejected.values())
    figures["drill_listeners"] = len(listeners)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listeners", type=int, default=200)
    parser.add_argument("--soak-s", type=float, default=180)
    parser.add_argument("--fault-listeners", type=int, default=100)
    parser.add_argument("--outage-s", type=float, default=30)
    parser.add_argument("--full", action="store_true", help="1,000 listeners for 600 s")
    parser.add_argument(
        "--no-faults", "--soak-only", action="store_true", help="the soak alone, no fault drills"
    )
    parser.add_argument(
        "--results",
        help="the results file's name in bench/results/ (default: drills for a whole run, "
        "drills_soak with --soak-only, so that a partial run never replaces drills.json)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the logs (the folder)")
    args = parser.parse_args()
    if args.full:
        args.listeners, args.soak_s = 1000, 600.0
    if not lc.NGINX.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        import streaming

        streaming.ensure_nginx()
    folder = Path(tempfile.mkdtemp(prefix="cadenza-drills-"))
    started = time.monotonic()
    try:
        state = lc.up(folder, private_pg=True, access_log=True)
        print(lc.describe(state), flush=True)
        listeners = seed(folder, max(args.listeners, args.fault_listeners))
        figures = asyncio.run(soak(folder, state, listeners[: args.listeners], args.soak_s))
        if not args.no_faults:
            figures.update(
                asyncio.run(faults(folder, state, listeners[: args.fault_listeners], args.outage_s))
            )
        accepted = figures["soak_events_accepted"] + figures.get("drill_events_accepted", 0)
        counted_all = figures["soak_events_counted"] + figures.get("drill_events_counted", 0)
        figures["events_lost"] = int(accepted - counted_all)
        figures["listener_errors"] = sum(
            v for k, v in figures.items() if k.startswith("listener_errors_")
        )
        figures["drills_s"] = round(time.monotonic() - started, 1)
    finally:
        if (folder / lc.STATE).exists():
            lc.down(folder)
        if args.keep:
            print(f"logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    notes = {
        "soak_errors": "5xx answers and requests with no answer during the soak",
        "soak_rss_growth_pct": "largest growth of a node's or nginx's memory after warm-up",
        "soak_ttfb_p99_ms": "play PUT + first range, nginx's $request_time, 99th pct",
        "soak_client_ttfb_p99_ms": "asking to play -> first audio byte, the Python client",
        "soak_client_cpu_pct": "the load generator's CPU (100: one core, it saturates)",
        "events_lost": "events acknowledged to listeners but never counted (must be 0)",
        "listener_errors": "errors listeners saw during the fault drills, all together",
    }
    name = args.results or ("drills_soak" if args.no_faults else "drills")
    write_results(name, figures, notes, script="drills")


if __name__ == "__main__":
    main()
