"""A job run in a child process of the server (`python -m cadenza.jobs.aside NAME`).

The server's clocks start one only when a cheap check found work: what the job imports (its
service, its tables' classes, its libraries) stays in the child, and the HTTP process keeps its
idle memory. The child gets the parent's settings whole on its standard input (secrets
included: a pipe, never the command line or the environment), so it sees exactly what the
server sees, also settings a test or `serve --option` set in the parent alone. The parent has
migrated the database: the child does not migrate again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cadenza.config import Settings


def settings_json(settings: Settings) -> str:
    from pydantic import SecretStr

    values: dict[str, Any] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, Path):
            value = str(value)
        values[name] = value
    return json.dumps(values, default=str)


def run_aside(name: str, settings: Settings) -> None:
    """Run job NAME once in a child process with these settings; raises when it failed."""
    done = subprocess.run(
        [sys.executable, "-m", "cadenza.jobs.aside", name],
        input=settings_json(settings).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace")[-500:]
        raise RuntimeError(f"job {name} ended with {done.returncode}: {tail}")


def main(name: str) -> int:
    import os

    os.nice(10)  # the server's requests first: a clock's job can wait for the cores
    from cadenza.bootstrap import bootstrap
    from cadenza.config import Settings
    from cadenza.jobs.registry import find_job

    settings = Settings.model_validate(json.loads(sys.stdin.read()))
    job = find_job(name)
    app = bootstrap(settings, worker=True)  # the server migrated; no second migration
    try:
        report = job.run(app, None)
    finally:
        app.close()
    print(report.said)
    for error in report.errors:
        print(error, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
