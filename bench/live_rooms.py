"""Live audio rooms on loopback: one room, 2 speakers, and 50 / 200 / 500 listeners.

    python bench/live_rooms.py [--listeners 50,200,500] [--codecs opus,pcm] [--seconds 15]
                               [--clients-per-process 250]

1. A fresh data dir (SQLite): the host, a second speaker and 500 listener accounts, each with a
   live session (written through the project's unit of work: no login is measured), then
   `python -m cadenza serve` (one process, uvicorn, WebSockets by the `websockets` package).
2. The host opens a room; the host and the second speaker join its socket from one process
   (the second is brought on stage by the host through the API) and send 20 ms frames of
   16-bit PCM at 24 kHz, paced by the clock: quiet noise, and once a second the host sends a
   marker, 40 ms of a square wave whose loudness says which marker it is (one of eight).
3. For each N, listeners join the room's socket (tickets minted from the server's key), in
   processes of `--clients-per-process` asyncio clients each (a lean listening-only
   WebSocket client: the `websockets` package cost several times more per message), and
   listen for `--seconds` after all have joined (50 joins a second). Each listener plays the
   stage as the web page does (web/js/worklets/room_playback.js, the same rules): an adaptive
   jitter buffer starting at 120 ms, 40 ms more each time it runs dry (up to 400 ms), 20 ms
   less after each 5 s without; a packet that arrives after it was due to play is a gap
   (late), and so is a missing sequence number (a packet the server's outbox dropped for a
   slow listener). Gaps count from 3 s after the last join.
   Mouth-to-ear latency of a marker = when the listener would play it (arrival + the jitter
   buffer + its place in the packet) - when it was spoken (its frame's first sample,
   20 ms before the frame was sent). So it counts the speaker's frame, the server's buffering
   and mixing, the fan-out, loopback and the listener's jitter buffer; not a sound card's own
   buffers (about 10-20 ms in a browser) nor a real network.
   `listeners_held`: listeners still connected and receiving at the end. `gap_rate`: the share
   of listeners with at least one gap. `server_cpu_percent`: the server process's CPU over the
   listening time, as a percentage of one core. A listener not held counts as gapped.
   With `--codecs opus,pcm` each N is run once per wire format, one after the other (the
   listeners' socket asks `codec=opus` or `codec=pcm`; Opus comes two 40 ms packets a message,
   each played by the jitter buffer's rules as it came). Opus listeners do not decode: every
   listener gets the same bytes, so one listener per client process keeps the packets and
   when they arrived; after the run they are decoded (PyAV) and each marker found in the
   decoded stream (its packet and its place in it, the decoder's own delay included) is
   matched to the latest marker spoken before its packet arrived; each listener's latency is
   when it would play that packet + the place - when it was spoken.
   `clients_cpu_percent`: the bench's listener processes, as a percentage of one core (they
   share the machine with the server). `kbit_per_listener`: what one listener received.
The headline figures are those of the largest N with the first codec; every N's are in the
results too, suffixed `_N` (the first codec) and `_N_codec` (each codec).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import write_results

RATE = 24_000
FRAME = 480  # samples in a speaker's 20 ms frame
PACKET_S = 0.040
# The web page's jitter buffer (web/js/worklets/room_playback.js), the same rules:
JITTER_S = 0.120  # the target at first: playing starts once this much waits
STEP_S = 0.040  # running dry adds this to the target
MOST_TARGET_S = 0.400
SLACK_S = 0.120  # more than target + slack is dropped down to the target
CALM_S = 5.0  # this long without running dry takes EASE_S off the target
EASE_S = 0.020
JOIN_GAP_S = 0.02  # listeners join one after another, 50 a second
MARKER_EVERY_S = 1.0
MARKER_BASE = 8000
MARKER_STEP = 2000
MARKER_LINE = 5000  # a sample louder than this is a marker (the noise stays under 400)


def marker_frame(index: int) -> bytes:
    amplitude = MARKER_BASE + MARKER_STEP * (index % 8)
    return b"".join(
        struct.pack("<h", amplitude if (n // 12) % 2 else -amplitude) for n in range(FRAME)
    )


def noise_frames(seed: int, count: int = 50) -> list[bytes]:
    rng = random.Random(seed)
    return [
        struct.pack(f"<{FRAME}h", *(rng.randint(-300, 300) for _ in range(FRAME)))
        for _ in range(count)
    ]


# -- setup (the bench's own process) ---------------------------------------------------------
def make_accounts(data_dir: Path, count: int) -> list[tuple[int, str]]:
    """(account id, access token) for the host, the second speaker and `count` listeners."""
    from cadenza.bootstrap import bootstrap
    from cadenza.config import Settings
    from cadenza.services.access_tokens import new_secret_token, token_hash

    app = bootstrap(Settings(data_dir=data_dir, background=False))
    password_hash = app.hasher.hash(new_secret_token())
    now = datetime.now(UTC)
    expires = now + timedelta(hours=2)
    made: list[tuple[int, str]] = []
    with app.uow() as uow:
        for i in range(count + 2):
            account_id = uow.accounts.add(
                f"room{i:05d}@example.com", password_hash, f"Voice {i}", "GB", date(1990, 1, 1)
            )
            assert account_id is not None
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
            made.append((account_id, app.sessions.tokens.issue(account_id, session_id, expires)))
        uow.commit()
    app.close()
    return made


def mint_tickets(data_dir: Path, room_id: int, account_ids: list[int]) -> list[str]:
    from cadenza.bootstrap import bootstrap
    from cadenza.config import Settings

    app = bootstrap(Settings(data_dir=data_dir, background=False))
    try:
        return [app.rooms.ticket(a, room_id) for a in account_ids]
    finally:
        app.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(base: str, method: str, path: str, token: str, body: object = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        raw = answer.read()
        return json.loads(raw) if raw else None


def start_server(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")}
    env |= {
        "CADENZA_DATA_DIR": str(data_dir),
        "CADENZA_ACCESS_LOG": "false",
        "CADENZA_BILLING_INTERVAL_S": "0",
        "CADENZA_RECS_TRAIN_HOURS": "0",
        "CADENZA_ROYALTY_CLOSE_DAY": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cadenza", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server did not start")


# -- speakers (one process) ------------------------------------------------------------------
def speakers(url: str, tickets: list[str], stop: Any, out: Any, ready: Any) -> None:
    asyncio.run(_speakers(url, tickets, stop, out, ready))


async def _speakers(url: str, tickets: list[str], stop: Any, out: Any, ready: Any) -> None:
    import websockets

    sockets = [await websockets.connect(f"{url}?ticket={t}", max_size=None) for t in tickets]
    drains = [asyncio.create_task(_drain(s)) for s in sockets]
    ready.set()
    markers: list[tuple[int, float]] = []
    noises = [noise_frames(1), noise_frames(2)]
    start = time.monotonic()
    n = 0
    next_marker = start + 2.0
    marker_index = 0
    pending: list[bytes] = []
    while not stop.is_set():
        due = start + n * FRAME / RATE
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent_at = time.monotonic()
        host_frame = noises[0][n % 50]
        if pending:
            host_frame = pending.pop(0)
        elif sent_at >= next_marker:
            frame = marker_frame(marker_index)
            pending = [frame]  # 40 ms: two frames
            host_frame = frame
            markers.append((marker_index % 8, sent_at - FRAME / RATE))
            marker_index += 1
            next_marker += MARKER_EVERY_S
        await sockets[0].send(host_frame)
        if len(sockets) > 1:
            await sockets[1].send(noises[1][n % 50])
        n += 1
    for s in sockets:
        await s.close()
    for d in drains:
        d.cancel()
    out.put({"markers": markers})


async def _drain(ws: Any) -> None:
    try:
        async for _ in ws:
            pass
    except Exception:  # the socket closed: nothing more to read
        return


# -- listeners (processes of asyncio clients) ------------------------------------------------
def listeners(
    url: str, tickets: list[tuple[str, float]], listen_from: float, stop_at: float, out: Any,
    codec: str = "pcm",
) -> None:  # fmt: skip
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_listeners(url, tickets, listen_from, stop_at, out, codec))


class Ear:
    """One listener as the page plays the stage (the jitter buffer's rules, above)."""

    def __init__(self, listen_from: float, opus: bool = False, keep: bool = False) -> None:
        self.listen_from = listen_from
        self.opus = opus
        self.plays: dict[int, float] = {}  # opus: when each measured packet would play
        self.kept: list[tuple[int, float, bytes]] = []  # keep: (seq, arrival, packet)
        self.bytes = 0
        self.measured_packets = 0
        self.heard: list[tuple[int, float]] = []
        self.gaps = self.late = self.missing = self.received = 0
        self.late_seqs: list[int] = []
        self.gap_s = 0.0  # how long the buffer ran dry, in all
        self.last_seq: int | None = None
        self.first_seq = 0
        self.play_from = self.calm_from = 0.0  # when `first_seq` plays; since it last ran dry
        self.target = JITTER_S
        self.last_packet = 0.0

    def packet(self, message: bytes, now: float) -> None:
        """One message: PCM, 40 ms; Opus, 40 ms packets each after its 2-byte length."""
        self.received += 1
        self.last_packet = now
        measured = now >= self.listen_from
        if measured:
            self.bytes += len(message) + 4  # the WebSocket frame's own head too
        _, seq = struct.unpack_from(">BI", message)
        if not self.opus:
            self.arrive(seq, now, measured)
            if measured:
                for k in range(0, 960, 120):
                    (sample,) = struct.unpack_from("<h", message, 5 + 2 * k)
                    if abs(sample) > MARKER_LINE:
                        index = round((abs(sample) - MARKER_BASE) / MARKER_STEP) % 8
                        played = self.play_from + (seq - self.first_seq) * PACKET_S + k / RATE
                        self.heard.append((index, played))
                        break
            return
        at = 5
        while at + 2 <= len(message):
            (size,) = struct.unpack_from(">H", message, at)
            self.arrive(seq, now, measured)
            if measured:
                self.plays[seq] = self.play_from + (seq - self.first_seq) * PACKET_S
            if self.kept is not None and now >= self.listen_from - 2:
                self.kept.append((seq, now, message[at + 2 : at + 2 + size]))
            seq, at = seq + 1, at + 2 + size

    def arrive(self, seq: int, now: float, measured: bool) -> None:
        """40 ms of the stage into the jitter buffer (the page's rules)."""
        if measured:
            self.measured_packets += 1
        if self.last_seq is None:
            self.first_seq, self.play_from, self.calm_from = seq, now + self.target, now
        else:
            if seq != self.last_seq + 1 and measured:
                self.gaps += 1
                self.missing += 1
            due = self.play_from + (seq - self.first_seq) * PACKET_S
            if now > due:  # it would have played already: the buffer ran dry
                if measured:
                    self.gaps += 1
                    self.late += 1
                    self.late_seqs.append(seq)
                    self.gap_s += now - due
                self.target = min(MOST_TARGET_S, self.target + STEP_S)
                self.first_seq, self.play_from, self.calm_from = seq, now + self.target, now
            elif due - now > self.target + SLACK_S:  # as the page: back to the target
                self.first_seq, self.play_from = seq, now + self.target
            if now - self.calm_from > CALM_S:
                self.target, self.calm_from = max(JITTER_S, self.target - EASE_S), now
        self.last_seq = seq


class LeanSocket(asyncio.Protocol):
    """A WebSocket client that only listens: the handshake, then server frames parsed straight
    from the stream (a ping answered), so that 500 of them fit in the bench's share of two
    loaded cores; the `websockets` package costs several times more per message."""

    def __init__(self, path: str, host: str, ear: Ear) -> None:
        self.path, self.host, self.ear = path, host, ear
        self.buffer = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.buffer += data
        if not self.upgraded.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[:end]).split(b"\r\n", 1)[0]
            del self.buffer[: end + 4]
            if b" 101 " not in status + b" ":
                self.upgraded.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.upgraded.set_result(True)
        buffer = self.buffer
        at = 0
        while len(buffer) - at >= 2:
            opcode, size = buffer[at] & 0x0F, buffer[at + 1] & 0x7F
            head = 2
            if size == 126:
                if len(buffer) - at < 4:
                    break
                size, head = int.from_bytes(buffer[at + 2 : at + 4], "big"), 4
            elif size == 127:
                if len(buffer) - at < 10:
                    break
                size, head = int.from_bytes(buffer[at + 2 : at + 10], "big"), 10
            if len(buffer) - at < head + size:
                break
            payload = bytes(buffer[at + head : at + head + size])
            at += head + size
            if opcode == 2:
                self.ear.packet(payload, now)
            elif opcode == 9 and self.transport is not None:  # ping: a masked pong
                mask = os.urandom(4)
                masked = bytes(b ^ mask[n % 4] for n, b in enumerate(payload))
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)
            elif opcode == 8:
                self._end(ConnectionError("closed by the server"))
        del buffer[:at]

    def connection_lost(self, exc: Exception | None) -> None:
        self._end(exc or ConnectionError("connection lost"))

    def _end(self, why: Exception) -> None:
        if not self.upgraded.done():
            self.upgraded.set_exception(why)
        if not self.closed.done():
            self.closed.set_result(why)


