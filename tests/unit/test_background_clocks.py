"""The server's clocks (billing, search popularity, session pruning) share one loop: it runs
the job at start when asked, again every interval, goes on after a failed run, and stops."""

from __future__ import annotations

import threading

from cadenza.bootstrap import run_every


def test_a_clock_runs_now_again_after_a_failure_and_stops() -> None:
    runs: list[int] = []
    third = threading.Event()

    def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database is away")  # logged; the clock goes on
        if len(runs) == 3:
            third.set()

    stop = run_every(0.01, job, "test-clock")
    assert third.wait(10)
    stop.set()
    settled = len(runs)
    assert not threading.Event().wait(0.1) and len(runs) <= settled + 1  # stopped


def test_a_clock_can_wait_its_first_interval_and_zero_means_never() -> None:
    ran = threading.Event()
    stop = run_every(3600, ran.set, "hourly", at_start=False)
    assert not ran.wait(0.2)  # not at start: the first run is an hour away
    stop.set()
    never = run_every(0, ran.set, "off")
    assert never.is_set() is False and not ran.wait(0.1)
