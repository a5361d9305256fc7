"""The embedded server's footprint: memory of the HTTP process idle and after 1,000 requests.

    python bench/footprint.py [--requests 1000]

`cadenza serve` (one process, SQLite) on an empty data dir where one listener account was made
with `cadenza users create`. Figures: the time from the command's start to the first answered
request (/healthz), the resident memory (RSS) of the server process 2 s after that, and its RSS
after N requests of a listener's mix (sign-in, Home's shelves, search, an unknown release, the
account, Daily Mixes, playlists, the web player's files, the OpenAPI document). Compared with
Navidrome's ~55 MB idle and a Python Subsonic server's 50-84 MB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from email import policy
from email.parser import BytesParser
from pathlib import Path

import psutil

from _results import write_results

EMAIL = "listener@footprint.cadenza.localhost"
PASSWORD = "a long and unusual listening phrase"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, body: object = None, token: str | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def sign_in(url: str, outbox: Path) -> str:
    form = {"email": EMAIL, "password": PASSWORD, "device_id": "bench", "device_name": "bench"}
    status, body = fetch(url + "/api/v1/auth/token", form)
    if status == 401:
        deadline = time.monotonic() + 30
        code = None
        while code is None and time.monotonic() < deadline:
            for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
                mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
                found = re.search(r"enter this code: (\d{6})", mail.get_content())
                code = found.group(1) if found else code
            time.sleep(0.1)
        status, body = fetch(url + "/api/v1/auth/token", form | {"email_code": str(code)})
    assert status == 200, body
    return str(json.loads(body)["access_token"])


def mixed(url: str, token: str) -> itertools.cycle[tuple[str, str | None]]:
    return itertools.cycle(
        [
            ("/healthz", None),
            ("/", None),
            ("/static/js/app.js", None),
            ("/api/v1/browse/new-releases?country=US", None),
            ("/api/v1/browse/editorial-playlists", None),
            ("/api/v1/search?q=night", token),
            ("/api/v1/releases/12345", None),
            ("/api/v1/me", token),
            ("/api/v1/me/daily-mixes", token),
            ("/api/v1/me/playlists", token),
            ("/api/v1/me/tracks", token),
            ("/api/v1/demo/progress", None),
            ("/openapi.json", None),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "var"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")}
        env |= {"CADENZA_DATA_DIR": str(data), "CADENZA_PUBLIC_URL": url}
        subprocess.run(
            [sys.executable, "-m", "cadenza", "users", "create", EMAIL, "--password-stdin"],
            input=PASSWORD,
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
        log = (Path(work) / "server.log").open("wb")
        start = time.monotonic()
        server = subprocess.Popen(
            [sys.executable, "-m", "cadenza", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            while not _answers(url):
                if server.poll() is not None:
                    raise SystemExit(f"the server stopped: see {work}/server.log")
                time.sleep(0.01)
            start_s = time.monotonic() - start
            time.sleep(2)
            process = psutil.Process(server.pid)
            idle = process.memory_info().rss / 1024**2
            token = sign_in(url, data / "outbox")
            requests = mixed(url, token)
            for _ in range(args.requests):
                path, auth = next(requests)
                fetch(url + path, token=auth)
            after = process.memory_info().rss / 1024**2
            modules = _heavy_modules(process)
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = {
        "idle_rss_mb": round(idle, 1),
        "rss_after_1000_requests_mb": round(after, 1),
        "start_s": round(start_s, 3),
    }
    notes = {
        "idle_rss_mb": "the server process 2 s after its first answer (goal <= 80)",
        "rss_after_1000_requests_mb": f"after {args.requests} mixed requests (goal <= 120)",
        "start_s": f"`cadenza serve` -> /healthz answered; heavy libraries loaded: {modules}",
    }
    write_results("footprint", figures, notes)


def _answers(url: str) -> bool:
    try:
        return fetch(url + "/healthz")[0] == 200
    except OSError:
        return False


def _heavy_modules(process: psutil.Process) -> str:
    """Which of the big libraries the server process has mapped (their shared objects)."""
    names = {"numpy": "numpy", "scipy": "scipy", "av": "av.libs", "PIL": "pillow.libs"}
    mapped = " ".join(m.path for m in process.memory_maps())
    found = [name for name, mark in names.items() if mark in mapped.lower()]
    return ", ".join(found) or "none"


if __name__ == "__main__":
    main()
