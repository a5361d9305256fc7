"""Cadenza behind PgBouncer in transaction pooling mode (CADENZA_DATABASE_POOLER=pgbouncer):
`cadenza serve --workers 2` migrates a fresh database through it and serves listeners who
sign in, make playlists, stream a song and send its listening events, from several threads at
once, while the in-process App beside it (account making, grants, mail) uses the same bouncer.
Each transaction may get another server connection, so a prepared statement or session state
would break (psycopg prepares a query on its 6th run: "prepared statement "_pg3_0" does not
exist"); and the server side stays within the bouncer's pool (3 connections) however many
clients the processes open. Not a database test: it runs once a suite, on a fresh database of
its own on 127.0.0.1:5432 (as test_database_restart), through a pgbouncer it starts in a
temporary folder on a free port (`make test` installs Debian's package)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cadenza.adapters.db.driver import connect
from cadenza.adapters.db.engine import make_engine
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from cadenza.domain.plans import Plan
from tests.conftest import TEST_HASHER
from tests.e2e.conftest import LISTENER_PASSWORD, mail_to
from tests.e2e.fresh_database import MACHINE_POSTGRES, fresh_database
from tests.e2e.granted import grant_plays
from tests.e2e.live import wait_until
from tests.e2e.serve_process import served
from tests.e2e.test_kill_nine import free_port
from tests.e2e.test_listening import play
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

IMPORTS = "/api/v1/me/history/imports"
REDIS_URL = os.environ.get("CADENZA_TEST_REDIS", "redis://127.0.0.1:6379/0")  # --workers 2 needs it
POOL = 3  # the bouncer's server connections to the database
LISTENERS = 8
REFRESHES = 8
HISTORY_PLAYS = 6000  # a listener's Spotify export: twelve chunks of 500, each a transaction
MORE = {  # releases delivered during the listening
    f"Release {n}": {"title": f"Release {n}", "upc": f"00000000000{n}", "first_isrc": 10 * n}
    for n in range(1, 4)
}
PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None
)

needs_pgbouncer = pytest.mark.skipif(
    PGBOUNCER is None, reason="pgbouncer is not installed (`make pgbouncer` installs Debian's)"
)


@dataclass(frozen=True)
class Bouncer:
    url: str  # the database through the bouncer
    database: str


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the machine's server, dropped afterwards."""
    with fresh_database("cadenza_bouncer") as name:
        yield name


