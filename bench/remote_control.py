"""Remote control latency on loopback: how soon another device of the listener hears a change.

    python bench/remote_control.py [--rounds 50]

Two devices of one Premium listener (a phone and a speaker) open their event streams (SSE) on
a real server; then `--rounds` times the listener seeks through the REST API, and the speaker's
`state` event is timed from the server's change (`updated_at`, same host, same clock); and
`--rounds` times the phone sends the speaker a `seek` command, timed from the request leaving
the client to the command arriving on the speaker's stream. Goal: p50 under 200 ms for both
(tests/e2e/test_remote_control.py checks what arrives, never how fast). The speaker-group start
spread and clock offsets are in bench/speaker_groups.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
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
from cadenza.config import Settings
from cadenza.domain.plans import Plan


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def register(http: httpx2.Client, name: str, kind: str) -> str:
    body = {"name": name, "type": kind, "supports_volume": True}
    found: str = http.post("/api/v1/me/devices", json=body).json()["id"]
    return found


def stream(http: httpx2.Client, server: str, device_id: str) -> EventStream:
    ticket = http.post("/api/v1/me/player/stream-ticket", json={"device_id": device_id})
    return EventStream(server + ticket.json()["url"])


def measure(http: httpx2.Client, server: str, release: int, rounds: int) -> dict[str, list[float]]:
    phone, speaker = register(http, "Phone", "phone"), register(http, "Speaker", "speaker")
    http.put("/api/v1/me/player/play", json={"context": {"kind": "release", "id": release}})
    http.put("/api/v1/me/player/pause")
    pushes, commands = [], []
    with stream(http, server, phone) as on_phone:
        on_phone.next("devices")  # its own arrival, before the speaker's stream opens
        with stream(http, server, speaker) as on_speaker:
            on_speaker.next("devices")
            for n in range(rounds):
                seeked = http.put("/api/v1/me/player/seek", json={"position_ms": 1_000 + n})
                changed = datetime.fromisoformat(seeked.json()["updated_at"])
                heard = on_speaker.until(
                    lambda e, n=n: e.kind == "state" and e.data["progress_ms"] == 1_000 + n
                )[-1]
                pushes.append((heard.received_at - changed).total_seconds() * 1000)
            for n in range(rounds):
                sent = datetime.now(UTC)
                http.post(
                    "/api/v1/me/player/commands",
                    json={
                        "device_id": speaker,
                        "command": "seek",
                        "position_ms": 2_000 + n,
                        "from_device_id": phone,
                    },
                )
                heard = on_speaker.until(
                    lambda e, n=n: e.kind == "command" and e.data["position_ms"] == 2_000 + n
                )[-1]
                commands.append((heard.received_at - sent).total_seconds() * 1000)
    return {"push": pushes, "command": commands}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp) / "var", billing_interval_s=0, distributor_key="bench-key"
        )
        settings.player_stream_keepalive_s = 0.5
        app = bootstrap(settings)
        release = deliver(app, make_release(Path(tmp) / "release")).release_id
        started = time.monotonic()
        with TestClient(create_app(app)) as client, live_server(app) as server:
            who = sign_in(client, app, "bench@example.org", Plan.PREMIUM_INDIVIDUAL)
            with httpx2.Client(base_url=server, headers=who, timeout=30) as http:
                found = measure(http, server, release, args.rounds)
        app.close()
    figures = {
        "state_push_p50_ms": round(statistics.median(found["push"]), 1),
        "state_push_p95_ms": round(percentile(found["push"], 0.95), 1),
        "command_delivery_p50_ms": round(statistics.median(found["command"]), 1),
        "command_delivery_p95_ms": round(percentile(found["command"], 0.95), 1),
        "run_s": round(time.monotonic() - started, 1),
    }
    notes = {
        "state_push_p50_ms": "server change -> state event on the other device (goal < 200)",
        "state_push_p95_ms": "the same, 95th percentile",
        "command_delivery_p50_ms": "command sent by one device -> on the target's stream",
        "command_delivery_p95_ms": "the same, 95th percentile",
        "run_s": "the whole measurement, server start included",
    }
    write_results("remote_control", figures, notes)


if __name__ == "__main__":
    main()
