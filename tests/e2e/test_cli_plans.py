"""Operators' plan commands: granting a plan, the billing clock, the student queue."""

from __future__ import annotations

import os
import subprocess
import sys

from cadenza.config import Settings


def cadenza(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "cadenza", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_operator_grants_plans_and_runs_the_billing_clock(settings: Settings) -> None:
    made = cadenza(
        settings,
        "users",
        "create",
        "fam@example.org",
        "--password-stdin",
        "--plan",
        "premium_family",
        stdin="a long and unusual listening phrase\n",
    )
    assert made.returncode == 0, made.stderr
    assert "premium_family" in made.stdout
    listed = cadenza(settings, "users", "list")
    assert "fam@example.org\tpremium_family" in listed.stdout
    unknown = cadenza(
        settings,
        "users",
        "create",
        "x@example.org",
        "--password-stdin",
        "--plan",
        "gold",
        stdin="a long and unusual listening phrase\n",
    )
    assert unknown.returncode == 2 and "unknown_plan" in unknown.stderr
    assert "x@example.org" not in cadenza(settings, "users", "list").stdout
    billing = cadenza(settings, "billing", "run")
    assert billing.returncode == 0 and billing.stdout.startswith("renewed 0")
    assert cadenza(settings, "students", "list").stdout == ""
    assert cadenza(settings, "students", "approve", "7").returncode == 2
