"""A home server's footprint: the HTTP process of `cadenza serve` keeps the audio and image
libraries (numpy, scipy, PyAV, Pillow: about 150 MB) and Alembic out of its memory, imports a
route module only when a request needs it and leaves the OpenAPI document to a child process;
the command line imports only what a command needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from cadenza.config import Settings
from tests.e2e.serve_process import served

HEAVY = {
    "numpy": "numpy",
    "scipy": "scipy",
    "PyAV": "/av/",
    "Pillow": "/pil",
    "Alembic": "alembic",
    "pyarrow": "/pyarrow/",  # the Parquet archive: its job and command only
    "pyspark": "/pyspark/",  # batch jobs with --engine spark: their command only
}


# What an idle server with its background work on never loads: the clocks' jobs run in child
# processes once a cheap check finds work, and the mail and forwarding workers start with their
# first piece of work; the clients of services a home server has not configured load when used.
IDLE_UNLOADED = {
    "cadenza.adapters.mail.smtp",  # the routes' wiring imports the mail service, not this
    "cadenza.services.scrobble_forwarding",
    "cadenza.services.history_import",
    "cadenza.services.charts",
    "cadenza.services.artist_stats",
    "cadenza.services.royalty_clock",
    "cadenza.services.royalties",
    "cadenza.services.deal_clock",
    "cadenza.services.blob_sweep",
    "cadenza.services.oauth_apps",
    "cadenza.services.fraud",
    "cadenza.services.podcasts",
    "cadenza.recs.served",
}
IDLE_UNLOADED_TOPS = {"smtplib", "prometheus_client", "boto3", "nats", "redis", "httpx"}


def _env(settings: Settings) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")},
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
    }


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
        record = settings.data_dir.parent / f"imports-{start}.txt"
        with (
            record.open("w") as imports,
            served(_env(settings), stderr=imports, python_flags=["-X", "importtime"]) as server,
        ):
            for page in ("/", "/api/v1/browse/new-releases", "/api/v1/demo/progress"):
                # the first page read through the ORM imports it (not the server's start)
                with urllib.request.urlopen(f"{server.base}{page}", timeout=60) as r:
                    assert r.status == 200
            with urllib.request.urlopen(f"{server.base}/openapi.json", timeout=60) as r:
                document = json.loads(r.read())
            assert "/api/v1/admin/users" in document["paths"]  # every route, documented
            assert "401" in document["paths"]["/api/v1/me"]["get"]["responses"]
            assert _loaded(server.process.pid) == set(), start
        lines = record.read_text().splitlines()
        imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in lines}
        assert imported.isdisjoint({"numpy", "scipy", "av", "PIL", "alembic"}), start
        modules = {line.rsplit("|", 1)[-1].strip() for line in lines}
        assert "cadenza.api.routes.catalog" in modules  # the pages asked for
        unasked = {f"cadenza.api.routes.{m}" for m in ("admin", "royalties", "ads", "fraud")}
        assert modules.isdisjoint(unasked | {"cadenza.ingest"}), start
        # nor the command line's framework (uvicorn brings Click for its own), nor the
        # pydantic v1 that FastAPI would import to ask whether a route's types are its models
        assert imported.isdisjoint({"typer", "rich"}), start
        assert "pydantic.v1" not in modules, start
        assert modules.isdisjoint(IDLE_UNLOADED), (start, modules & IDLE_UNLOADED)
        assert imported.isdisjoint(IDLE_UNLOADED_TOPS), (start, imported & IDLE_UNLOADED_TOPS)


# What a server needs for its first answer (/healthz asks the database `SELECT 1`) never waits
# for: the ORM and the tables' classes come with the first request that reads through them, the
# granted-audio path's services (grants, rip watch, the catalog's rules) with the first audio.
START_UNLOADED = {
    "sqlalchemy.orm",
    "cadenza.adapters.db.unit_of_work",
    "cadenza.api.granted_audio",
    "cadenza.services.stream_grants",
    "cadenza.services.rip_watch",
}


@pytest.mark.database
def test_the_server_answers_its_first_request_before_importing_what_requests_use(
    settings: Settings,
) -> None:
    record = settings.data_dir.parent / "imports-start.txt"
    with (
        record.open("w") as imports,
        served(_env(settings), stderr=imports, python_flags=["-X", "importtime"]),
    ):
        modules = {line.rsplit("|", 1)[-1].strip() for line in record.read_text().splitlines()}
        assert "cadenza.api.app" in modules  # the record is the server's
        assert modules.isdisjoint(START_UNLOADED), modules & START_UNLOADED


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
    library, not even SQLAlchemy (the database's own driver: one query) nor Rich's console:
    about half the CPU of the same command through SQLAlchemy Core."""
    command = [sys.executable, "-X", "importtime", "-m", "cadenza", "users", "list"]
    first = subprocess.run(command, env=_env(settings), capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    again = subprocess.run(command, env=_env(settings), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in again.stderr.splitlines()}
    tops = {name.split(".")[0] for name in imported}
    assert tops.isdisjoint({"fastapi", "starlette", "uvicorn", "alembic", "numpy", "av", "PIL"})
    assert tops.isdisjoint({"sqlalchemy", "rich"}), tops & {"sqlalchemy", "rich"}
    assert "cadenza.adapters.db.account_lines" in imported
    unused = {"cadenza.services.accounts", "cadenza.services.player", "cadenza.bootstrap"}
    assert imported.isdisjoint(unused | {"sqlalchemy.orm", "cadenza.ingest", "typer.rich_utils"})
    assert not any(name.startswith("cadenza.adapters.db.models") for name in imported)


def test_a_command_imports_only_its_own_group_of_commands() -> None:
    """`cadenza job list` builds neither the other groups kept in modules of their own (ads,
    podcasts, royalties, ...) nor Rich's console, which it never prints to; `cadenza --help`
    still lists every group."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cadenza", "job", "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "search-popularity" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    groups = {f"cadenza.cli_{m}" for m in ("ads", "apps", "recs", "royalties", "podcasts")}
    groups |= {f"cadenza.cli_{m}" for m in ("listening", "history", "events")}
    assert imported.isdisjoint(groups), imported & groups
    assert {name.split(".")[0] for name in imported}.isdisjoint({"rich", "sqlalchemy"})
    listed = subprocess.run(
        [sys.executable, "-m", "cadenza", "--help"], capture_output=True, text=True, timeout=60
    )
    for group in ("users", "ads", "apps", "recs", "royalties", "podcasts", "billing", "job"):
        assert f" {group} " in listed.stdout, group


@pytest.mark.database
def test_a_rescan_of_unchanged_files_imports_no_audio_library(
    settings: Settings, tmp_path: Path
) -> None:
    """`cadenza ingest LIBRARY` again, nothing changed: the command never decodes, encodes or
    draws a cover, so PyAV, numpy, scipy and Pillow stay out of its process."""
    from tests.fixtures.audio import make_audio

    library = tmp_path / "library"
    tags = {"title": "Song", "artists": ["Artist"], "album": "Album", "track_number": 1}
    make_audio(library / "Artist" / "Album" / "01.flac", "flac", seconds=1.0, tags=tags)
    first = subprocess.run(
        [sys.executable, "-m", "cadenza", "ingest", str(library), "--json"],
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr[-2000:]
    assert json.loads(first.stdout)["added"] == 1
    program = (
        "import atexit, runpy, sys\n"
        "heavy = ('av', 'numpy', 'scipy', 'PIL')\n"
        "atexit.register(lambda: print(sorted(m for m in heavy if m in sys.modules)))\n"
        f"sys.argv = ['cadenza', 'ingest', {str(library)!r}, '--json']\n"
        "runpy.run_module('cadenza', run_name='__main__')\n"
    )
    again = subprocess.run(
        [sys.executable, "-c", program],
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    report, loaded = again.stdout.splitlines()
    assert json.loads(report)["unchanged_files"] == 1
    assert loaded == "[]"
