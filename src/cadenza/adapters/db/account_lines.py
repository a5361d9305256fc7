"""Every account as the operator's list shows it, in one SQL query through the database's own
driver: `cadenza users list` needs neither SQLAlchemy nor the tables' classes."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cadenza.adapters.db.driver import DriverConnection


@dataclass(frozen=True)
class AccountLine:
    id: int
    email: str
    plan: str
    roles: tuple[str, ...]
    disabled: bool
    locked: bool


def account_lines(
    connection: DriverConnection, limit: int = 1000, offset: int = 0
) -> list[AccountLine]:
    """The accounts by id, as accounts_repo's `all` reads them."""
    cursor = connection.cursor()
    try:
        # two integers in the text: sqlite3 and psycopg write parameters differently
        query = "SELECT id, email, plan, roles, disabled_at, locked_at FROM users ORDER BY id"
        cursor.execute(f"{query} LIMIT {int(limit)} OFFSET {int(offset)}")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [
        AccountLine(r[0], r[1], r[2], tuple(_json(r[3])), r[4] is not None, r[5] is not None)
        for r in rows
    ]


def _json(value: object) -> list[str]:
    """A JSON column: text on SQLite, already decoded by psycopg on PostgreSQL."""
    if isinstance(value, str | bytes):
        decoded: list[str] = json.loads(value)
        return decoded
    return list(value) if isinstance(value, list) else []
