"""A home server's footprint: the HTTP process of `cadenza serve` keeps the audio and image
libraries (numpy, scipy, PyAV, Pillow: about 150 MB) and Alembic out of its memory, imports a
route module only when a request needs it and leaves the OpenAPI document to a child process;
the command line imports only what a command needs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cadenza.config import Settings

HEAVY = {"numpy": "numpy", "scipy": "scipy", "PyAV": "/av/", "Pillow": "/pil", "Alembic": "alembic"}


def _env(settings: Settings) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")},
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
    }


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _loaded(pid: int) -> set[str]:
    """The heavy libraries a process has loaded: their files (shared objects, the Python files
    opened for them show in the import record below) are mapped into it."""
    maps = Path(f"/proc/{pid}/maps").read_text().lower()
    return {name for name, mark in HEAVY.items() if mark.lower() in maps}


@pytest.mark.database
def test_the_server_process_answers_without_the_audio_and_image_libraries(
    settings: Settings,
) -> None:
    """On a fresh data dir (migrated aside) and again on a migrated one."""
    for start in ("fresh", "again"):
        port = _port()
        record = settings.data_dir.parent / f"imports-{start}.txt"
        server = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "cadenza", "serve", "--port", str(port)],
            env=_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=record.open("w"),
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None, f"the server stopped ({start})"
                assert time.monotonic() < deadline, "the server did not answer"
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                        break
                except OSError:
                    time.sleep(0.1)
            for page in ("/", "/api/v1/browse/new-releases", "/api/v1/demo/progress"):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=10) as r:
                    assert r.status == 200
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=60) as r:
                document = json.loads(r.read())
            assert "/api/v1/admin/users" in document["paths"]  # every route, documented
            assert "401" in document["paths"]["/api/v1/me"]["get"]["responses"]
            assert _loaded(server.pid) == set(), start
        finally:
            server.terminate()
            server.wait(timeout=60)
        lines = record.read_text().splitlines()
        imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in lines}
        assert imported.isdisjoint({"numpy", "scipy", "av", "PIL", "alembic"}), start
        modules = {line.rsplit("|", 1)[-1].strip() for line in lines}
        assert "cadenza.api.routes.catalog" in modules  # the pages asked for
        unasked = {f"cadenza.api.routes.{m}" for m in ("admin", "royalties", "ads", "fraud")}
        assert modules.isdisjoint(unasked | {"cadenza.ingest"}), start


def test_a_command_imports_neither_the_web_framework_nor_the_audio_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cadenza", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "serve" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    tops = {name.split(".")[0] for name in imported}
    assert tops.isdisjoint({"numpy", "scipy", "av", "PIL", "fastapi", "sqlalchemy", "alembic"})


@pytest.mark.database
def test_a_command_that_opens_the_database_loads_only_what_it_uses(settings: Settings) -> None:
    """`cadenza users list` on a migrated database: no web framework, no Alembic, no audio
    library, and of the services and tables only the accounts' (about 0.5 s on a small machine
    instead of 2 s)."""
    command = [sys.executable, "-X", "importtime", "-m", "cadenza", "users", "list"]
    first = subprocess.run(command, env=_env(settings), capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    again = subprocess.run(command, env=_env(settings), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in again.stderr.splitlines()}
    tops = {name.split(".")[0] for name in imported}
    assert tops.isdisjoint({"fastapi", "starlette", "uvicorn", "alembic", "numpy", "av", "PIL"})
    assert "cadenza.services.accounts" in imported
    unused = {"cadenza.services.player", "cadenza.services.ads", "cadenza.services.search"}
    assert imported.isdisjoint(unused | {"cadenza.adapters.db.models_ads", "cadenza.ingest"})
