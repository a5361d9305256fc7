"""A room's audio fanned out to N listeners on loopback: Opus over WebSocket (what Cadenza does)
against WebRTC with `aiortc` as a selective forwarding unit, side by side.

    .venv-rtc/bin/python bench/room_transport.py [--listeners 50,200] [--seconds 12] [--per-process 50]

(`make bench` makes `.venv-rtc`: the server's dependencies and aiortc, whose pyOpenSSL wants an
older `cryptography` than the server pins.)

What is measured is the transport alone: the server's cost of getting the same Opus packets
(40 ms each, about 32 kbit/s, made once by Cadenza's own room encoder,
cadenza.adapters.audio.opus_voice.OpusVoice, from noise and a tone) to every listener. No mixing,
no speakers, no database: those cost the same whichever way the packets leave.

Each run is its own server process (uvicorn + Starlette, uvloop where installed, the options of
`cadenza serve`: `serve.UVICORN_OPTIONS`), with a clock that makes one packet every 40 ms:

- `ws`: listeners open a WebSocket; each has Cadenza's own outbox (rooms_live.Outbox, eight
  packets at most, the oldest dropped) and a sender task as the room socket's
  (api/routes/rooms.py `_send`: `send_bytes` of each message); every second tick the clock puts
  one message, the room's two packets after their lengths behind a kind and sequence number
  (rooms_live.OPUS_KIND, exactly the bytes rooms_live._fan_out makes), in every outbox.
  The listeners are the lean WebSocket clients of bench/live_rooms.py.
- `rtc`: listeners POST an SDP offer (recvonly audio) to /offer; the server makes one
  RTCPeerConnection per listener with one outgoing track whose `recv()` returns the packet as
  an `av.Packet` (aiortc's RTCRtpSender then skips its encoder and only packetises:
  `encoder.pack`), from a queue of eight like the outbox; every tick the clock puts the same
  packet in every track's queue. Then aiortc does per listener what WebRTC does: RTP, SRTP
  (libsrtp), DTLS, ICE consent checks, RTCP sender reports. The listeners are aiortc peers
  whose receivers only note each RTP packet and when it came (no jitter buffer, no decoding).
  ICE is given 127.0.0.1 only (aioice leaves loopback out by default) and no STUN server.

Listeners run in processes of `--per-process` each. Once all have joined and 2 s have passed,
the server process's CPU time (user + system, psutil) is taken over `--seconds`: the machine is
shared, so CPU time, not wall time, is the cost. Figures per N (suffixed `_N`):
`{ws,rtc}_cpu_us_per_listener_packet`: server CPU per 40 ms packet per listener, in µs;
`{ws,rtc}_cpu_s_per_audio_s`: server CPU seconds per second of the room's audio;
`rtc_over_ws_cpu_ratio`; `{ws,rtc}_delivered`: packets the listeners got / packets sent to
them in the window; `{ws,rtc}_delay_p50_ms` / `_p95_ms`: from the tick that handed the packet to
the transport to the listener's receipt (both `time.monotonic()`, one machine). For `ws` the
tick is the one that sends the message (its first packet was made 40 ms before: Cadenza's
choice of two packets a message, not the transport's). `{ws,rtc}_idle_cpu_percent`: the server
with its clock running and no listener. The run checks itself: if any listener did not join or
fewer than 99% of the packets arrived, it says the run is broken and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fractions
import json
import math
import multiprocessing as mp
import os
import socket
import statistics
import struct
import sys
import time
import urllib.request
from collections import deque
from pathlib import Path
from typing import Any, cast

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import write_results

TICK_S = 0.040
RTP_TICKS = 1920  # 40 ms at Opus's 48 kHz RTP clock
QUEUE_MAX = 8  # as rooms_live.Outbox
LOOP_PACKETS = 250  # 10 s of packets, sent round and round
SETTLE_S = 2.0
AFTER_S = 1.0  # listeners keep noting arrivals this long after the window
JOIN_DEADLINE_S = 180.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def room_packets() -> list[bytes]:
    """10 s of a room's stage as Cadenza sends it: 40 ms Opus packets from OpusVoice."""
    import numpy as np

    from cadenza.adapters.audio.opus_voice import OpusVoice
    from cadenza.domain.rooms import SAMPLE_RATE

    rate = SAMPLE_RATE
    samples = rate * 40 // 1000
    voice = OpusVoice(rate, samples)
    rng = np.random.default_rng(16)
    out = []
    for n in range(LOOP_PACKETS):
        t = (np.arange(samples) + n * samples) / rate
        tone = 3000 * np.sin(2 * np.pi * (220 + 30 * (n // 25 % 4)) * t)
        pcm = (tone + rng.normal(0, 300, samples)).astype("<i2").tobytes()
        out.append(voice.encode(pcm))
    return [p for p in out if p]


# -- the server (one process per run) --------------------------------------------------------
def loopback_only() -> None:
    """ICE on 127.0.0.1 alone (aioice gathers every address but loopback)."""
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


def rtp_clock_from_zero() -> None:
    """RTP timestamps from 0 (aiortc starts each sender's at random), so a listener can tell
    which tick a packet is from its timestamp: the sender's SSRCs stay random."""
    import random

    import aiortc.rtcrtpsender as sender

    def random32() -> int:
        if sys._getframe(1).f_code.co_name == "_run_rtp":
            return 0
        return random.getrandbits(32)

    sender.random32 = random32  # type: ignore[attr-defined]


def server(mode: str, port: int, packets: list[bytes], stop: Any, out: Any) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    from cadenza.serve import UVICORN_OPTIONS
    from cadenza.services.rooms_live import OPUS_KIND, OPUS_LENGTH, OPUS_PER_MESSAGE, Outbox

    sent: dict[int, float] = {}  # seq (ws: a message's first) -> when the clock handed it over
    outboxes: set[Outbox] = set()
    tracks: set[Any] = set()
    peers: list[Any] = []
    dropped = [0]

    if mode == "rtc":
        import av
        from aiortc import (
            MediaStreamTrack,
            RTCConfiguration,
            RTCPeerConnection,
            RTCSessionDescription,
        )
        from aiortc.mediastreams import MediaStreamError

        loopback_only()
        rtp_clock_from_zero()

        class ForwardTrack(MediaStreamTrack):
            """Already-encoded Opus out: recv() gives av.Packets, which the sender packs as
            they are (no encoder). A queue of eight, the oldest dropped, as the outbox."""

            kind = "audio"

            def __init__(self) -> None:
                super().__init__()
                self.items: deque[Any] = deque()
                self.wake = asyncio.Event()

            def put(self, packet: Any) -> None:
                if len(self.items) >= QUEUE_MAX:
                    self.items.popleft()
                    dropped[0] += 1
                self.items.append(packet)
                self.wake.set()

            async def recv(self) -> Any:
                while not self.items:
                    if self.readyState != "live":
                        raise MediaStreamError
                    self.wake.clear()
                    await self.wake.wait()
                return self.items.popleft()

    async def offer(request: Request) -> JSONResponse:
        body = await request.json()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        track = ForwardTrack()
        pc.addTrack(track)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=body["sdp"], type=body["type"]))
        await pc.setLocalDescription(await pc.createAnswer())
        peers.append(pc)
        tracks.add(track)
        return JSONResponse({"sdp": pc.localDescription.sdp, "type": pc.localDescription.type})

    async def room_socket(websocket: WebSocket) -> None:
        await websocket.accept()
        box = Outbox()
        outboxes.add(box)

        async def send() -> None:  # as api/routes/rooms.py _send
            try:
                while True:
                    item = await box.next()
                    if item is None:
                        break
                    if isinstance(item, bytes):
                        await websocket.send_bytes(item)
                    else:
                        await websocket.send_text(item)
            except (WebSocketDisconnect, RuntimeError, OSError):
                box.close("gone")

        sender = asyncio.get_running_loop().create_task(send())
        try:
            while not box.closed:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
        except WebSocketDisconnect:
            pass
        finally:
            outboxes.discard(box)
            box.close("left")
            with contextlib.suppress(Exception):
                await sender

    async def ready(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def clock(config_server: Any) -> None:
        loop = asyncio.get_running_loop()
        header = struct.Struct(">BI")
        due = loop.time()
        seq = 0
        pending: list[bytes] = []
        time_base = fractions.Fraction(1, 48_000)
        while not stop.is_set():
            due += TICK_S
            seq += 1
            packet = packets[seq % len(packets)]
            if mode == "ws":
                pending.append(packet)
                if seq % OPUS_PER_MESSAGE == 0:
                    first = seq - len(pending) + 1
                    message = header.pack(OPUS_KIND, first) + b"".join(
                        OPUS_LENGTH.pack(len(p)) + p for p in pending
                    )
                    pending = []
                    sent[first] = time.monotonic()
                    for box in outboxes:
                        box.audio(message)
            else:
                framed = av.Packet(packet)
                framed.pts, framed.time_base = seq * RTP_TICKS, time_base
                sent[seq] = time.monotonic()
                for track in tracks:
                    track.put(framed)
            await asyncio.sleep(max(0.0, due - loop.time()))
        dropped[0] += sum(box.dropped for box in outboxes)
        config_server.should_exit = True

    app = Starlette(
        routes=[
            Route("/ready", ready),
            Route("/offer", offer, methods=["POST"]),
            WebSocketRoute("/socket", room_socket),
        ]
    )
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", **UVICORN_OPTIONS
    )
    web = uvicorn.Server(config)

    async def main() -> None:
        ticking = asyncio.get_running_loop().create_task(clock(web))
        await web.serve()
        await ticking

    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(main())
    out.put({"sent": sent, "dropped": dropped[0]})
    out.close()
    out.join_thread()
    os._exit(0)  # aiortc's peers are not closed one by one: the process ends


# -- listeners (processes of asyncio clients) ------------------------------------------------
class Tally:
    """What one listener got: (seq, arrival) per WebSocket message or RTP packet."""

    def __init__(self) -> None:
        self.log: list[tuple[int, float]] = []

    def packet(self, message: bytes, now: float) -> None:  # as live_rooms.Ear, for LeanSocket
        (seq,) = struct.unpack_from(">I", message, 1)
        self.log.append((seq, now))


def clients(mode: str, port: int, count: int, joined: Any, done: Any, out: Any) -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    logs = asyncio.run(_clients(mode, port, count, joined, done))
    out.put(logs)
    out.close()
    out.join_thread()
    os._exit(0)


async def _clients(mode: str, port: int, count: int, joined: Any, done: Any) -> list[Any]:
    loop = asyncio.get_running_loop()
    tallies = [Tally() for _ in range(count)]
    keep: list[Any] = []
    if mode == "ws":
        from live_rooms import LeanSocket

        for tally in tallies:
            transport, sock = await loop.create_connection(
                lambda t=tally: LeanSocket("/socket", f"127.0.0.1:{port}", cast(Any, t)),
                "127.0.0.1",
                port,
            )
            await asyncio.wait_for(sock.upgraded, 60)
            keep.append(transport)
            joined.put(1)
            await asyncio.sleep(0.01)
    else:
        from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
        from aiortc.rtcrtpreceiver import RTCRtpReceiver

        loopback_only()

        async def note(receiver: Any, packet: Any, arrival_time_ms: int) -> None:
            receiver.bench_tally.log.append((packet.timestamp // RTP_TICKS, time.monotonic()))

        RTCRtpReceiver._handle_rtp_packet = note  # type: ignore[method-assign]

        def post(body: bytes) -> Any:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/offer", data=body, method="POST"
            )
            request.add_header("Content-Type", "application/json")
            with urllib.request.urlopen(request, timeout=60) as answer:
                return json.loads(answer.read())

        for tally in tallies:
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            transceiver = pc.addTransceiver("audio", direction="recvonly")
            transceiver.receiver.bench_tally = tally  # type: ignore[attr-defined]
            await pc.setLocalDescription(await pc.createOffer())
            made = pc.localDescription
            answer = await asyncio.to_thread(
                post, json.dumps({"sdp": made.sdp, "type": made.type}).encode()
            )
            await pc.setRemoteDescription(RTCSessionDescription(**answer))
            keep.append(pc)
            deadline = time.monotonic() + 60
            while not tally.log and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            if tally.log:
                joined.put(1)
    while not done.is_set():
        await asyncio.sleep(0.1)
    return [t.log for t in tallies]


# -- one run ---------------------------------------------------------------------------------
def cpu(who: psutil.Process) -> float:
    times = who.cpu_times()
    return float(times.user + times.system)


def run(
    mode: str, n: int, packets: list[bytes], seconds: float, per_process: int
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    port = free_port()
    stop, done = ctx.Event(), ctx.Event()
    server_out, joined, client_out = ctx.Queue(), ctx.Queue(), ctx.Queue()
    serving = ctx.Process(target=server, args=(mode, port, packets, stop, server_out))
    serving.start()
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or not serving.is_alive():
                raise RuntimeError(f"the {mode} server did not start") from None
            time.sleep(0.2)
    proc = psutil.Process(serving.pid)
    time.sleep(1.0)
    idle_from, idle_cpu = time.monotonic(), cpu(proc)
    time.sleep(2.0)
    idle_percent = 100 * (cpu(proc) - idle_cpu) / (time.monotonic() - idle_from)
    sizes = [min(per_process, n - i) for i in range(0, n, per_process)]
    listening = [
        ctx.Process(target=clients, args=(mode, port, size, joined, done, client_out))
        for size in sizes
    ]
    for p in listening:
        p.start()
    count, deadline = 0, time.monotonic() + JOIN_DEADLINE_S
    while count < n and time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            count += joined.get(timeout=1)
    join_s = time.monotonic() - idle_from - 2.0
    time.sleep(SETTLE_S)
    listeners = [psutil.Process(p.pid) for p in listening if p.pid is not None]
    listen_from, cpu_before = time.monotonic(), cpu(proc)
    clients_before = sum(cpu(c) for c in listeners)
    time.sleep(seconds)
    listen_to, cpu_after = time.monotonic(), cpu(proc)
    clients_after = sum(cpu(c) for c in listeners)
    time.sleep(AFTER_S)
    done.set()
    logs: list[list[tuple[int, float]]] = []
    for _ in listening:
        logs.extend(client_out.get(timeout=120))
    stop.set()
    told = server_out.get(timeout=60)
    for p in [*listening, serving]:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
    sent: dict[int, float] = told["sent"]
    window = {seq: at for seq, at in sent.items() if listen_from <= at <= listen_to}
    per_message = 2 if mode == "ws" else 1
    expected = len(window) * per_message * n
    delays: list[float] = []
    got = 0
    for log in logs:
        seen = {}
        for seq, arrival in log:
            if seq in window and seq not in seen:
                seen[seq] = arrival
        got += len(seen) * per_message
        delays.extend((arrival - window[seq]) * 1000 for seq, arrival in seen.items())
    packets_out = len(window) * per_message  # 40 ms packets to each listener in the window
    used = cpu_after - cpu_before
    wall = listen_to - listen_from
    delays.sort()
    return {
        "joined": count,
        "join_s": join_s,
        "cpu_s": used,
        "wall_s": wall,
        "cpu_s_per_audio_s": used / (packets_out * TICK_S) if packets_out else math.nan,
        "cpu_us_per_listener_packet": 1e6 * used / (n * packets_out) if packets_out else math.nan,
        "delivered": got / expected if expected else 0.0,
        "delay_p50_ms": statistics.median(delays) if delays else math.nan,
        "delay_p95_ms": statistics.quantiles(delays, n=20)[18] if len(delays) >= 20 else math.nan,
        "idle_cpu_percent": idle_percent,
        "clients_cpu_percent": 100 * (clients_after - clients_before) / wall,
        "dropped": told["dropped"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listeners", default="50,200")
    parser.add_argument("--modes", default="ws,rtc")
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--per-process", type=int, default=50)
    args = parser.parse_args()
    sizes = [int(n) for n in args.listeners.split(",")]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    load_before = os.getloadavg()
    packets = room_packets()
    kbit = statistics.mean(len(p) for p in packets) * 8 / TICK_S / 1000
    print(f"{len(packets)} Opus packets, {kbit:.1f} kbit/s; load {load_before}", flush=True)
    figures: dict[str, float] = {}
    broken: list[str] = []
    for n in sizes:
        for mode in modes:
            print(f"{mode}, {n} listeners ...", flush=True)
            outcome = run(mode, n, packets, args.seconds, args.per_process)
            print(f"  {json.dumps({k: round(v, 4) for k, v in outcome.items()})}", flush=True)
            for key in ("cpu_us_per_listener_packet", "cpu_s_per_audio_s", "delivered",
                        "delay_p50_ms", "delay_p95_ms", "idle_cpu_percent",
                        "clients_cpu_percent", "join_s"):  # fmt: skip
                figures[f"{mode}_{key}_{n}"] = round(outcome[key], 4 if key == "delivered" else 3)
            if outcome["joined"] < n:
                broken.append(f"{mode} at {n}: {outcome['joined']} of {n} listeners joined")
            if not outcome["delivered"] >= 0.99:
                broken.append(f"{mode} at {n}: {outcome['delivered']:.2%} of the packets arrived")
        if {"ws", "rtc"} <= set(modes):
            figures[f"rtc_over_ws_cpu_ratio_{n}"] = round(
                figures[f"rtc_cpu_us_per_listener_packet_{n}"]
                / figures[f"ws_cpu_us_per_listener_packet_{n}"],
                2,
            )
    top = max(sizes)
    for key in ("ws_cpu_us_per_listener_packet", "rtc_cpu_us_per_listener_packet",
                "rtc_over_ws_cpu_ratio", "ws_delivered", "rtc_delivered"):  # fmt: skip
        if f"{key}_{top}" in figures:
            figures[key] = figures[f"{key}_{top}"]
    figures["opus_kbit_s"] = round(kbit, 1)
    figures["load_before"] = round(load_before[0], 2)
    figures["load_after"] = round(os.getloadavg()[0], 2)
    figures["run_ok"] = 0 if broken else 1
    notes = {
        "ws_cpu_us_per_listener_packet": f"server CPU per 40 ms packet per listener, {top} "
        "listeners, Opus over WebSocket (two packets a message)",
        "rtc_cpu_us_per_listener_packet": "the same, aiortc as an SFU (a peer per listener)",
        "rtc_over_ws_cpu_ratio": "> 1: WebRTC costs the server more",
        "ws_delivered": "packets received / packets sent in the window",
        "load_before": "1-minute load average (the machine is shared)",
        "run_ok": "0: a listener did not join or packets went missing: the run is broken",
    }
    write_results("room_transport", figures, notes)
    if broken:
        print("THE RUN IS BROKEN, its figures are not a measurement:", *broken, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()
