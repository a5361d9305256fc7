"""OpenSubsonic against the native API, in one run on one server: does /rest cost more?

    python bench/subsonic.py [--seconds 10] [--rounds 2] [--connections 16]

1. Catalog (fresh data dir, SQLite): one release of three 45-second tracks of noise, ingested
   by the real pipeline; one Premium listener with a live session (an access token for
   /api/v1) and an app API key (for /rest: `apiKey`, OpenSubsonic's apiKeyAuthentication).
2. One server: `python -m cadenza serve` (uvicorn, one process, access log off).
3. wrk (C, one thread, `--connections` keep-alive connections) for `--seconds` / `--rounds`
   seconds a round, the setups taking turns each round:
   - `native_stream`: random 64 KiB ranges of `GET /api/v1/tracks/{id}/stream?quality=very_high`
     (the signed-in route, checked in full on every request);
   - `rest_stream`: the same ranges of `GET /rest/stream?id=tr-{id}` (Premium's default, the same
     320 kbit/s file, checked in full on every request);
   - `native_browse`: `GET /api/v1/browse/new-releases?limit=10` and
     `GET /api/v1/search?q=song&limit=20`, alternately;
   - `rest_browse`: `GET /rest/getAlbumList2?type=newest&size=10&f=json` and
     `GET /rest/search3?query=song&f=json`, alternately.
   The figures are requests per second and the ratios /rest : /api/v1 (goal: at least 0.8).
wrk comes from Debian (`apt-get install -y wrk` when missing; the bench runs as root).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the release fixtures

from _results import write_results
from cadenza.bootstrap import bootstrap
from cadenza.config import Settings
from cadenza.domain.app_access import AppCredentialKind
from streaming import (  # the same catalog, listeners and server as bench/streaming.py
    FIRST_CHUNK,
    WRK,
    Processes,
    cpu_seconds,
    raise_open_files,
    seed,
)

WRK_SCRIPT = """
local requests = {%(requests)s}
local ranged = %(ranged)s
local size = %(size)d
local chunk = %(chunk)d
local n = 0
math.randomseed(%(seed)d)
request = function()
  n = n + 1
  local path = requests[(n %% #requests) + 1]
  local headers = {%(headers)s}
  if ranged then
    local offset = math.random(0, size - chunk)
    headers["Range"] = "bytes=" .. offset .. "-" .. (offset + chunk - 1)
  end
  return wrk.format("GET", path, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "status_errors": %%d, "socket_errors": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def ensure_wrk() -> None:
    if WRK.exists():
        return
    print("wrk is missing: apt-get install -y wrk ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)


def run_wrk(
    port: int,
    paths: list[str],
    headers: dict[str, str],
    *,
    ranged: bool,
    size: int,
    seconds: float,
    connections: int,
    root: Path,
    pid: int,
) -> dict[str, float]:
    script = root / f"wrk-{random.randrange(10**9)}.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "requests": ", ".join(json.dumps(p) for p in paths),
            "ranged": "true" if ranged else "false",
            "size": size,
            "chunk": FIRST_CHUNK,
            "seed": random.randrange(10**6),
            "headers": ", ".join(
                f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()
            ),
        }
    )
    command = [str(WRK), "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    command += ["-s", str(script), f"http://127.0.0.1:{port}"]
    cpu0 = cpu_seconds([pid])
    ran = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True)
    cpu = cpu_seconds([pid]) - cpu0
    line = next(x for x in ran.stdout.splitlines() if x.startswith("WRK "))
    got = json.loads(line.removeprefix("WRK "))
    return {
        "span_s": got["duration_us"] / 1e6,
        "ok": got["requests"] - got["status_errors"],
        "errors": float(got["status_errors"] + got["socket_errors"]),
        "p99_ms": got["p99_us"] / 1000,
        "cpu_s": cpu,
    }


def check(port: int, path: str, headers: dict[str, str]) -> None:
    """Each setup's first request answers as it should (a bench of refusals measures nothing)."""
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read(4096)
    assert answer.status in (200, 206), (path, answer.status)
    if b"subsonic-response" in body:
        assert b'"status": "ok"' in body, body[:300]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per setup, all rounds")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    ensure_wrk()
    raise_open_files()
    root = Path(tempfile.mkdtemp(prefix="cadenza-subsonic-bench-"))
    processes = Processes()
    try:
        data_dir = root / "data"
        settings = Settings(data_dir=data_dir)
        catalog = seed(settings, 1, random.Random(1))
        listener = catalog.listeners[0]
        app = bootstrap(settings)
        try:
            _, key = app.app_access.create(listener.account_id, AppCredentialKind.KEY, "bench")
        finally:
            app.close()
        port, pid = processes.cadenza(data_dir, "subsonic", {})
        bearer = {"Authorization": f"Bearer {listener.token}"}
        tracks = sorted(catalog.blob_paths)
        size = catalog.very_high_bytes
        setups = {
            "native_stream": (
                [f"/api/v1/tracks/{t}/stream?quality=very_high" for t in tracks],
                bearer,
                True,
            ),
            "rest_stream": (
                [f"/rest/stream.view?id=tr-{t}&apiKey={key}" for t in tracks],
                {},
                True,
            ),
            "native_browse": (
                ["/api/v1/browse/new-releases?limit=10", "/api/v1/search?q=song&limit=20"],
                bearer,
                False,
            ),
            "rest_browse": (
                [
                    f"/rest/getAlbumList2.view?type=newest&size=10&f=json&apiKey={key}",
                    f"/rest/search3.view?query=song&f=json&apiKey={key}",
                ],
                {},
                False,
            ),
        }
        for paths, headers, _ in setups.values():
            for path in paths:
                check(port, path, headers)
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name in setups}
        for _ in range(args.rounds):
            for name, (paths, headers, ranged) in setups.items():
                rounds[name].append(
                    run_wrk(
                        port,
                        paths,
                        headers,
                        ranged=ranged,
                        size=size,
                        seconds=args.seconds / args.rounds,
                        connections=args.connections,
                        root=root,
                        pid=pid,
                    )
                )
                time.sleep(0.5)
    finally:
        processes.stop()
        shutil.rmtree(root, ignore_errors=True)
    figures: dict[str, float] = {}
    for name, runs in rounds.items():
        span = sum(r["span_s"] for r in runs)
        ok = sum(r["ok"] for r in runs)
        figures[f"{name}_rps"] = ok / span
        figures[f"{name}_p99_ms"] = max(r["p99_ms"] for r in runs)
        figures[f"{name}_errors"] = sum(r["errors"] for r in runs)
        figures[f"{name}_cpu_us_per_request"] = sum(r["cpu_s"] for r in runs) / max(ok, 1) * 1e6
    figures["rest_vs_native_stream"] = figures["rest_stream_rps"] / figures["native_stream_rps"]
    figures["rest_vs_native_browse"] = figures["rest_browse_rps"] / figures["native_browse_rps"]
    figures["load_after"] = os.getloadavg()[0]
    notes = {
        "rest_vs_native_stream": "64 KiB ranges a second, /rest/stream : /api/v1/tracks/{id}/stream (goal >= 0.8)",
        "rest_vs_native_browse": "getAlbumList2 + search3 : new releases + search, a second (goal >= 0.8)",
        "load_after": "the machine's load average (other work on it shows)",
    }
    write_results("subsonic", figures, notes)


if __name__ == "__main__":
    main()
