"""The database through its own driver (sqlite3, psycopg), without SQLAlchemy: a command that
reads a table or two (`cadenza users list`) starts without SQLAlchemy's import (about 40% of
such a command's start). The schema's revision is checked the same way; SQLAlchemy and Alembic
come in only to migrate, or for a database URL this module does not read itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

MIGRATIONS = Path(__file__).parent / "migrations"


class DriverConnection(Protocol):
    """What a command uses of a DB-API connection (sqlite3's, psycopg's, SQLAlchemy's raw)."""

    def cursor(self) -> Any: ...

    def close(self) -> None: ...


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///PATH` URL as SQLAlchemy reads it; None for any other form (in
    memory, query options, escapes), which then goes through SQLAlchemy."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or any(c in url for c in "?%#"):
        return None
    name = url[len(prefix) :]
    return Path(name) if name and name != ":memory:" else None


def owner_only_sqlite(path: Path) -> None:
    """The database holds password hashes and e-mail addresses: created 0600 before SQLite
    opens it, so its -wal and -shm files (which SQLite gives the database's mode) are too; an
    existing one made readable by an older version is narrowed."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if each.exists():
            each.chmod(0o600)


def connect(url: str, transaction_pooler: bool = False) -> DriverConnection | None:
    """A connection through the driver itself, or None for a URL left to SQLAlchemy.
    transaction_pooler: behind PgBouncer in transaction mode, without prepared statements
    (as engine.make_engine's)."""
    path = sqlite_path(url)
    if path is not None:
        import sqlite3

        owner_only_sqlite(path)
        connection = sqlite3.connect(path, timeout=30)
        connection.execute("PRAGMA foreign_keys=ON")
        return connection
    if url.startswith("postgresql+psycopg://"):
        import psycopg

        return psycopg.connect(
            "postgresql://" + url.removeprefix("postgresql+psycopg://"),
            prepare_threshold=None if transaction_pooler else 5,  # 5: psycopg's default
        )
    return None


@contextmanager
def connected(url: str) -> Iterator[DriverConnection]:
    """connect(url), closed afterwards; for a URL the driver reads."""
    connection = connect(url)
    if connection is None:
        raise ValueError("not a database URL the driver reads")
    try:
        yield connection
    finally:
        connection.close()


def at_head(connection: DriverConnection) -> bool:
    """Whether the schema is at the newest revision (the table Alembic keeps it in)."""
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT version_num FROM alembic_version")
        current = {row[0] for row in cursor.fetchall()}
    except Exception:  # no such table: a database never migrated
        return False
    finally:
        cursor.close()
    return current == heads()


def heads() -> set[str]:
    """The revisions no other revision follows, read from the migration files' headers."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = re.search(r"^revision\b[^=]*=\s*['\"]([^'\"]+)", source, re.MULTILINE)
        before = re.search(r"^down_revision\b[^=]*=\s*(.+)$", source, re.MULTILINE)
        if found:
            revisions.add(found.group(1))
        if before:
            followed.update(re.findall(r"['\"]([^'\"]+)['\"]", before.group(1)))
    return revisions - followed


def migrate_aside(url: str, *, transaction_pooler: bool = False) -> None:
    """Migrate in a child process, so that this one (a server) never loads Alembic. The URL
    (which may hold a password) goes through the environment, never the command line; so does
    whether a transaction pooler (PgBouncer) stands between (no prepared statements then)."""
    program = (
        "import os; from cadenza.adapters.db.engine import migrate_url; "
        "migrate_url(os.environ['CADENZA_MIGRATE_URL'], "
        "os.environ['CADENZA_MIGRATE_POOLED'] == '1')"
    )
    pooled = "1" if transaction_pooler else "0"
    subprocess.run(
        [sys.executable, "-c", program],
        check=True,
        env=os.environ | {"CADENZA_MIGRATE_URL": url, "CADENZA_MIGRATE_POOLED": pooled},
    )


SEARCH_INDEX_MISSING = (
    "SELECT (EXISTS (SELECT 1 FROM releases) OR EXISTS (SELECT 1 FROM artists))"
    " AND NOT EXISTS (SELECT 1 FROM search_entries)"
)


def search_index_missing(connection: DriverConnection) -> bool:
    """A catalog without search entries (published before search existed, or emptied by a
    migration that changed what is indexed): a server's start indexes it."""
    cursor = connection.cursor()
    try:
        cursor.execute(SEARCH_INDEX_MISSING)
        return bool(cursor.fetchone()[0])
    finally:
        cursor.close()


def answers(url: str) -> bool | None:
    """Whether a SQLite database answers SELECT 1 through sqlite3 (False: it cannot be opened);
    None for any other URL (SQLAlchemy's engine asks, waiting for a restarting PostgreSQL)."""
    if sqlite_path(url) is None:
        return None
    import sqlite3

    try:
        with connected(url) as connection:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            cursor.close()
    except (sqlite3.DatabaseError, OSError):  # away, locked, or not a database (corrupt)
        return False
    return True
