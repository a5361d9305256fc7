"""INSERT ... ON CONFLICT for SQLite and PostgreSQL alike: a row that a concurrent request
added first is a normal outcome, not an IntegrityError (and a 500)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def insert_on_conflict(session: Session, model: type[Any]) -> Any:
    """The dialect's INSERT for `model`, which has on_conflict_do_nothing / _do_update."""
    return dialect_insert(session.get_bind().dialect.name, model)


def dialect_insert(dialect: str, table: Any) -> Any:
    """PostgreSQL's or SQLite's INSERT (ON CONFLICT). Each dialect's module is imported when
    first used: PostgreSQL's is 2 MB that a server on SQLite never needs."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
