"""Batch jobs by name from the command line: `cadenza job list`, `cadenza job run NAME`."""

from __future__ import annotations

from cadenza.config import Settings
from tests.e2e.test_cli import cadenza


def test_the_operator_lists_the_jobs_and_runs_one_by_name(settings: Settings) -> None:
    listed = cadenza(settings, "job", "list")
    assert listed.returncode == 0, listed.stderr
    names = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert {"billing", "search-popularity", "sessions-prune"} <= set(names)

    pruned = cadenza(settings, "job", "run", "sessions-prune")
    assert pruned.returncode == 0, pruned.stderr
    assert "deleted 0 expired sessions, 0 refresh tokens" in pruned.stdout


def test_an_unknown_job_is_refused_with_the_names_of_the_real_ones(settings: Settings) -> None:
    refused = cadenza(settings, "job", "run", "royalties-clos")
    assert refused.returncode == 2
    assert "unknown_job" in refused.stderr
    assert "sessions-prune" in refused.stderr