async def _listeners(
    url: str, tickets: list[tuple[str, float]], listen_from: float, stop_at: float, out: Any,
    codec: str,
) -> None:  # fmt: skip
    loop = asyncio.get_running_loop()
    where = urllib.parse.urlsplit(url)
    results: list[dict[str, Any]] = [{} for _ in tickets]

    async def one(i: int, ticket: str, join_at: float) -> None:
        await asyncio.sleep(max(0.0, join_at - time.monotonic()))
        ear = Ear(listen_from, opus=codec == "opus")
        if i != 0:
            ear.kept = None  # type: ignore[assignment]  # one listener per process keeps them
        path = f"{where.path}?ticket={ticket}&codec={codec}"
        try:
            transport, sock = await loop.create_connection(
                lambda: LeanSocket(path, where.netloc, ear),
                where.hostname or "127.0.0.1",
                where.port or 80,
            )
            await asyncio.wait_for(sock.upgraded, 60)
            left = stop_at - time.monotonic()
            with contextlib.suppress(TimeoutError):
                why = await asyncio.wait_for(asyncio.shield(sock.closed), max(0.0, left))
                if time.monotonic() < stop_at - 1:
                    raise why
            transport.close()
        except Exception as error:  # a refused or dropped client is a result
            results[i] = {"error": repr(error), "received": ear.received}
            return
        results[i] = {
            "heard": ear.heard,
            "gaps": ear.gaps,
            "late": ear.late,
            "missing": ear.missing,
            "held": ear.received > 0 and stop_at - ear.last_packet < 1.0,
            "late_seqs": ear.late_seqs,
            "gap_s": ear.gap_s,
            "received": ear.received,
            "bytes": ear.bytes,
            "packets": ear.measured_packets,
            "plays": ear.plays,
            "kept": ear.kept or [],
        }

    await asyncio.gather(*(one(i, t, at) for i, (t, at) in enumerate(tickets)))
    out.put(results)


