"""The database of this data dir, without the App: the everyday commands that read a table or
two (`cadenza users list`) open only this, through the database's own driver (sqlite3, psycopg;
adapters/db/driver.py): no SQLAlchemy, no ORM, no tables' classes, no services. Like
bootstrap(): the folders are made and the schema brought to the newest revision first
(SQLAlchemy and Alembic are imported only when it is behind)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cadenza.adapters.db.driver import DriverConnection, at_head, connect
from cadenza.config import Settings


@contextmanager
def database_only(settings: Settings | None = None) -> Iterator[DriverConnection]:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    connection = connect(url, settings.transaction_pooler)
    if connection is not None and at_head(connection):
        try:
            yield connection
        finally:
            connection.close()
        return
    if connection is not None:
        connection.close()
    from cadenza.adapters.db.engine import make_engine, migrate

    engine = make_engine(url, 1, transaction_pooler=settings.transaction_pooler)
    try:
        migrate(engine)
        raw = engine.raw_connection()
        try:
            yield raw
        finally:
            raw.close()
    finally:
        engine.dispose()
