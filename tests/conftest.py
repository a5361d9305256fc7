"""Shared fixtures: a fresh data dir and database per test, on SQLite or on real PostgreSQL.

CADENZA_TEST_DATABASE=sqlite (default) or a postgresql+psycopg:// URL of a server where a fresh
database is created for the run and dropped after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cadenza.adapters.db.models import every_table
from cadenza.bootstrap import App, bootstrap, worker_pool
from cadenza.config import Settings

TEST_DATABASE = os.environ.get("CADENZA_TEST_DATABASE", "sqlite")
DATABASE_FIXTURES = {"settings", "app", "client", "accounts"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that touch the database are marked, so `make test-postgres` reruns exactly those."""
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "database: uses the database (runs on SQLite and PostgreSQL)"
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    if TEST_DATABASE == "sqlite":
        yield None
        return
    admin = create_engine(TEST_DATABASE, isolation_level="AUTOCOMMIT")
    name = f"cadenza_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def shared_workers() -> Iterator[ProcessPoolExecutor]:
    pool = worker_pool(2)
    yield pool
    pool.shutdown(cancel_futures=True)


@pytest.fixture
def settings(tmp_path: Path, postgres_url: str | None) -> Settings:
    if postgres_url:
        _empty(postgres_url)
    return Settings(
        data_dir=tmp_path / "var",
        database_url=postgres_url,
        distributor_key="test-distributor-key",
        transcode_workers=2,
        billing_interval_s=0,
        search_popularity_interval_s=0,
        charts_interval_s=0,
        artist_stats_interval_s=0,
        session_prune_interval_s=0,
        blob_sweep_interval_s=0,
        recs_train_hours=0,
    )


def _empty(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [t.name for t in every_table().sorted_tables]
        existing = set(conn.execute(text("SELECT tablename FROM pg_tables")).scalars())
        present = [t for t in tables if t in existing]
        if present:
            conn.execute(text(f"TRUNCATE {', '.join(present)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(settings: Settings, shared_workers: ProcessPoolExecutor) -> Iterator[App]:
    cadenza = bootstrap(settings)
    cadenza.shared_pool = shared_workers
    yield cadenza
    cadenza.close()
