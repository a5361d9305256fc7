"""INSERT ... ON CONFLICT for SQLite and PostgreSQL alike: a row that a concurrent request
added first is a normal outcome, not an IntegrityError (and a 500)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_on_conflict(session: Session, model: type[Any]) -> Any:
    """The dialect's INSERT for `model`, which has on_conflict_do_nothing / _do_update."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
