"""deploy/local-cluster.sh from Python: start it in a folder, stop it, and put a release and
signed-in Premium listeners into it (through node1's settings, as an operator's `cadenza
ingest` would). Used by tests/e2e/test_local_cluster.py and bench/drills.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.audio import Quality
from cadenza.domain.catalog import Viewer
from cadenza.domain.plans import Plan
from cadenza.ingest.delivery import ingest_delivery
from cadenza.services.access_tokens import new_secret_token, token_hash
from tests.fixtures.releases import make_release

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "local-cluster.sh"


@dataclass(frozen=True)
class Listener:
    account_id: int
    token: str
    track_id: int


def script(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {"CADENZA_PYTHON": sys.executable}
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, **env),
    )


def alive(pid: int) -> bool:
    """The process runs (a zombie left by a process that is not ours counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def state(folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((folder / "cluster.json").read_text())
    return found


@contextmanager
def cluster(folder: Path, *extra: str) -> Iterator[dict[str, Any]]:
    """The cluster up in `folder` for the block, down after (even when the block fails)."""
    started = script("up", str(folder), *extra)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield state(folder)
    finally:
        if (folder / "cluster.json").exists():
            stopped = script("down", str(folder))
            assert stopped.returncode == 0, stopped.stdout + stopped.stderr


def node_settings(folder: Path, node: str = "node1") -> Settings:
    env = dict(
        line.split("=", 1) for line in (folder / f"{node}.env").read_text().splitlines() if line
    )
    fields = {k.removeprefix("CADENZA_").lower(): v for k, v in env.items()}
    fields["background"] = "false"
    fields["workers"] = "1"
    return Settings(**fields)


def seed(folder: Path, listeners: int, seconds: float = 20.0) -> list[Listener]:
    """A release of three tracks (`seconds` long) and `listeners` Premium accounts, each with
    a session and an access token (2 hours) signed with the cluster's key."""
    app = bootstrap(node_settings(folder))
    try:
        release = folder / "seed-release"
        make_release(release, formats=("flac", "flac", "flac"), seconds=seconds)
        made = ingest_delivery(
            app.ingest_tools(),
            release,
            app.distributor_id("Cluster"),
            limits=app.zip_limits,
            strict_cover=False,
        )
        viewer = Viewer(country="GB", now=datetime.now(UTC))
        tracks = [t.id for t in app.catalog.release(made.release_id, viewer).tracks]
        assert all(app.catalog.playable(t, Quality.VERY_HIGH, viewer) for t in tracks)
        return make_listeners(app, listeners, tracks)
    finally:
        app.close()


def make_listeners(app: App, count: int, tracks: list[int]) -> list[Listener]:
    password_hash = app.hasher.hash(new_secret_token())
    now = datetime.now(UTC)
    expires = now + timedelta(hours=2)
    made: list[Listener] = []
    with app.uow() as uow:
        for i in range(count):
            account_id = uow.accounts.add(
                f"cluster{i:05d}@example.com", password_hash, f"Listener {i}", "GB",
                date(1990, 1, 1),
            )  # fmt: skip
            assert account_id is not None
            uow.accounts.set_roles(account_id, ["listener"])
            uow.accounts.mark_verified(account_id, now)
            device = uow.sessions.save_device(
                account_id, token_hash(new_secret_token()), "Drill", "GB", now
            )
            creds = uow.accounts.credentials(account_id)
            assert creds is not None
            session_id = uow.sessions.start_session(
                account_id, device, token_hash(new_secret_token()), now, expires, creds.version
            )
            token = app.sessions.tokens.issue(account_id, session_id, expires)
            made.append(Listener(account_id, token, tracks[i % len(tracks)]))
        uow.commit()
    for listener in made:
        app.subscriptions.grant(listener.account_id, Plan.PREMIUM_INDIVIDUAL)
    return made
