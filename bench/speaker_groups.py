"""Speaker groups and push latency on loopback, with simulated devices whose clocks are wrong.

    python bench/speaker_groups.py [--devices 2,4,8] [--rounds 20]

For each group size: that many devices register, measure their clock offset NTP-style against
`POST /api/v1/clock` (each device's clock is off by a random -5..+5 s), open their event stream
(SSE) and join a speaker group; then the group is started `--rounds` times. Each member gets a
`play` command with a start instant on its own clock; read back on the real clock, the spread
between the first and the last member is the figure (goal: under 50 ms). Also the time from the
server's change to each stream's `state` event (push latency; goal: under 200 ms) and how early
the command arrives before the start (lead).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import httpx2
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' live server

from tests.e2e.conftest import sign_in
from tests.e2e.live import EventStream, live_server
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

from _results import write_results
from cadenza.api.app import create_app
from cadenza.bootstrap import bootstrap
from cadenza.client.clock_sync import measure
from cadenza.config import Settings
from cadenza.domain.plans import Plan


def run_size(
    http: httpx2.Client, server: str, size: int, rounds: int, tag: str
) -> dict[str, list[float]]:
    skews = [random.uniform(-5_000, 5_000) for _ in range(size)]
    ids = []
    for n, skew in enumerate(skews):
        body = {"name": f"{tag} speaker {n}", "type": "speaker", "supports_volume": True}
        device_id = http.post("/api/v1/me/devices", json=body).json()["id"]

        def local_ms(skew: float = skew) -> float:
            return time.time() * 1000 + skew

        def exchange(t0: float) -> tuple[float, float]:
            answer = http.post("/api/v1/clock", json={"t0": t0}).json()
            return answer["t1"], answer["t2"]

        found = measure(exchange, local_ms)
        http.put(
            f"/api/v1/me/devices/{device_id}/clock",
            json={"offset_ms": found.offset_ms, "rtt_ms": found.rtt_ms},
        )
        ids.append(device_id)
    group = http.post("/api/v1/me/speaker-groups", json={"name": tag, "device_ids": ids}).json()
    spreads, pushes, leads = [], [], []
    with ExitStack() as stack:
        streams = []
        for device_id in ids:
            ticket = http.post("/api/v1/me/player/stream-ticket", json={"device_id": device_id})
            streams.append(stack.enter_context(EventStream(server + ticket.json()["url"])))
        for stream in streams:
            stream.next("state")
        time.sleep(0.3)
        for stream in streams:
            stream.drain()
        for _ in range(rounds):
            played = http.put(f"/api/v1/me/speaker-groups/{group['id']}/play", json={}).json()
            changed = datetime.fromisoformat(played["updated_at"])
            starts = []
            for stream, skew in zip(streams, skews, strict=True):
                state = stream.next("state")
                pushes.append((state.received_at - changed).total_seconds() * 1000)
                command = stream.next("command")
                starts.append(command.data["start_at"] - skew)
                leads.append(
                    command.data["start_at"] - (command.received_at.timestamp() * 1000 + skew)
                )
            spreads.append(max(starts) - min(starts))
            time.sleep(0.05)
            for stream in streams:
                stream.drain()
    return {"spread": spreads, "push": pushes, "lead": leads}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", default="2,4,8")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    sizes = [int(n) for n in args.devices.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp) / "var", billing_interval_s=0, distributor_key="bench-key"
        )
        settings.player_stream_keepalive_s = 0.5
        app = bootstrap(settings)
        release = deliver(app, make_release(Path(tmp) / "release")).release_id
        with TestClient(create_app(app)) as client, live_server(app) as server:
            who = sign_in(client, app, "bench@example.org", Plan.PREMIUM_INDIVIDUAL)
            http = httpx2.Client(base_url=server, headers=who, timeout=30)
            http.put("/api/v1/me/player/play", json={"context": {"kind": "release", "id": release}})
            figures: dict[str, float] = {}
            notes: dict[str, str] = {}
            every: dict[str, list[float]] = {"spread": [], "push": [], "lead": []}
            for size in sizes:
                found = run_size(http, server, size, args.rounds, f"group of {size}")
                for key in every:
                    every[key] += found[key]
                figures[f"spread_max_ms_{size}_devices"] = round(max(found["spread"]), 2)
                notes[f"spread_max_ms_{size}_devices"] = "worst start spread over the rounds"
            http.close()
        app.close()
    figures = {
        "group_start_spread_ms": round(max(every["spread"]), 2),
        "group_start_spread_p50_ms": round(statistics.median(every["spread"]), 2),
        "push_latency_p50_ms": round(statistics.median(every["push"]), 1),
        "push_latency_p99_ms": round(percentile(every["push"], 0.99), 1),
        "min_command_lead_ms": round(min(every["lead"]), 1),
        **figures,
    }
    notes |= {
        "group_start_spread_ms": "worst spread of a group's start, real clock (goal < 50)",
        "group_start_spread_p50_ms": "median spread",
        "push_latency_p50_ms": "server change -> state event on a device (goal < 200)",
        "push_latency_p99_ms": "the same, 99th percentile",
        "min_command_lead_ms": "least time a member had between the command and its start",
    }
    write_results("speaker_groups", figures, notes)


if __name__ == "__main__":
    main()
