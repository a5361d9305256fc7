"""Peer-assisted delivery: simulated listeners on loopback, each a separate process with its own
cache and peer port on its own address across 127.0.0.0/8, play tracks of a real server's
catalog; where did the bytes come from, how fast did playback start, did it stutter.

    python bench/p2p.py [--clients 50] [--minutes 7] [--speed 4] [--tracks 120]
        [--track-seconds 40] [--zipf 1.0] [--cache-mb 16] [--warmup 0.3] [--chunk-kib 64]
        [--head-chunks 1] [--session-tracks 8] [--away-s 30] [--seed 1]

1. Catalog (fresh data dir, SQLite): `--tracks` Ogg Opus files of `--track-seconds` at
   160 kbit/s (the High tier: what a Premium listener gets by default), made from four encoded
   noise signals remuxed once per track (each remux is new bytes, so a new file and blob: the
   catalog costs four encodes, not a hundred), published through the project's own publish
   stage; one Premium account per client with a live session, written through the unit of
   work (no login is measured).
2. The real server: `python -m cadenza serve` (one process, access log off), the chunk size
   `--chunk-kib` (CADENZA_PEER_CHUNK_KIB), rip detection's tolerance raised (the simulated
   clock runs `--speed` times real time: every listener would look like a ripper).
3. `--clients` processes (`bench/p2p.py --worker`), each on its own address 127.10.N.H (eight
   /24 networks, so the tracker's same-network preference has something to prefer), with its
   own ChunkCache (`--cache-mb`, least recently used evicted), running at nice 4 (they stand
   for other people's computers: on this one machine they leave the CPU to the server) and PeerAssistedSource (its peer
   server on that address: at most 4 uploads at once). Each joins at a random moment of the
   first 10 s, then alternates sessions and absences: a session is a log-normal number of
   tracks (median `--session-tracks`), an absence exponential (mean `--away-s` wall seconds);
   leaving closes the peer server and withdraws its announcements; the cache stays on disk and
   is announced again on return, as an installed client's is. Each play picks a track by Zipf
   popularity (exponent `--zipf`, one ranking for everybody), asks for a stream grant (the
   click), and opens it through PeerAssistedSource as the terminal player does
   (`open()`: an AudioStream back once the first chunk is in; the rest from peers unless
   urgent); a decoder stand-in (a thread) reads the stream evenly at the play rate, so the
   chunks' deadlines follow where it reads, as with the real decoder; the next track is chosen
   at once and, when the reader is 30 s (of audio) from the end, granted and prefetched. The
   caches are sealed (a Vault per listener), as the terminal player's are.
4. Time runs `--speed` times faster than real time for the audio (at 4x a 40 s track plays
   in 10 s): every play deadline, the urgency margin (`urgent_s`, 2 s of audio) and the 30 s prefetch
   point are scaled; network and server latencies are real, so the start latency is measured
   in real milliseconds, and deadlines are harder to meet than at real time (chunks are due
   `--speed` times sooner).

Figures (over plays that begin after the first `--warmup` share of the run, when the caches
have filled: steady state, as the paper measured a network running for years):
- server_share, peer_share, cache_share: bytes played, by where they came from (a prefetched
  file played later counts where the prefetch got it, not as cache);
- start_p50_ms, start_p90_ms: click (grant request sent) to the first chunk in hand, verified;
- stutter_rate: share of plays where the reader had to wait for bytes (a read done more than
  `STALL_S` after its due time) or the play failed;
- server_share_all_run: the same share over the whole run, cold caches included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _results import write_results

BITRATE = 160_000
NETWORKS = 8
STALL_S = 0.1  # a read this late (wall seconds) is a stutter: more than a sound card buffers
READ_BYTES = 16 * 1024


def read_at_pace(stream: Any, seconds: float) -> bool:
    """A decoder at play speed: reads the whole stream evenly over `seconds` (wall); whether
    a read came back more than STALL_S after its due time (a stutter). Closes the stream."""
    began = time.perf_counter()
    position, stalled = 0, False
    try:
        while position < stream.size:
            due = began + position / stream.size * seconds
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            got = stream.read(READ_BYTES)
            if not got:
                break
            if time.perf_counter() > max(due, began) + STALL_S:
                stalled = True
            position += len(got)
    finally:
        stream.close()
    return stalled


# -- catalog ---------------------------------------------------------------------------------
def encode_noise(path: Path, seconds: float, seed: int) -> None:
    import av
    import numpy as np

    rng = np.random.default_rng(seed)
    rate, block = 48000, 960 * 50
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=rate, layout="stereo")
        stream.bit_rate = BITRATE
        total = int(seconds * rate)
        for start in range(0, total, block):
            n = min(block, total - start)
            pcm = (0.2 * rng.standard_normal((1, n * 2)) * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def remux(source: Path, target: Path, title: str) -> None:
    """The same audio in a new Ogg stream (new serial number and tags): new bytes."""
    import av

    with av.open(str(source)) as inp, av.open(str(target), "w", format="ogg") as out:
        in_stream = inp.streams.audio[0]
        out.metadata["title"] = title
        out_stream = out.add_stream_from_template(in_stream)
        for packet in inp.demux(in_stream):
            if packet.dts is None:
                continue
            packet.stream = out_stream
            out.mux(packet)


@dataclass(frozen=True)
class Seeded:
    tracks: list[tuple[int, int]]  # (track id, duration ms), by popularity rank
    tokens: list[str]
    file_bytes: int
    seconds: float


def seed(data_dir: Path, args: argparse.Namespace) -> Seeded:
    from cadenza.bootstrap import bootstrap
    from cadenza.config import Settings
    from cadenza.domain.audio import Loudness, Quality
    from cadenza.domain.catalog import EncodedAudio, PublishedTrack, ReleaseSpec, TrackSpec
    from cadenza.domain.plans import Plan
    from cadenza.ingest.publish import Publication, publish
    from cadenza.services.access_tokens import new_secret_token, token_hash

    began = time.perf_counter()
    app = bootstrap(Settings(data_dir=data_dir))
    try:
        work = data_dir.parent / "encode"
        work.mkdir()
        bases = []
        for n in range(4):
            base = work / f"base{n}.opus"
            encode_noise(base, args.track_seconds, n)
            bases.append(base)
        distributor = app.distributor_id("Bench")
        published: list[PublishedTrack] = []
        sizes = []
        for n in range(args.tracks):
            path = work / f"track{n}.opus"
            remux(bases[n % 4], path, f"Song {n}")
            stored = app.blobs.put_file(path)
            assert stored.created, "two tracks came out as the same bytes"
            sizes.append(stored.size)
            published.append(
                PublishedTrack(
                    spec=TrackSpec(title=f"Song {n}", artists=["The Peers"], track_number=n + 1),
                    duration_ms=int(args.track_seconds * 1000),
                    loudness=Loudness(-14.0, -1.0),
                    source_blob=stored.digest,
                    source_format="opus",
                    files=(EncodedAudio(Quality.HIGH, stored.digest, stored.size, 160),),
                )
            )
        release = ReleaseSpec(title="Swarm", artists=["The Peers"])
        _, track_ids = publish(
            app.uow, Publication(distributor, "bench-p2p", release, {}, published, True)
        )
        order = list(track_ids)
        random.Random(args.seed).shuffle(order)  # popularity rank has nothing to do with order
        tokens = []
        now = datetime.now(UTC)
        expires = now + timedelta(hours=2)
        hashed = app.hasher.hash(new_secret_token())
        with app.uow() as uow:
            for i in range(args.clients):
                account = uow.accounts.add(
                    f"peer{i:04d}@example.com", hashed, f"Peer {i}", "GB", date(1990, 1, 1)
                )
                assert account is not None
                uow.accounts.set_roles(account, ["listener"])
                uow.accounts.mark_verified(account, now)
                device = uow.sessions.save_device(
                    account, token_hash(new_secret_token()), "Bench", "GB", now
                )
                creds = uow.accounts.credentials(account)
                assert creds is not None
                session = uow.sessions.start_session(
                    account, device, token_hash(new_secret_token()), now, expires, creds.version
                )
                tokens.append((account, app.sessions.tokens.issue(account, session, expires)))
            uow.commit()
        for account, _ in tokens:
            app.subscriptions.grant(account, Plan.PREMIUM_INDIVIDUAL)
        duration = int(args.track_seconds * 1000)
        return Seeded(
            [(t, duration) for t in order],
            [t for _, t in tokens],
            int(statistics.mean(sizes)),
            time.perf_counter() - began,
        )
    finally:
        app.close()


# -- the server ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ, CADENZA_DATA_DIR=str(data_dir))
    for key in ("CADENZA_DATABASE_URL", "CADENZA_REDIS_URL", "CADENZA_ACCEL_REDIRECT"):
        env.pop(key, None)
    env |= {
        "CADENZA_WORKERS": "1",
        "CADENZA_ACCESS_LOG": "false",
        "CADENZA_PEER_CHUNK_KIB": str(args.chunk_kib),
        "CADENZA_RIP_REALTIME_TOLERANCE": "100000",  # simulated time runs faster than real
    }
    log = data_dir.parent / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cadenza", "serve", "--host", "0.0.0.0", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return proc, f"http://127.0.0.1:{port}"
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer within 180 s")


# -- one simulated listener (its own process) ---------------------------------------------------
async def listener(config: dict[str, Any], index: int) -> None:
    import httpx

    from cadenza.client.chunks import ChunkCache
    from cadenza.client.peers import PeerAssistedSource
    from cadenza.client.vault import Vault

    rng = random.Random(config["seed"] * 100_003 + index)
    address = config["addresses"][index]
    token = config["tokens"][index]
    tracks = [tuple(t) for t in config["tracks"]]
    weights = [1 / (rank + 1) ** config["zipf"] for rank in range(len(tracks))]
    speed = config["speed"]
    cache = ChunkCache(
        Path(config["root"]) / f"client{index:03d}",
        config["cache_mb"] * 1024**2,
        Vault(os.urandom(32)),  # sealed, as the terminal player's
    )
    http = httpx.AsyncClient(
        base_url=config["server"],
        headers={"Authorization": f"Bearer {token}"},
        transport=httpx.AsyncHTTPTransport(local_address=address),
        timeout=30,
    )
    rows: list[dict[str, Any]] = []
    answer = await http.post("/api/v1/me/devices", json={"name": "Bench peer", "type": "desktop"})
    answer.raise_for_status()
    device = answer.json()["id"]

    async def grant(track_id: int) -> str:
        body = {"track_id": track_id, "device_id": device, "quality": "high"}
        try:
            found = await http.post("/api/v1/me/player/stream-grants", json=body)
        except httpx.TransportError:  # a keep-alive connection the server had just closed
            found = await http.post("/api/v1/me/player/stream-grants", json=body)
        found.raise_for_status()
        url: str = found.json()["url"]
        return url

    def pick() -> tuple[int, int]:
        return rng.choices(tracks, weights)[0]

    end_at, measure_from = config["end_at"], config["measure_from"]
    await asyncio.sleep(rng.uniform(0, 10))
    while time.time() < end_at - 2:
        source = PeerAssistedSource(
            config["server"],
            token,
            cache,
            local_address=address,
            speed=speed,
            urgent_s=2.0 / speed,
            peer_timeout_s=max(0.25, 4.0 / speed),
            head_chunks=config["head_chunks"],
        )
        await source.start()
        session = max(1, round(rng.lognormvariate(math.log(config["session_tracks"]), 0.8)))
        upcoming_track = pick()
        for k in range(session):
            if time.time() > end_at - 2:
                break
            track, duration = upcoming_track
            last = k == session - 1
            upcoming_track = pick()
            following = upcoming_track

            async def upcoming(last: bool = last, nxt: tuple[int, int] = following) -> Any:
                return None if last else (await grant(nxt[0]), nxt[1])

            clicked_wall = time.time()
            clicked = time.perf_counter()
            try:
                url = await grant(track)
                granted = time.perf_counter()
                stream, report = await source.open(
                    url, duration, renew=lambda t=track: grant(t), upcoming=upcoming
                )
                # Listen to the end of the track (scaled): the reader's pace drives the fetch.
                stalled = await asyncio.to_thread(read_at_pace, stream, duration / 1000 / speed)
            except Exception as exc:  # a failed play counts as a stutter, and is noted
                rows.append({"failed": repr(exc)[:200], "measured": clicked_wall >= measure_from})
                continue
            started = granted + report.start_ms / 1000
            # Bytes a prefetch brought count where the prefetch got them, not as cache.
            server_b = report.from_server + report.prefetched_server
            peer_b = report.from_peers + report.prefetched_peers
            cache_b = report.from_cache - report.prefetched_server - report.prefetched_peers
            ahead = report.prefetched_server + report.prefetched_peers > 0
            rows.append(
                {
                    "measured": clicked_wall >= measure_from,
                    "start_ms": (started - clicked) * 1000,
                    "stalled": stalled,
                    "cache": cache_b,
                    "server": server_b,
                    "peers": peer_b,
                    "bad": report.bad_chunks,
                    "prefetched": ahead,
                }
            )
        uploads = source.peer_server.bytes_sent if source.peer_server else 0
        busy = source.peer_server.refused_busy if source.peer_server else 0
        rows.append({"uploaded": uploads, "busy": busy})
        await source.close()
        if time.time() < end_at - 2:
            await asyncio.sleep(min(rng.expovariate(1 / config["away_s"]), end_at - time.time()))
    await http.aclose()
    out = Path(config["root"]) / f"client{index:03d}.json"
    out.write_text(json.dumps(rows))


def worker(config_path: str, index: int) -> None:
    # The listeners stand for other people's computers: on this one machine they yield the
    # CPU to the server, which is what is measured.
    os.nice(4)
    config = json.loads(Path(config_path).read_text())
    asyncio.run(listener(config, index))


# -- the run ---------------------------------------------------------------------------------
def addresses(count: int) -> list[str]:
    return [f"127.10.{i % NETWORKS}.{10 + i // NETWORKS}" for i in range(count)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=7.0, help="wall minutes of listening")
    parser.add_argument("--speed", type=float, default=4.0)
    parser.add_argument("--tracks", type=int, default=120)
    parser.add_argument("--track-seconds", type=float, default=40.0)
    parser.add_argument("--zipf", type=float, default=1.0)
    parser.add_argument("--cache-mb", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=0.3)
    parser.add_argument("--chunk-kib", type=int, default=64)
    parser.add_argument("--head-chunks", type=int, default=1)
    parser.add_argument("--session-tracks", type=float, default=8.0)
    parser.add_argument("--away-s", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return
    if not 50 <= args.clients <= 200:
        print("note: the issue asks for 50 to 200 clients", file=sys.stderr)
    began = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="cadenza-p2p-"))
    server = None
    clients: list[subprocess.Popen[bytes]] = []
    try:
        data_dir = root / "data"
        print(f"seeding {args.tracks} tracks and {args.clients} listeners ...", flush=True)
        seeded = seed(data_dir, args)
        server, base = start_server(data_dir, args)
        run_s = args.minutes * 60
        start_at = time.time() + 5
        config = {
            "server": base,
            "root": str(root),
            "tokens": seeded.tokens,
            "tracks": seeded.tracks,
            "addresses": addresses(args.clients),
            "zipf": args.zipf,
            "speed": args.speed,
            "cache_mb": args.cache_mb,
            "head_chunks": args.head_chunks,
            "session_tracks": args.session_tracks,
            "away_s": args.away_s,
            "seed": args.seed,
            "measure_from": start_at + args.warmup * run_s,
            "end_at": start_at + run_s,
        }
        config_path = root / "config.json"
        config_path.write_text(json.dumps(config))
        print(f"{args.clients} listeners for {args.minutes:g} min at {args.speed:g}x ...")
        for i in range(args.clients):
            log = (root / f"client{i:03d}.log").open("wb")
            clients.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--worker", str(config_path), str(i)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        with ListeningProgress(run_s) as tick:
            while any(c.poll() is None for c in clients):
                tick()
                time.sleep(1)
                if time.time() > config["end_at"] + 120:
                    break
        failed = [i for i, c in enumerate(clients) if c.returncode not in (0, None)]
        rows = []
        for i in range(args.clients):
            path = root / f"client{i:03d}.json"
            if path.exists():
                rows += json.loads(path.read_text())
        report(rows, args, seeded, failed, root, time.perf_counter() - began)
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in clients:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if os.environ.get("P2P_KEEP") is None:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept {root}")


class ListeningProgress:
    """A Rich progress bar over the listening time."""

    def __init__(self, seconds: float) -> None:
        from rich.progress import Progress

        self.seconds = seconds
        self.progress = Progress()
        self.began = time.monotonic()

    def __enter__(self) -> Any:
        self.progress.start()
        task = self.progress.add_task("listening", total=self.seconds)

        def tick() -> None:
            self.progress.update(task, completed=min(self.seconds, time.monotonic() - self.began))

        return tick

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def report(
    rows: list[dict[str, Any]],
    args: argparse.Namespace,
    seeded: Seeded,
    failed: list[int],
    root: Path,
    wall_s: float,
) -> None:
    plays = [r for r in rows if "start_ms" in r or "failed" in r]
    measured = [r for r in plays if r["measured"]]
    ok = [r for r in measured if "start_ms" in r]

    def shares(chosen: list[dict[str, Any]]) -> tuple[float, float, float]:
        server = sum(r["server"] for r in chosen)
        peers = sum(r["peers"] for r in chosen)
        cache = sum(r["cache"] for r in chosen)
        total = max(1, server + peers + cache)
        return server / total, peers / total, cache / total

    server_share, peer_share, cache_share = shares(ok)
    starts = [r["start_ms"] for r in ok]
    stutters = sum(1 for r in measured if r.get("stalled") or "failed" in r)
    figures: dict[str, float] = {
        "server_share": round(server_share, 4),
        "peer_share": round(peer_share, 4),
        "cache_share": round(cache_share, 4),
        "start_p50_ms": round(percentile(starts, 0.5), 1),
        "start_p90_ms": round(percentile(starts, 0.9), 1),
        "stutter_rate": round(stutters / max(1, len(measured)), 4),
        "plays_measured": len(measured),
        "plays_all_run": len(plays),
        "failed_plays": sum(1 for r in measured if "failed" in r),
        "bad_chunks": sum(r.get("bad", 0) for r in plays),
        "prefetched_plays": sum(1 for r in ok if r.get("prefetched")),
        "uploads_refused_busy": sum(r.get("busy", 0) for r in rows),
        "server_share_all_run": round(shares([r for r in plays if "start_ms" in r])[0], 4),
        "clients": args.clients,
        "clients_failed": len(failed),
        "speed": args.speed,
        "chunk_kib": args.chunk_kib,
        "tracks": args.tracks,
        "track_bytes": seeded.file_bytes,
        "seed_s": round(seeded.seconds, 1),
        "wall_s": round(wall_s, 1),
    }
    notes = {
        "server_share": "bytes played that came from the server (goal < 10%)",
        "peer_share": "bytes played that came from other listeners' clients",
        "cache_share": "bytes played from the listener's own cache",
        "start_p50_ms": "click (grant request) to first verified chunk, median (goal < 265)",
        "start_p90_ms": "the same, 90th percentile",
        "stutter_rate": "plays where the reader waited for bytes, or failed (goal < 1%)",
        "plays_measured": f"plays after the first {args.warmup:.0%} of the run (warm caches)",
        "server_share_all_run": "server share over every play, cold start included",
        "speed": "simulated audio time runs this many times faster than real time",
    }
    if failed:
        print(f"clients that failed: {failed}; logs in {root}", file=sys.stderr)
        os.environ["P2P_KEEP"] = "1"
    default = sys.argv[1:] == []
    write_results("p2p" if default else "p2p_custom", figures, notes, script="p2p")


if __name__ == "__main__":
    main()
