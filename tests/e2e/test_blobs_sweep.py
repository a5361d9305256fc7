"""The orphan sweep: an ingest killed between writing its audio and committing it leaves files
nothing refers to; `cadenza job run blobs-sweep` (and the server, daily) removes them once
older than the grace period, and never a file a release or an ad campaign uses, nor one an
ingest running meanwhile has just written."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from tests.e2e.ad_helpers import create_campaign, creative, operator_made
from tests.e2e.live import wait_until
from tests.e2e.test_cli import cadenza
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

HOUR = 3600.0


def stored_hours_ago(app: App, digest: str, hours: float) -> None:
    then = time.time() - hours * HOUR
    os.utime(app.blobs.path_of(digest), (then, then))


def test_the_sweep_removes_old_orphans_only(
    app: App, client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    release = deliver(app, make_release(tmp_path / "delivery"))
    advertiser = operator_made(client, app, "ads@example.org", "advertiser")
    made = create_campaign(client, advertiser, creative(tmp_path / "spot"))
    assert made.status_code == 201, made.text
    in_use = set(app.blobs.digests())  # the release's audio and covers, the ad's audio and image
    # What a killed ingest left: audio written, never committed. And a running ingest's file.
    killed = app.blobs.put_bytes(b"opus audio of a release whose ingest was killed" * 100)
    running = app.blobs.put_bytes(b"opus audio of an ingest still running" * 100)
    stale_write = app.blobs.path_of(killed.digest).parent.parent.parent / "tmp" / "half"
    stale_write.parent.mkdir(exist_ok=True)
    stale_write.write_bytes(b"half a blob")
    os.utime(stale_write, (time.time() - 30 * HOUR,) * 2)
    for digest in in_use | {killed.digest}:
        stored_hours_ago(app, digest, 30)  # all older than the default grace of 24 h
    stored_hours_ago(app, running.digest, 2)

    swept = cadenza(settings, "job", "run", "blobs-sweep")
    assert swept.returncode == 0, swept.stderr
    assert "removed 1 that nothing refers to" in swept.stdout
    assert "kept 1 younger than 24 h" in swept.stdout
    assert "removed 1 half-written files" in swept.stdout
    assert set(app.blobs.digests()) == in_use | {running.digest}
    assert not stale_write.exists()
    # The release still plays: each of its tracks' files is there.
    with app.uow() as uow:
        published = uow.catalog.release(release.release_id)
    assert published is not None
    assert all(app.blobs.exists(f.blob) for t in published.tracks for f in t.files)

    again = cadenza(settings, "job", "run", "blobs-sweep")
    assert "removed 0 that nothing refers to" in again.stdout


def test_bytes_stored_again_by_an_ingest_are_kept_and_the_grace_is_a_setting(
    app: App, settings: Settings
) -> None:
    old = app.blobs.put_bytes(b"an orphan from last week" * 100)
    reused = app.blobs.put_bytes(b"an orphan an ingest is storing again now" * 100)
    for digest in (old.digest, reused.digest):
        stored_hours_ago(app, digest, 24 * 7)
    again = app.blobs.put_bytes(b"an orphan an ingest is storing again now" * 100)
    assert again.created is False  # already there: its time is renewed, not rewritten

    report = app.blob_sweep.sweep()
    assert (report.removed, report.kept_young) == (1, 1)
    assert set(app.blobs.digests()) == {reused.digest}

    # A grace of 0 hours: nothing is too young any more.
    eager = settings.model_copy(update={"blob_sweep_grace_hours": 0.0})
    other = bootstrap(eager)
    try:
        assert other.blob_sweep.sweep().removed == 1
    finally:
        other.close()
    assert list(app.blobs.digests()) == []


def test_the_server_sweeps_on_its_own_clock(app: App, settings: Settings) -> None:
    orphan = app.blobs.put_bytes(b"left by a killed upload" * 100)
    stored_hours_ago(app, orphan.digest, 48)
    daily = settings.model_copy(update={"blob_sweep_interval_s": 86400.0})
    server = bootstrap(daily)
    stop = server.start_background()  # a first sweep at start, then daily
    try:
        # The sweep runs in a child process at nice 10: on a busy machine it waits for the cores.
        wait_until(lambda: not app.blobs.exists(orphan.digest), "the server's sweep", 240)
    finally:
        stop()
        server.close()
