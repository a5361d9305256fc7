"""A process imports each group of tables with the first repository that uses it (the unit of
work's properties), so a command or a request loads only the tables it touches. Whichever group
comes first, its columns keep their real types: a foreign key's column takes its type from the
table it points at, so that table's group comes with it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

from cadenza.adapters import db

PROGRAM = """
import importlib, sys
from sqlalchemy.types import NullType
importlib.import_module(sys.argv[1])
from cadenza.adapters.db.models import Base
tables = Base.metadata.tables.values()
print(" ".join(f"{t.name}.{c.name}" for t in tables for c in t.columns if isinstance(c.type, NullType)))
"""

GROUPS = sorted(m.name for m in pkgutil.iter_modules(db.__path__) if m.name.startswith("models"))


def test_every_group_of_tables_is_checked() -> None:
    assert {"models", "models_accounts", "models_billing", "models_offline"} <= set(GROUPS)


@pytest.mark.parametrize("group", GROUPS)
def test_a_group_of_tables_loaded_first_has_every_column_typed(group: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, f"cadenza.adapters.db.{group}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [], f"columns without a type when {group} comes first"
