"""CADENZA_DATABASE_REPLICA_URL: catalog pages and search read a PostgreSQL streaming replica,
while sign-in and everything that must read its own writes stay on the primary. A real primary
and replica pair, started by the test (tests/e2e/pg_pair.py); the replica is made to lag by
pausing its replay."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from cadenza.api.app import create_app
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from tests.conftest import TEST_HASHER
from tests.e2e.conftest import sign_in
from tests.e2e.live import wait_until
from tests.e2e.pg_pair import PgPair, primary_and_replica
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver


@pytest.fixture
def pair() -> Iterator[PgPair]:
    with primary_and_replica() as found:
        yield found


def replay(pair: PgPair, paused: bool) -> None:
    engine = create_engine(pair.replica_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as db:
        db.execute(text(f"SELECT pg_wal_replay_{'pause' if paused else 'resume'}()"))
    engine.dispose()


def release_titles(client: TestClient, who: dict[str, str], words: str) -> list[str]:
    found = client.get("/api/v1/search", params={"q": words, "type": "release"}, headers=who)
    assert found.status_code == 200, found.text
    group = found.json()["releases"] or {"items": []}
    return [hit["release"]["title"] for hit in group["items"]]


def test_catalog_and_search_read_the_replica_and_own_writes_the_primary(
    pair: PgPair, tmp_path: Path, shared_workers: ProcessPoolExecutor
) -> None:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=pair.primary_url,
        database_replica_url=pair.replica_url,
        distributor_key="test-distributor-key",
        transcode_workers=2,
        billing_interval_s=0,
        search_popularity_interval_s=0,
        charts_interval_s=0,
        artist_stats_interval_s=0,
        session_prune_interval_s=0,
        blob_sweep_interval_s=0,
        recs_train_hours=0,
        royalty_close_day=0,
        deal_clock_interval_s=0,
    )
    app: App = bootstrap(settings)
    app.shared_pool = shared_workers
    app.__dict__["hasher"] = TEST_HASHER
    try:
        first = deliver(app, make_release(tmp_path / "a", title="Night Drive")).release_id
        with TestClient(create_app(app)) as client:
            ada = sign_in(client, app, "ada@example.org")
            page = f"/api/v1/releases/{first}"
            wait_until(lambda: client.get(page, headers=ada).status_code == 200, "replicated")
            assert release_titles(client, ada, "night drive") == ["Night Drive"]

            replay(pair, paused=True)  # the replica falls behind
            second = deliver(
                app,
                make_release(
                    tmp_path / "b",
                    title="Morning Walk",
                    artist="Other Band",
                    upc="210987654321",
                    first_isrc=10,
                ),
            ).release_id
            # Signing in writes a session and reads it back at once: on the primary.
            bob = sign_in(client, app, "bob@example.org")
            assert client.get("/api/v1/me", headers=bob).json()["email"] == "bob@example.org"
            # The catalog page and search answer from the replica, which has not seen it yet.
            later = f"/api/v1/releases/{second}"
            assert client.get(later, headers=bob).status_code == 404
            assert release_titles(client, bob, "morning walk") == []

            replay(pair, paused=False)  # caught up: there it is
            wait_until(lambda: client.get(later, headers=bob).status_code == 200, "caught up")
            assert release_titles(client, bob, "morning walk") == ["Morning Walk"]
    finally:
        replay(pair, paused=False)
        app.close()
