"""Terminal player start on loopback: from `play` to the first sound, fetched from the server
(an empty cache) or replayed from the sealed disk cache; and the cache's sealing speed.

    python bench/client_start.py [--rounds 10]

One Premium listener's terminal device (cadenza.client.device.PlayingDevice, null sink) on a
real server; each round plays a 30 s song with an empty cache, then plays it again from the
cache (a new player, as after a restart). Timed from the call to the first block of samples
reaching the sink. The audio requests are counted (the replay must make none; a first play
fetches in ranges at play pace), and the share of the file that had arrived when the first
samples went out (1.0 for a player that waits for the whole file).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' live server

from tests.e2e.conftest import sign_in
from tests.e2e.live import live_server
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

from _results import write_results
from cadenza.api.app import create_app
from cadenza.bootstrap import bootstrap
from cadenza.client import (
    CachedAudio,
    CadenzaClient,
    DiskCache,
    EventJournal,
    ServerAudio,
    Tokens,
    Vault,
)
from cadenza.client.audio_out import NullSink
from cadenza.client.device import PlayingDevice
from cadenza.config import Settings
from cadenza.domain.plans import Plan


class TimedSink(NullSink):
    """A null sink that notes when the first samples after `arm()` arrive."""

    def arm(self) -> None:
        self.first: float | None = None

    def write(self, pcm: np.ndarray[Any, np.dtype[np.int16]]) -> None:
        if getattr(self, "first", 0.0) is None:
            self.first = time.perf_counter()
        super().write(pcm)


async def first_sound(
    player: PlayingDevice, sink: TimedSink, track: int, arrived: list[float]
) -> float:
    sink.arm()
    started = time.perf_counter()
    await player.play(track_ids=[track])
    while sink.first is None:
        await asyncio.sleep(0.001)
    stream = getattr(player.deck, "stream", None)  # none before streaming: the whole file
    arrived.append(stream.received() / stream.size if stream is not None else 1.0)
    return (sink.first - started) * 1000


async def measure(base: str, token: str, track: int, rounds: int, folder: Path) -> dict[str, Any]:
    audio: list[str] = []

    async def saw(request: httpx.Request) -> None:
        if request.url.path.startswith("/api/v1/audio/"):
            audio.append(request.url.path)

    http = httpx.AsyncClient(base_url=base, timeout=30, event_hooks={"request": [saw]})
    client = CadenzaClient(base, http=http)
    client.tokens = Tokens(token, None)
    vault = Vault.at(folder / "key")
    sink = TimedSink()
    cold, warm, cold_requests, warm_requests = [], [], 0, 0
    arrived: list[float] = []
    for n in range(rounds):
        cache = DiskCache(folder / f"cache-{n}", vault, limit_bytes=100 * 1000**2)
        for timings in (cold, warm):  # a new player each time: the second finds the cache
            player = PlayingDevice(
                client, CachedAudio(cache, ServerAudio(client)), sink, EventJournal(folder / "j")
            )
            await player.start()
            before = len(audio)
            timings.append(
                await first_sound(player, sink, track, arrived if timings is cold else [])
            )
            if timings is cold:
                # Fetched at play pace: sealed into the cache once all of it is in (the read-
                # ahead reaches the end 20 s before it), then the replay can find it.
                while not any(cache.folder.glob("*.sealed")):
                    await asyncio.sleep(0.05)
                cold_requests += len(audio) - before
            else:
                warm_requests += len(audio) - before
            await client.pause()
            await player.stop()
    await client.aclose()
    return {
        "cold": cold,
        "warm": warm,
        "cold_requests": cold_requests,
        "warm_requests": warm_requests,
        "arrived": arrived,
    }


def sealing_mb_s(folder: Path) -> tuple[float, float]:
    vault = Vault.at(folder / "seal-key")
    data = os.urandom(10 * 1000**2)
    started = time.perf_counter()
    sealed = vault.seal(data, "x.opus")
    sealed_s = time.perf_counter() - started
    started = time.perf_counter()
    vault.open(sealed, "x.opus")
    opened_s = time.perf_counter() - started
    return 10 / sealed_s, 10 / opened_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(data_dir=root / "var", billing_interval_s=0, distributor_key="k")
        app = bootstrap(settings)
        release = deliver(app, make_release(root / "release", seconds=30)).release_id
        with TestClient(create_app(app)) as test_client, live_server(app) as base:
            who = sign_in(test_client, app, "bench@example.org", Plan.PREMIUM_INDIVIDUAL)
            track = test_client.get(f"/api/v1/releases/{release}", headers=who).json()
            first = int(track["tracks"][0]["id"])
            token = who["Authorization"].removeprefix("Bearer ")
            found = asyncio.run(measure(base, token, first, args.rounds, root / "client"))
        app.close()
        seal, unseal = sealing_mb_s(root)
    figures = {
        "server_start_p50_ms": round(statistics.median(found["cold"]), 1),
        "server_start_max_ms": round(max(found["cold"]), 1),
        "cached_start_p50_ms": round(statistics.median(found["warm"]), 1),
        "cached_start_max_ms": round(max(found["warm"]), 1),
        "server_arrived_at_first_sound": round(statistics.median(found["arrived"]), 3),
        "server_audio_requests": found["cold_requests"],
        "cached_audio_requests": found["warm_requests"],
        "seal_mb_s": round(seal, 1),
        "unseal_mb_s": round(unseal, 1),
        "run_s": round(time.monotonic() - started, 1),
    }
    notes = {
        "server_start_p50_ms": "play -> first samples at the sink, empty cache (30 s song)",
        "server_start_max_ms": "the slowest of those",
        "cached_start_p50_ms": "the same song again, from the sealed disk cache",
        "cached_start_max_ms": "the slowest of those",
        "server_arrived_at_first_sound": "share of the file in when the first samples went out, p50",
        "server_audio_requests": "audio requests (ranges) made by the first plays",
        "cached_audio_requests": "audio requests made by the replays (goal 0)",
        "seal_mb_s": "AES-256-GCM sealing of a 10 MB file, MB/s",
        "unseal_mb_s": "opening it again, MB/s",
        "run_s": "the whole run, ingest included",
    }
    write_results("client_start", figures, notes)


if __name__ == "__main__":
    main()
