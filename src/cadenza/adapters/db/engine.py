"""Engines for SQLite (WAL, the embedded default) and PostgreSQL, and migrating them."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url

from cadenza.adapters.db.driver import (
    MIGRATIONS,
    SEARCH_INDEX_MISSING,
    heads,
    owner_only_sqlite,
)
from cadenza.adapters.db.driver import migrate_aside as driver_migrate_aside

CONNECT_WAIT_S = 15.0  # how long a new connection waits for a restarting PostgreSQL
# psycopg prepares a statement on a connection's server after its 5th run there; behind a
# transaction pooler the next run may reach another server connection ("prepared statement
# "_pg3_0" does not exist"). None: never prepared.
NO_PREPARED_STATEMENTS: dict[str, Any] = {"prepare_threshold": None}


def make_engine(
    url: str,
    pool_size: int = 10,
    connect_wait_s: float = CONNECT_WAIT_S,
    *,
    transaction_pooler: bool = False,
) -> Engine:
    """pool_size: connections kept per process (PostgreSQL; as many again may open at a peak),
    so N server processes use up to 2 x N x pool_size of the server's max_connections.
    connect_wait_s: a PostgreSQL that refuses connections (restarting, failing over) is asked
    again for that long before the request fails, so a restart makes requests wait, not fail
    (the pool's pre-ping drops the connections the restart closed).
    transaction_pooler: the URL is a PgBouncer in transaction mode (CADENZA_DATABASE_POOLER),
    which hands each transaction whichever server connection is free: psycopg's prepared
    statements (made on one server connection, used later on another) are turned off."""
    if url.startswith("sqlite"):
        _owner_only_sqlite(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args=NO_PREPARED_STATEMENTS if transaction_pooler else {},
    )
    event.listen(engine, "do_connect", _waiting_connect(connect_wait_s))
    return engine


def _waiting_connect(wait_s: float) -> Any:
    def connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
        deadline = time.monotonic() + wait_s
        pause = 0.1
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError:
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    return connect


def _owner_only_sqlite(url: str) -> None:
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    owner_only_sqlite(Path(name))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Per connection. Reads (a search at 1,000,000 tracks reads some thousand pages of the
    text index) go through a memory map of the file instead of a read() and a copy per page,
    with a page cache of 16 MB (SQLite's default is 2 MB) and temporary sorts in memory: about
    a fifth less CPU per search. The map is the operating system's page cache, shared by every
    connection and process, and grows only with what is read."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


SQLITE_MMAP_BYTES = 256 << 20
SQLITE_CACHE_KIB = 16 << 10


def at_head(engine: Engine) -> bool:
    """Whether the schema is at the newest revision, told without importing Alembic (about
    10 MB that a server at the newest schema, every start but the first, never needs)."""
    try:
        with engine.connect() as connection:
            current = set(connection.execute(text("SELECT version_num FROM alembic_version")))
    except exc.DBAPIError:
        return False
    return {row[0] for row in current} == heads()


def search_index_missing(engine: Engine) -> bool:
    """A catalog without search entries (published before search existed, or emptied by a
    migration that changed what is indexed), asked without loading the catalog's and the
    index's table classes: a server's start needs them only when the answer is yes."""
    with engine.connect() as connection:
        return bool(connection.execute(text(SEARCH_INDEX_MISSING)).scalar())


def migrate_aside(engine: Engine, *, transaction_pooler: bool = False) -> None:
    """Migrate in a child process, so that this one (a server) never loads Alembic."""
    if not at_head(engine):
        driver_migrate_aside(
            engine.url.render_as_string(hide_password=False), transaction_pooler=transaction_pooler
        )


def migrate_url(url: str, transaction_pooler: bool = False) -> None:
    engine = make_engine(url, pool_size=1, transaction_pooler=transaction_pooler)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision. Several processes or machines starting
    at once migrate one after another (a PostgreSQL advisory lock; on SQLite a lock file
    beside the database), so only the first does the work. On PostgreSQL every pending
    revision runs in one transaction, under a transaction-level lock (pg_advisory_xact_lock,
    never a session lock): through PgBouncer in transaction mode that is one server
    connection from BEGIN to COMMIT, so migrations need no direct URL."""
    if at_head(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    migrating = _transactional_sqlite(engine) if engine.dialect.name == "sqlite" else engine
    try:
        with _migration_lock(engine), migrating.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if migrating is not engine:
            migrating.dispose()


def _transactional_sqlite(engine: Engine) -> Engine:
    """An engine whose transactions really cover DDL: Python's sqlite3 commits before each
    CREATE or ALTER on its own, so a process killed mid-migration left half a schema (and the
    next start failed on 'table ... already exists'). Here the driver leaves transactions to
    us and each begins with BEGIN IMMEDIATE: a migration lands whole or not at all."""
    migrating = create_engine(engine.url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(migrating, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, record)
        dbapi_connection.isolation_level = None  # no implicit BEGIN or COMMIT by the driver

    @event.listens_for(migrating, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating


_LOCK_KEY = 0x0CADE2A  # any constant the deployment's processes agree on


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
