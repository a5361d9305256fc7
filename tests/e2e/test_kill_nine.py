"""A server killed with SIGKILL mid-delivery leaves no process behind (transcode workers, fork
server, resource tracker) and the next start sweeps the work folders it left."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx2
import psutil

from cadenza.adapters.work_dir import LOCK_NAME
from cadenza.bootstrap import bootstrap
from cadenza.config import Settings
from tests.fixtures.releases import make_release

KEY = "test-distributor-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def work_folders(work: Path) -> set[str]:
    return {p.name for p in work.iterdir() if p.name != LOCK_NAME} if work.exists() else set()


def test_killed_server_leaves_no_children_and_the_next_start_sweeps_its_work(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
        "CADENZA_DISTRIBUTOR_KEY": KEY,
        "CADENZA_BILLING_INTERVAL_S": "0",
        "CADENZA_SEARCH_POPULARITY_INTERVAL_S": "0",
        "CADENZA_TRANSCODE_WORKERS": "2",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "cadenza", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    return True
            except (urllib.error.URLError, ConnectionError):
                return False

        wait_for(answers, 120, "the server did not start")
        release = make_release(tmp_path / "long", formats=("flac", "flac"), seconds=90.0)
        files = [("files", (p.name, p.read_bytes())) for p in sorted(release.iterdir())]
        with httpx2.Client(base_url=base, timeout=60) as http:
            sent = http.post(
                "/api/v1/distributor/releases", files=files, headers={"X-Distributor-Key": KEY}
            )
        assert sent.status_code == 202, sent.text

        parent = psutil.Process(server.pid)
        work = settings.work_dir
        wait_for(
            lambda: len(parent.children(recursive=True)) >= 3 and work_folders(work),
            120,
            "no transcoding started",
        )
        children = parent.children(recursive=True)
        left = work_folders(work)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)

    wait_for(
        lambda: not any(alive(c) for c in children),
        60,
        f"children outlived the server: {[c.pid for c in children if alive(c)]}",
    )
    assert left <= work_folders(work)  # nobody cleaned up after the killed server

    restarted = bootstrap(settings)
    try:
        assert not (left & work_folders(work))
    finally:
        restarted.close()
