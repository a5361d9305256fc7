"""The Alembic revisions build exactly the tables the models describe, and 0003 carries a
0002 database's sessions over: their refresh tokens, spent or live, stay known."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from cadenza.adapters.db.engine import MIGRATIONS, make_engine
from cadenza.adapters.db.models import every_table
from cadenza.adapters.db.unit_of_work import SqlUnitOfWork, session_factory
from cadenza.bootstrap import App

# The search engines' own objects are made by the search migration in SQL of their own, and no
# model describes them: SQLite's FTS5 virtual tables (and their shadow tables); PostgreSQL's
# generated tsvector column and its GIN (whole and sampled) and trigram indexes.
# SQLite: FTS5 tables (the most played entries' own: migration 0057), and the words by their
# spelling keys (typos, migration 0055)
SEARCH_ENGINE_TABLES = ("search_fts", "search_words_tri", "search_spellings", "search_popular_fts")
SEARCH_ENGINE_INDEXES = {
    "ix_search_entries_document_track",
    "ix_search_entries_document_release",
    "ix_search_entries_document_artist",
    "ix_search_entries_document_playlist",
    "ix_search_entries_document_show",
    "ix_search_entries_document_episode",
    "ix_search_words_trgm",
    "ix_search_words_prefix",
    *(f"ix_search_entries_popular_{kind}" for kind in ("track", "release", "artist")),
    *(
        f"ix_search_entries_sample{every}_{kind}"
        for every in (16, 256)
        for kind in ("track", "release", "artist")
    ),
}


# PostgreSQL's listening_events is partitioned by month (migration 0052): its unique client id
# takes the month's column, as a partitioned table's unique indexes must.
PARTITIONED_INDEXES = {"uq_listening_event"}
PARTITIONS = "listening_events_"


def engine_owned(difference: Any) -> bool:
    kind = difference[0]
    if kind in ("remove_index", "add_index") and difference[1].name in PARTITIONED_INDEXES:
        return True
    if kind == "remove_table" and difference[1].name.startswith(PARTITIONS):
        return True  # the months' partitions, made as they come
    if kind == "remove_index" and difference[1].table.name.startswith(PARTITIONS):
        return True  # and the indexes each has of the parent's
    if kind == "remove_table":
        return bool(difference[1].name.startswith(SEARCH_ENGINE_TABLES))
    if kind == "remove_index":
        return difference[1].name in SEARCH_ENGINE_INDEXES
    if kind == "remove_column":
        return (difference[2], difference[3].name) == ("search_entries", "document")
    return False


def test_the_migrated_schema_is_the_models_schema(app: App) -> None:
    with app.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), every_table())
    differences = [d for d in differences if not engine_owned(d)]
    assert differences == []


def upgrade(engine_url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(engine_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def test_sessions_from_0002_keep_their_refresh_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    engine = make_engine(url)
    now = datetime.now(UTC).isoformat()
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO users (id, email, password_hash, display_name, country, birth_date,"
                " roles, plan, created_at) VALUES (1, 'ada@example.org', 'x', 'Ada', 'GB',"
                " '1990-12-10', '[\"listener\"]', 'free', :now)"
            ),
            {"now": now},
        )
        db.execute(
            text(
                "INSERT INTO devices (id, user_id, device_key, name, first_seen, last_seen)"
                " VALUES (1, 1, 'k', 'phone', :now, :now)"
            ),
            {"now": now},
        )
        db.execute(
            text(
                "INSERT INTO sessions (id, user_id, device_id, refresh_hash, previous_hash,"
                " created_at, last_used, expires_at) VALUES (1, 1, 1, 'live', 'spent', :now,"
                " :now, '2999-01-01 00:00:00')"
            ),
            {"now": now},
        )
    engine.dispose()
    upgrade(url, "head")
    engine = make_engine(url)
    with SqlUnitOfWork(session_factory(engine)) as uow:
        assert uow.sessions.session_of_spent_token("spent") == 1  # a replay, detected
        assert uow.sessions.session_of_spent_token("live") is None  # the live one
        assert uow.sessions.session_live(1, 1, datetime.now(UTC))
    engine.dispose()


@pytest.mark.slow
def test_processes_starting_at_once_on_a_new_sqlite_database_all_start(tmp_path: Path) -> None:
    """Several server processes (or a test's workers) meeting a new database migrate one after
    another: before, the second failed with 'table artists already exists'."""
    database = tmp_path / "cadenza.db"
    script = (
        "import sys; from cadenza.adapters.db.engine import make_engine, migrate; "
        "migrate(make_engine(sys.argv[1]))"
    )
    starting = [
        subprocess.Popen(
            [sys.executable, "-c", script, f"sqlite:///{database}"], stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=300)[1].decode() for p in starting]
    assert [p.returncode for p in starting] == [0, 0, 0, 0], errors
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as db:
        heads = db.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert len(heads) == 1


HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()

# A start that stops itself once the migration has recorded a given revision (inside its one
# transaction), waiting there to be killed: the kill lands mid-run, at a point the test saw.
STOPPING_START = """
import sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from cadenza.adapters.db.engine import make_engine, migrate

stop_at = sys.argv[2]

@event.listens_for(Engine, "after_cursor_execute")
def _recorded(conn, cursor, statement, parameters, context, executemany):
    if "alembic_version" in statement and stop_at in repr(parameters) + statement:
        print("recorded", stop_at, flush=True)
        sys.stdin.readline()  # blocks until the test kills this process

migrate(make_engine(sys.argv[1]))
"""


def schema(database: Path) -> dict[str, object]:
    """What a schema is, table by table: columns (name, type, not null, default, key), foreign
    keys and indexes as sets (SQLite keeps a recreated table's foreign keys in no set order),
    the engine's own objects as their SQL; and the revision recorded."""
    found: dict[str, object] = {}
    with make_engine(f"sqlite:///{database}").connect() as db:
        objects = db.execute(
            text("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        ).all()
        for kind, name, sql in objects:
            if kind != "table" or (sql or "").startswith("CREATE VIRTUAL"):
                found[f"{kind} {name}"] = sql
                continue
            columns = db.exec_driver_sql(f'PRAGMA table_info("{name}")').all()
            keys = db.exec_driver_sql(f'PRAGMA foreign_key_list("{name}")').all()
            indexes = db.exec_driver_sql(f'PRAGMA index_list("{name}")').all()
            found[f"table {name}"] = (
                [tuple(c[1:]) for c in columns],
                {(k[2], k[3], k[4], k[5], k[6]) for k in keys},
                {(i[1], i[2], i[4]) for i in indexes if not i[1].startswith("sqlite_")},
            )
        if "table alembic_version" in found:
            found["revision"] = db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return found


def killed_at(database: Path, revision: str) -> None:
    command = [sys.executable, "-c", STOPPING_START, f"sqlite:///{database}", revision]
    starting = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert starting.stdout is not None
    line = starting.stdout.readline()  # waits for the progress point itself
    if line != f"recorded {revision}\n":
        starting.kill()
        raise AssertionError(f"no progress point {revision}: {starting.communicate()[1][-2000:]}")
    starting.kill()
    starting.communicate()


@pytest.mark.slow
def test_a_start_killed_while_migrating_leaves_a_database_the_next_start_finishes(
    tmp_path: Path,
) -> None:
    """Ctrl-C (or kill -9) during a start: the migration lands whole or not at all, and the next
    start finishes it to exactly the schema a start without interruption makes."""
    fresh = tmp_path / "fresh.db"
    upgrade(f"sqlite:///{fresh}", "0010")
    at_0010 = schema(fresh)
    upgrade(f"sqlite:///{fresh}", "head")
    at_head = schema(fresh)
    assert (at_0010["revision"], at_head["revision"]) == ("0010", HEAD)

    database = tmp_path / "cadenza.db"
    for revision in ("0001", "0007", HEAD):  # the first, one midway, the last: none stays
        killed_at(database, revision)
        assert schema(database) == {}
    upgrade(f"sqlite:///{database}", "0010")  # an older version's database...
    for revision in ("0011", HEAD):
        killed_at(database, revision)  # ...that a newer version's start was killed upgrading
        assert schema(database) == at_0010
    finished = subprocess.run(
        [sys.executable, "-c", STOPPING_START, f"sqlite:///{database}", "never"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert schema(database) == at_head
