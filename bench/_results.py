"""Writing a benchmark's figures: a table on stdout and bench/results/NAME.json."""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).parent / "results"


def write_results(
    name: str, figures: dict[str, float], notes: dict[str, str], *, script: str | None = None
) -> Path:
    """`script`: the bench's own name where the results file is named apart (a partial run)."""
    table = Table(title=f"bench/{name}.py")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("what it is")
    for key, value in figures.items():
        table.add_row(
            key, f"{value:,.3f}" if isinstance(value, float) else str(value), notes.get(key, "")
        )
    Console().print(table)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(
        json.dumps(
            {
                "figures": figures,
                "command": f"python bench/{script or name}.py " + " ".join(sys.argv[1:]),
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        )
        + "\n"
    )
    return out


class PeakRss:
    """Samples the resident memory of this process and all its children; keeps the peak."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    @property
    def peak_mb(self) -> float:
        return self.peak / 1024**2


def timed(action: Callable[[], object], rounds: int) -> float:
    """The median of `rounds` runs, in milliseconds."""
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)
