"""Shared fixtures: a fresh data dir and database per test, on SQLite or on real PostgreSQL.

CADENZA_TEST_DATABASE=sqlite (default) or a postgresql+psycopg:// URL of a server where a fresh
database is created for the run and dropped after it.

On SQLite each test's database is a copy of one migrated once per worker, put in the data dir
before `app` bootstraps (which then finds it at the newest revision): migrating each anew took
about half a second a test. A test that uses `settings` without `app` still gets an empty data
dir (the commands and servers it starts migrate it themselves). On PostgreSQL the run's one
database is emptied before each test (see _empty).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import hypothesis
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from cadenza.adapters.db.engine import make_engine, migrate
from cadenza.adapters.db.models import every_table
from cadenza.adapters.security.hashing import OWASP_MINIMUM, Argon2PasswordHasher
from cadenza.bootstrap import App, bootstrap, worker_pool
from cadenza.config import Settings

TEST_DATABASE = os.environ.get("CADENZA_TEST_DATABASE", "sqlite")
# Property tests check behaviour, never speed: no per-example deadline and no "generation is
# slow" failure on a machine busy with the other test workers (make test runs six at once).
hypothesis.settings.register_profile(
    "cadenza", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("cadenza")
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
    config.addinivalue_line(
        "markers", "spark: runs Apache Spark (minutes each; SQLite only in `make test`)"
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
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """A SQLite database migrated to the newest revision once per worker, its WAL folded in."""
    if TEST_DATABASE != "sqlite":
        return None
    database = tmp_path_factory.mktemp("template") / "cadenza.db"
    engine = make_engine(f"sqlite:///{database}", pool_size=1)
    migrate(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return database


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
        royalty_close_day=0,
        deal_clock_interval_s=0,  # tests run the deal clock themselves
        podcast_clock_interval_s=0,  # and refresh podcast feeds themselves
        feeds_allow_private=True,  # the tests' feeds are served on loopback
    )


def _empty(url: str) -> None:
    """Every table empty and every sequence at its start, as a new database's. DELETE of the
    few tables a test filled, not TRUNCATE of all 75: a TRUNCATE makes every table and index
    anew (and CASCADE from `users` reaches nearly all), one to three seconds a test."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            existing = set(conn.execute(text("SELECT tablename FROM pg_tables")).scalars())
            tables = [t.name for t in every_table().sorted_tables if t.name in existing]
            if not tables:
                return
            probe = " UNION ALL ".join(
                f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables
            )
            filled = set(conn.execute(text(probe)).scalars())
            for table in reversed(tables):  # those that refer to others first
                if table in filled:
                    conn.execute(text(f'DELETE FROM "{table}"'))
            used = conn.execute(
                text(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename)"
                    " FROM pg_sequences WHERE last_value IS NOT NULL"
                )
            ).scalars()
            for sequence in list(used):
                conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
    except IntegrityError:  # rows that refer to each other in a cycle: the slow, sure way
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


# Argon2id at OWASP's minimum (m=19 MiB, t=2, p=1) rather than the production profile (m=64 MiB,
# t=3, p=4): an eighth of the CPU per hash, and tests hash a password or two each. The
# production parameters are tested where the hasher is (tests/integration/test_security_hashing.py),
# and a login still rehashes hashes made with other parameters (such as the CLI's) as it would.
TEST_HASHER = Argon2PasswordHasher(OWASP_MINIMUM)


@pytest.fixture
def app(
    settings: Settings, shared_workers: ProcessPoolExecutor, sqlite_template: Path | None
) -> Iterator[App]:
    if sqlite_template and settings.database_url is None:
        database = settings.data_dir / "cadenza.db"
        if not database.exists():
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sqlite_template, database)
            database.chmod(0o600)
    cadenza = bootstrap(settings)
    cadenza.shared_pool = shared_workers
    cadenza.__dict__["hasher"] = TEST_HASHER
    yield cadenza
    cadenza.close()
