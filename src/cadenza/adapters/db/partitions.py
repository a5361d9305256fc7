"""PostgreSQL: `listening_events` is partitioned by month of `occurred_at` (migration 0052),
one partition `listening_events_YYYY_MM` a month and a default one for anything beyond them.
A month's partition must exist before its first event arrives (one cannot be made for a range
the default partition already holds rows of), so every start and the background work's daily
round make the coming MONTHS_AHEAD months. An old month is dropped or archived whole by the
operator (`DROP TABLE listening_events_2024_01` after `cadenza events archive`), not row by row.
SQLite has one table, as before."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)
MONTHS_AHEAD = 3
TABLE = "listening_events"


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_{month.year:04d}_{month.month:02d}"


def make_month(connection: Connection, month: date) -> None:
    connection.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {TABLE} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
        )
    )


def partitioned(connection: Connection) -> bool:
    found = connection.execute(
        text(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = :name AND pg_table_is_visible(c.oid)"
        ),
        {"name": TABLE},
    ).first()
    return found is not None


def ensure_months(engine: Engine, today: date, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Make this month's partition and the next `ahead` months' (on PostgreSQL); their names."""
    if engine.dialect.name != "postgresql":
        return []
    made = []
    month = today.replace(day=1)
    with engine.begin() as connection:
        if not partitioned(connection):
            return []
        for _ in range(ahead + 1):
            make_month(connection, month)
            made.append(partition_name(month))
            month = next_month(month)
    return made


def months(engine: Engine) -> list[str]:
    """The partitions of the listening events, by name (PostgreSQL; [] elsewhere)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :name "
                    "ORDER BY c.relname"
                ),
                {"name": TABLE},
            ).scalars()
        )
