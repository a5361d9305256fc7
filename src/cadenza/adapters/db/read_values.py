"""Values as both databases give them back: a DATE column is a `date` on PostgreSQL, and on
SQLite a string (or a `datetime` where SQLAlchemy typed the expression so)."""

from __future__ import annotations

from datetime import date, datetime


def as_day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    assert isinstance(value, date)
    return value