@pytest.fixture
def bouncer(database: str) -> Iterator[Bouncer]:
    """pgbouncer in transaction mode for `database`, as the `postgres` user when the tests run
    as root (pgbouncer refuses to run as root)."""
    assert PGBOUNCER is not None
    base = Path(tempfile.mkdtemp(prefix="cadenza-pgbouncer-", dir="/tmp"))
    port = free_port()
    (base / "users.txt").write_text('"postgres" ""\n')
    (base / "pgbouncer.ini").write_text(
        f"[databases]\n{database} = host=127.0.0.1 port=5432 dbname={database}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {base}/users.txt\n"
        f"pool_mode = transaction\ndefault_pool_size = {POOL}\nmin_pool_size = 0\n"
        f"reserve_pool_size = 0\nmax_db_connections = {POOL}\nmax_client_conn = 100\n"
        f"logfile = {base}/pgbouncer.log\npidfile = {base}/pgbouncer.pid\n"
    )
    as_root = os.geteuid() == 0
    if as_root:
        base.chmod(0o755)
        for path in (base, *base.iterdir()):
            shutil.chown(path, "postgres", "postgres")
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    process = subprocess.Popen(
        [*prefix, PGBOUNCER, str(base / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: process.poll() is None and _listening(port), "pgbouncer listens")
        url = make_url(MACHINE_POSTGRES).set(port=port, database=database)
        yield Bouncer(url.render_as_string(hide_password=False), database)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(base, ignore_errors=True)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class ServerConnections:
    """The most connections the database had on the server at once, sampled (from the
    machine's server directly, never through the bouncer) until stopped."""

    def __init__(self, database: str) -> None:
        self.most = 0
        self.samples = 0
        self._database = database
        self._stop = threading.Event()
        self._engine = create_engine(MACHINE_POSTGRES, isolation_level="AUTOCOMMIT")
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        count = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :db"
            " AND backend_type = 'client backend'"
        )
        with self._engine.connect() as db:
            while not self._stop.wait(0.02):
                now = db.execute(count, {"db": self._database}).scalar_one()
                self.most = max(self.most, now)
                self.samples += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._engine.dispose()


def settings_for(bouncer: Bouncer, data_dir: Path) -> dict[str, str]:
    """The server's and the App's settings, as environment variables."""
    return {
        "CADENZA_DATA_DIR": str(data_dir),
        "CADENZA_DATABASE_URL": bouncer.url,
        "CADENZA_DATABASE_POOLER": "pgbouncer",
        "CADENZA_DB_POOL_SIZE": "2",
        "CADENZA_DISTRIBUTOR_KEY": "test-distributor-key",
        "CADENZA_TRANSCODE_WORKERS": "2",
        "CADENZA_REDIS_URL": REDIS_URL,
        "CADENZA_REDIS_PREFIX": f"cadenza-test-{uuid.uuid4().hex[:8]}",  # tests share the Redis
        **{
            f"CADENZA_{name}": "0"
            for name in (
                "BILLING_INTERVAL_S",
                "SEARCH_POPULARITY_INTERVAL_S",
                "CHARTS_INTERVAL_S",
                "ARTIST_STATS_INTERVAL_S",
                "SESSION_PRUNE_INTERVAL_S",
                "BLOB_SWEEP_INTERVAL_S",
                "RECS_TRAIN_HOURS",
                "ROYALTY_CLOSE_DAY",
                "DEAL_CLOCK_INTERVAL_S",
                "PODCAST_CLOCK_INTERVAL_S",
            )
        },
    }


@needs_pgbouncer
def test_listeners_are_served_through_pgbouncer_in_transaction_mode(
    bouncer: Bouncer, tmp_path: Path, shared_workers: ProcessPoolExecutor
) -> None:
    data_dir = tmp_path / "var"
    env = settings_for(bouncer, data_dir)
    sampled = ServerConnections(bouncer.database)
    try:
        # The server's start migrates the fresh database (in a child process) through the bouncer.
        log = (tmp_path / "server.log").open("wb")
        with served(os.environ | env | {"CADENZA_WORKERS": "2"}, stderr=log) as server:
            fields = {k.removeprefix("CADENZA_").lower(): v for k, v in env.items()}
            app = bootstrap(Settings(**fields, background=False))  # type: ignore[arg-type]
            app.shared_pool = shared_workers
            app.__dict__["hasher"] = TEST_HASHER
            try:
                release = deliver(app, make_release(tmp_path / "release"))
                with httpx.Client(base_url=server.base, timeout=60) as web:
                    tracks = [t["id"] for t in page_of(web, release.release_id)["tracks"]]
                    # While the listeners listen, a distributor's next releases arrive: each
                    # ingest writes its tracks' rows in one transaction (psycopg would prepare
                    # those INSERTs, on whichever server connection the bouncer lent it).
                    export = spotify_export(tmp_path, page_of(web, release.release_id))
                    with ThreadPoolExecutor(LISTENERS + len(MORE) + 1) as work:
                        history = work.submit(bring_history, app, web, export)
                        arriving = [
                            work.submit(deliver, app, make_release(tmp_path / title, **more))
                            for title, more in MORE.items()
                        ]
                        done = list(
                            work.map(lambda i: listen(app, web, i, tracks), range(LISTENERS))
                        )
                        arrived = [each.result().release_id for each in arriving]
                        imported = history.result()
                    assert (imported["status"], imported["added"]) == ("done", HISTORY_PLAYS)
                    for release_id in arrived:
                        page = web.get(f"/api/v1/releases/{release_id}")
                        assert page.status_code == 200, page.text
                        assert len(page.json()["tracks"]) == 3
                assert done == [tracks[0]] * LISTENERS
                assert app.listening.streams(tracks[0]) == LISTENERS
            finally:
                app.close()
    finally:
        sampled.stop()
    assert sampled.samples > 0
    # Three server processes and the App, two to four connections each, took turns on three.
    assert 1 <= sampled.most <= POOL, sampled.most


def page_of(web: httpx.Client, release_id: int) -> dict[str, Any]:
    page = web.get(f"/api/v1/releases/{release_id}")
    assert page.status_code == 200, page.text
    found: dict[str, Any] = page.json()
    return found


def spotify_export(folder: Path, release: dict[str, Any]) -> Path:
    """A Spotify extended streaming history of HISTORY_PLAYS plays of the release's songs."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [
        {
            "ts": (start + timedelta(minutes=5 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ms_played": 60_000,
            "master_metadata_track_name": track["title"],
            "master_metadata_album_artist_name": release["artists"][0]["name"],
            "master_metadata_album_album_name": release["title"],
            "reason_end": "trackdone",
            "skipped": False,
        }
        for n in range(HISTORY_PLAYS)
        for track in [release["tracks"][n % len(release["tracks"])]]
    ]
    path = folder / "my_spotify_data.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        name = "Spotify Extended Streaming History/Streaming_History_Audio_2025.json"
        z.writestr(name, json.dumps(rows))
    return path


def bring_history(app: App, web: httpx.Client, export: Path) -> dict[str, Any]:
    """A listener uploads their Spotify export; the server imports it in the background, a
    transaction per 500 plays (the same statements again and again on its pooled connections)."""
    who = signed_in(app, web, "history@example.org")
    with export.open("rb") as f:
        answer = web.post(IMPORTS, headers=who, files={"file": (export.name, f)})
    assert answer.status_code == 202, answer.text
    status = f"{IMPORTS}/{answer.json()['id']}"
    wait_until(lambda: web.get(status, headers=who).json()["status"] != "running", "imported", 120)
    report: dict[str, Any] = web.get(status, headers=who).json()
    return report


# Sign-ins from one address at once count as attempts in flight (the login guard's throttle):
# the listeners sign in one after another, and do all the rest at once.
ONE_SIGN_IN_AT_A_TIME = threading.Lock()


def signed_in(app: App, web: httpx.Client, email: str) -> dict[str, str]:
    """A Premium account, signed in from a new device (answering the e-mailed code)."""
    account = app.accounts.create(email, LISTENER_PASSWORD, roles=[Role.LISTENER], country="US")
    app.subscriptions.grant(account.id, Plan.PREMIUM_INDIVIDUAL)
    form = {
        "email": email,
        "password": LISTENER_PASSWORD,
        "device_id": f"device-of-{email}",
        "device_name": "test device",
    }
    with ONE_SIGN_IN_AT_A_TIME:
        answer = web.post("/api/v1/auth/token", json=form)
        if answer.status_code == 401:
            assert answer.json()["error"]["code"] == "email_code_required", answer.text
            part = mail_to(app, email)[-1].get_body(("plain",))
            assert part is not None
            code = re.search(r"enter this code: (\d{6})", str(part.get_content()))
            assert code is not None
            answer = web.post("/api/v1/auth/token", json=form | {"email_code": code.group(1)})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def listen(app: App, web: httpx.Client, number: int, tracks: list[int]) -> int:
    """One listener's session: a Premium account signs in (answering the e-mailed code), makes
    a playlist and reads it back, streams the first track and sends the play's events; what
    its recently played says it heard."""
    email = f"listener{number}@example.org"
    who = signed_in(app, web, email)
    account_id = web.get("/api/v1/me", headers=who).json()["id"]

    made = web.post("/api/v1/me/playlists", json={"name": f"Mix of {email}"}, headers=who)
    assert made.status_code == 201, made.text
    playlist = made.json()["id"]
    added = web.post(
        f"/api/v1/playlists/{playlist}/tracks", json={"track_ids": tracks}, headers=who
    )
    assert added.is_success, added.text
    listed = web.get(f"/api/v1/playlists/{playlist}/tracks", headers=who).json()
    assert [item["track"]["id"] for item in listed["items"]] == tracks

    played = web.put(
        "/api/v1/me/player/play",
        json={"track_ids": [tracks[0]], "quality": "very_high"},
        headers=who,
    )
    assert played.status_code == 200, played.text
    audio = web.get(played.json()["stream"]["url"], headers={"Range": "bytes=0-3"})
    assert audio.status_code == 206 and audio.content == b"OggS", audio.text

    events = play(tracks[0], f"play-{number}", 45, datetime.now(UTC) - timedelta(minutes=2))
    grant_plays(app, account_id, events)
    sent = web.post("/api/v1/me/player/events", json={"events": events}, headers=who)
    assert sent.status_code == 200, sent.text
    assert sent.json()["accepted"] == len(events), sent.text
    # The player refreshes its screens a few times, so each process runs its queries again and
    # again (psycopg would prepare them), each time in another transaction.
    for _ in range(REFRESHES):
        history = web.get("/api/v1/me/player/recently-played", headers=who).json()["items"]
        assert [h["listened_ms"] for h in history] == [45_000]
        listed = web.get(f"/api/v1/playlists/{playlist}/tracks", headers=who).json()
        assert len(listed["items"]) == len(tracks)
        assert app.listening.streams(tracks[0]) >= 1
    track: int = history[0]["track_id"]
    return track


def test_the_pooler_setting_leaves_no_prepared_statement_on_the_server(database: str) -> None:
    """What CADENZA_DATABASE_POOLER=pgbouncer changes, seen on the server itself: a statement
    run again and again (in committed transactions, as an import's chunks) is prepared there
    without the setting, and never with it, through SQLAlchemy and through the driver."""
    url = make_url(MACHINE_POSTGRES).set(database=database).render_as_string(hide_password=False)
    prepared = text("SELECT count(*) FROM pg_prepared_statements")
    for pooled in (False, True):
        engine = make_engine(url, pool_size=1, transaction_pooler=pooled)
        try:
            with engine.connect() as db:
                for n in range(8):
                    db.execute(text("SELECT :n + 1"), {"n": n})
                    db.commit()
                assert db.execute(prepared).scalar_one() == (0 if pooled else 1)
        finally:
            engine.dispose()
        raw = connect(url, transaction_pooler=pooled)
        assert raw is not None
        try:
            cursor = raw.cursor()
            for n in range(8):
                cursor.execute("SELECT %s + 1", (n,))
                raw.commit()  # type: ignore[attr-defined]
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == (0 if pooled else 1)
        finally:
            raw.close()
    settings = Settings(database_url=url, database_pooler="pgbouncer")
    assert settings.transaction_pooler
    with pytest.raises(ValidationError, match="database_pooler"):
        Settings(database_pooler="pgbouncr")