def latencies(markers: list[tuple[int, float]], heard: list[tuple[int, float]]) -> list[float]:
    """Each marker heard: ms from when it was spoken (the latest marker of its index before)."""
    found: list[float] = []
    last_index, last_at = -1, -10.0
    for index, played in heard:
        if index == last_index and played - last_at < 0.2:
            continue  # the same marker's second packet
        last_index, last_at = index, played
        spoken = [at for i, at in markers if i == index and at <= played]
        if spoken:
            found.append((played - spoken[-1]) * 1000)
    return found


def opus_markers(
    kept: list[tuple[int, float, bytes]], markers: list[tuple[int, float]]
) -> list[tuple[int, int, float]]:
    """(seq, sample in that packet, when it was spoken) of each marker in the Opus stream as
    a listener kept it, decoded as the page's decoder would."""
    import av
    import numpy as np

    codec = av.CodecContext.create("libopus", "r")
    assert isinstance(codec, av.AudioCodecContext)
    codec.sample_rate, codec.layout = RATE, "mono"
    codec.open()
    samples: list[np.ndarray[Any, Any]] = []
    owners: list[tuple[int, float]] = []  # per decoded sample: (seq, arrival)
    rate = RATE
    for seq, arrival, payload in sorted(kept):
        for frame in codec.decode(av.Packet(payload)):
            rate = frame.sample_rate  # libopus decodes at 48 kHz whatever it is asked
            pcm = frame.to_ndarray().reshape(-1)
            if pcm.dtype.kind == "f":
                pcm = pcm * 32768
            samples.append(pcm.astype(np.float32))
            owners.extend([(seq, arrival)] * len(pcm))
    if not samples:
        return []
    stream = np.abs(np.concatenate(samples))
    found: list[tuple[int, int, float]] = []
    loud = np.flatnonzero(stream > MARKER_LINE)
    last = -rate
    for n in loud.tolist():
        if n - last < rate // 5:  # the same marker's later samples
            last = n
            continue
        last = n
        seq, arrival = owners[n]
        first_of_packet = n
        while first_of_packet > 0 and owners[first_of_packet - 1][0] == seq:
            first_of_packet -= 1
        spoken = [at for _, at in markers if at <= arrival]
        if spoken:
            found.append((seq, (n - first_of_packet) * RATE // rate, spoken[-1]))
    return found


def run_size(
    url: str, data_dir: Path, room_id: int, accounts: list[int], seconds: float, per_process: int,
    server: psutil.Process, codec: str = "pcm",
) -> dict[str, Any]:  # fmt: skip
    ctx = mp.get_context("spawn")
    tickets = mint_tickets(data_dir, room_id, accounts)
    out = ctx.Queue()
    join_s = 3 + len(accounts) * JOIN_GAP_S  # processes starting, then one join per gap
    joins = [(ticket, time.monotonic() + 3 + n * JOIN_GAP_S) for n, ticket in enumerate(tickets)]
    listen_from = time.monotonic() + join_s + 3
    stop_at = listen_from + seconds
    processes = [
        ctx.Process(
            target=listeners,
            args=(url, joins[i : i + per_process], listen_from, stop_at, out, codec),
        )
        for i in range(0, len(tickets), per_process)
    ]
    for p in processes:
        p.start()
    while time.monotonic() < listen_from:
        time.sleep(0.05)
    clients = [psutil.Process(p.pid) for p in processes if p.pid is not None]

    def used(who: psutil.Process) -> float:
        times = who.cpu_times()
        return float(times.user + times.system)

    cpu_before = used(server)
    clients_before = sum(used(c) for c in clients)
    wall_before = time.monotonic()
    while time.monotonic() < stop_at - 0.5:
        time.sleep(0.1)
    wall = time.monotonic() - wall_before
    cpu_percent = 100 * (used(server) - cpu_before) / wall
    clients_percent = 100 * (sum(used(c) for c in clients) - clients_before) / wall
    results: list[dict[str, Any]] = []
    for _ in processes:
        results.extend(out.get(timeout=120))
    for p in processes:
        p.join(timeout=30)
    return {
        "results": results,
        "cpu_percent": cpu_percent,
        "clients_percent": clients_percent,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listeners", default="50,200,500")
    parser.add_argument("--codecs", default="opus,pcm", help="opus, pcm or both, in turn")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients-per-process", type=int, default=250)
    args = parser.parse_args()
    sizes = [int(n) for n in args.listeners.split(",")]
    codecs = [c.strip() for c in args.codecs.split(",") if c.strip()]
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="bench-rooms-"))
    data_dir = work / "var"
    print(f"accounts for {max(sizes)} listeners in {data_dir} ...", flush=True)
    accounts = make_accounts(data_dir, max(sizes))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_process = start_server(data_dir, port, work / "server.log")
    server = psutil.Process(server_process.pid)
    figures: dict[str, float] = {}
    notes: dict[str, str] = {}
    try:
        (host_id, host_token), (second_id, _) = accounts[0], accounts[1]
        room = call(
            base, "POST", "/api/v1/rooms", host_token, {"title": "Bench room", "record": True}
        )
        room_id = room["id"]
        url = f"ws://127.0.0.1:{port}/api/v1/rooms/{room_id}/socket"
        ctx = mp.get_context("spawn")
        speaker_out, ready, stop = ctx.Queue(), ctx.Event(), ctx.Event()
        speaker_tickets = mint_tickets(data_dir, room_id, [host_id, second_id])
        speaking = ctx.Process(
            target=speakers,
            args=(url, speaker_tickets, stop, speaker_out, ready),
        )
        speaking.start()
        ready.wait(60)
        time.sleep(0.5)
        call(base, "POST", f"/api/v1/rooms/{room_id}/people/{second_id}/stage", host_token, {})
        per_size: list[tuple[int, str, dict[str, Any]]] = []
        for n in sizes:
            for codec in codecs:
                print(f"{n} listeners, {codec} ...", flush=True)
                ids = [a for a, _ in accounts[2 : 2 + n]]
                per_size.append((n, codec, run_size(url, data_dir, room_id, ids, args.seconds,
                                 args.clients_per_process, server, codec)))  # fmt: skip
                time.sleep(2)
        stop.set()
        markers = [tuple(m) for m in speaker_out.get(timeout=60)["markers"]]
        speaking.join(timeout=10)
        for n, codec, outcome in per_size:
            results = outcome["results"]
            if codec == "opus":
                kept = next((r["kept"] for r in results if r.get("kept")), [])
                found = opus_markers(kept, markers)
                for r in results:
                    plays = r.get("plays", {})
                    r["heard"] = [
                        (0, plays[seq] + at / RATE, spoken)
                        for seq, at, spoken in found
                        if seq in plays
                    ]
                lat = [
                    (played - spoken) * 1000
                    for r in results
                    if "heard" in r
                    for _, played, spoken in r["heard"]
                ]
            else:
                lat = [ms for r in results if "heard" in r for ms in latencies(markers, r["heard"])]
            saved = dict(figures)
            held = sum(1 for r in results if r.get("held"))
            gapped = sum(
                1 for r in results if r.get("gaps", 1) > 0 or "error" in r or not r.get("held")
            )
            q = statistics.quantiles(lat, n=20) if len(lat) >= 20 else [float("nan")] * 19
            figures[f"latency_p50_ms_{n}"] = round(statistics.median(lat), 1) if lat else -1.0
            figures[f"latency_p95_ms_{n}"] = round(q[18], 1)
            figures[f"listeners_held_{n}"] = held
            figures[f"gap_rate_{n}"] = round(gapped / n, 4)
            figures[f"server_cpu_percent_{n}"] = round(outcome["cpu_percent"], 1)
            figures[f"markers_heard_{n}"] = len(lat)
            figures[f"late_rate_{n}"] = round(sum(1 for r in results if r.get("late")) / n, 4)
            figures[f"dropped_rate_{n}"] = round(sum(1 for r in results if r.get("missing")) / n, 4)
            late_at = Counter(q for r in results for q in set(r.get("late_seqs", [])))
            shared = sum(c for c in late_at.values() if c >= n / 2)
            figures[f"late_shared_share_{n}"] = round(shared / max(1, sum(late_at.values())), 3)
            played = sum(r.get("received", 0) for r in results) * PACKET_S
            figures[f"gap_time_share_{n}"] = round(
                sum(r.get("gap_s", 0.0) for r in results) / max(played, 1e-9), 5
            )
            errors = sorted({r["error"][:120] for r in results if "error" in r})
            figures[f"client_errors_{n}"] = sum(1 for r in results if "error" in r)
            figures[f"clients_cpu_percent_{n}"] = round(outcome["clients_percent"], 1)
            received = [r["bytes"] for r in results if r.get("bytes")]
            figures[f"kbit_per_listener_{n}"] = round(
                statistics.median(received) * 8 / 1000 / outcome["seconds"], 1
            ) if received else 0.0  # fmt: skip
            packets = [r["packets"] for r in results if r.get("packets")]
            figures[f"packets_per_s_{n}"] = round(
                statistics.median(packets) / outcome["seconds"], 1
            ) if packets else 0.0  # fmt: skip
            if errors:
                print(f"{n} listeners, errors: {errors[:5]}", flush=True)
            added = [(k, v) for k, v in figures.items() if k.endswith(f"_{n}")]
            for key, value in added:  # each codec's figures under its name; the first's bare
                figures[f"{key}_{codec}"] = value
                if codec != codecs[0]:
                    if key in saved:
                        figures[key] = saved[key]
                    else:
                        del figures[key]
        top = max(sizes)
        for key in ("latency_p50_ms", "latency_p95_ms", "listeners_held", "gap_rate",
                    "server_cpu_percent"):  # fmt: skip
            figures[key] = figures[f"{key}_{top}"]
        figures["load_before"] = round(load_before, 2)
        figures["load_after"] = round(os.getloadavg()[0], 2)
        notes |= {
            "latency_p50_ms": f"mouth to ear, {top} listeners (spoken frame to played sample)",
            "latency_p95_ms": "goal: under 400 ms at 500 listeners",
            "listeners_held": f"of {top}, still connected and receiving at the end",
            "gap_rate": "share of listeners with a dropped or late packet (goal: under 1%)",
            "server_cpu_percent": "the server process, % of one core, while listening",
            "latency_p95_ms_opus": "the figures suffixed _opus or _pcm: that wire format's",
            f"late_rate_{top}": "listeners with a packet later than its jitter buffer allowed",
            f"dropped_rate_{top}": "listeners missing a packet (dropped by the server's outbox)",
            f"late_shared_share_{top}": "late packets that were late for half the room or more "
            "at once (a stall of the server or the machine, not of one client)",
            f"gap_time_share_{top}": "share of the listening time the buffers ran dry",
            f"packets_per_s_{top}": "packets a listener got a second (25: the mixer kept time)",
            f"clients_cpu_percent_{top}": "the bench's listener processes, % of one core",
        }
    finally:
        server_process.terminate()
        try:
            server_process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server_process.kill()
    write_results("live_rooms", figures, notes)


if __name__ == "__main__":
    main()
