"""The Alembic revisions build exactly the tables the models describe, and 0003 carries a
0002 database's sessions over: their refresh tokens, spent or live, stay known."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text

from cadenza.adapters.db.engine import MIGRATIONS, make_engine
from cadenza.adapters.db.models import Base
from cadenza.adapters.db.unit_of_work import SqlUnitOfWork, session_factory
from cadenza.bootstrap import App

# The search engines' own objects are made by the search migration in SQL of their own, and no
# model describes them: SQLite's FTS5 virtual tables (and their shadow tables); PostgreSQL's
# generated tsvector column and its GIN (whole and sampled) and trigram indexes.
SEARCH_ENGINE_TABLES = ("search_fts", "search_words_tri")
SEARCH_ENGINE_INDEXES = {
    "ix_search_entries_document_track",
    "ix_search_entries_document_release",
    "ix_search_entries_document_artist",
    "ix_search_words_trgm",
    "ix_search_words_prefix",
    *(f"ix_search_entries_popular_{kind}" for kind in ("track", "release", "artist")),
    *(
        f"ix_search_entries_sample{every}_{kind}"
        for every in (16, 256)
        for kind in ("track", "release", "artist")
    ),
}


def engine_owned(difference: Any) -> bool:
    kind = difference[0]
    if kind == "remove_table":
        return bool(difference[1].name.startswith(SEARCH_ENGINE_TABLES))
    if kind == "remove_index":
        return difference[1].name in SEARCH_ENGINE_INDEXES
    if kind == "remove_column":
        return (difference[2], difference[3].name) == ("search_entries", "document")
    return False


def test_the_migrated_schema_is_the_models_schema(app: App) -> None:
    with app.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
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


def test_a_start_killed_while_migrating_leaves_a_database_the_next_start_finishes(
    tmp_path: Path,
) -> None:
    """Ctrl-C (or kill -9) during the first start: each revision lands whole or not at all."""
    database = tmp_path / "cadenza.db"
    script = (
        "import sys; from cadenza.adapters.db.engine import make_engine, migrate; "
        "migrate(make_engine(sys.argv[1]))"
    )
    command = [sys.executable, "-c", script, f"sqlite:///{database}"]
    for delay in (0.6, 0.9, 1.2, 1.5, 1.8, 2.1):
        starting = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        starting.kill()
        starting.wait()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    with make_engine(f"sqlite:///{database}").connect() as db:
        tables = db.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'table'"))
        assert tables.scalar_one() > 40  # the whole schema
