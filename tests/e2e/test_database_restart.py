"""A PostgreSQL restart: requests wait for the server to come back and then succeed; a database
that stays away answers 503 `database_unavailable`, never a 500. The machine's PostgreSQL is
never stopped: the test reaches it through a TCP relay it cuts (tests/e2e/tcp_proxy.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from cadenza.adapters.db.engine import make_engine
from cadenza.api.app import create_app
from cadenza.bootstrap import bootstrap
from cadenza.config import Settings
from tests.e2e.fresh_database import MACHINE_POSTGRES, fresh_database
from tests.e2e.tcp_proxy import TcpRelay


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the machine's server, dropped afterwards."""
    with fresh_database("cadenza_restart") as name:
        yield name


@pytest.fixture
def relay() -> Iterator[TcpRelay]:
    found = TcpRelay(("127.0.0.1", 5432))
    yield found
    found.stop()


def through(relay: TcpRelay, database: str) -> str:
    url = make_url(MACHINE_POSTGRES).set(port=relay.port, database=database)
    return url.render_as_string(hide_password=False)


def back_after(relay: TcpRelay, seconds: float) -> threading.Thread:
    def later() -> None:
        time.sleep(seconds)
        relay.start()

    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    return thread


def test_a_query_waits_for_a_restarting_server_then_succeeds(
    relay: TcpRelay, database: str
) -> None:
    engine = make_engine(through(relay, database), pool_size=1, connect_wait_s=10)
    try:
        with engine.connect() as db:
            assert db.execute(text("SELECT 1")).scalar_one() == 1
        relay.stop()  # the server goes: the pooled connection dies, new ones are refused
        coming_back = back_after(relay, 1.5)
        started = time.monotonic()
        with engine.connect() as db:
            assert db.execute(text("SELECT 2")).scalar_one() == 2
        assert time.monotonic() - started >= 1.0, "it waited for the server"
        coming_back.join()
    finally:
        engine.dispose()


def test_a_server_that_stays_away_is_a_503_with_a_code(
    relay: TcpRelay, database: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=through(relay, database),
        distributor_key="test-distributor-key",
        billing_interval_s=0,
        search_popularity_interval_s=0,
        charts_interval_s=0,
        artist_stats_interval_s=0,
        session_prune_interval_s=0,
        blob_sweep_interval_s=0,
        recs_train_hours=0,
        royalty_close_day=0,
        deal_clock_interval_s=0,
        podcast_clock_interval_s=0,
    )
    app = bootstrap(settings)
    try:
        with TestClient(create_app(app), raise_server_exceptions=False) as client:
            assert client.get("/api/v1/browse/new-releases?country=US").status_code == 200
            relay.stop()
            coming_back = back_after(relay, 1.0)  # a restart: the request waits, then answers
            assert client.get("/api/v1/browse/new-releases?country=US").status_code == 200
            coming_back.join()
            relay.stop()  # and now for longer than the connection wait
            answer = client.get("/api/v1/browse/new-releases?country=US")
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "database_unavailable"
            assert answer.headers["retry-after"] == "2"
            relay.start()
            assert client.get("/api/v1/browse/new-releases?country=US").status_code == 200
    finally:
        app.close()


def test_the_wait_gives_up(relay: TcpRelay, database: str) -> None:
    engine = make_engine(through(relay, database), pool_size=1, connect_wait_s=0.5)
    relay.stop()
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError), engine.connect():
            pass
        assert time.monotonic() - started < 5
    finally:
        engine.dispose()
