"""`cadenza serve` for browser tests, with two things a test may change while it runs: the
server's clock (moved by an offset, as `clock_at` moves an in-process app's clock in e2e tests)
and the web player's shell version (as if a new release of the player were deployed).

The test writes them to `test-controls.json` in the server's data dir (LiveServer.move_clock,
LiveServer.new_shell); the server reads the file whenever it asks the time or builds /sw.js.
With no file, this is plain `cadenza serve`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

CONTROLS = "test-controls.json"


def controls() -> dict[str, Any]:
    path = Path(os.environ["CADENZA_DATA_DIR"]) / CONTROLS
    try:
        found: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found


def main() -> None:
    from cadenza import bootstrap
    from cadenza.api import installable
    from cadenza.entry import main as cadenza

    real_now = bootstrap.SystemClock.now

    def now(self: bootstrap.SystemClock) -> datetime:
        return real_now(self) + timedelta(seconds=float(controls().get("clock_offset_s", 0)))

    real_source = installable.worker_source

    def worker_source(root: Path = installable.WEB_ROOT) -> bytes:
        source = real_source(root)
        salt = controls().get("shell_salt")
        if not salt:
            return source
        version = hashlib.sha256(source + str(salt).encode()).hexdigest()[:16]
        return re.sub(
            rb'const VERSION = "[0-9a-f]{16}"', f'const VERSION = "{version}"'.encode(), source
        )

    bootstrap.SystemClock.now = now  # type: ignore[method-assign]
    installable.worker_source = worker_source
    sys.argv = ["cadenza", *sys.argv[1:]]
    cadenza()


if __name__ == "__main__":
    main()
