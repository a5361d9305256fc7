"""The jobs, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cadenza.domain.errors import NotFound

if TYPE_CHECKING:
    from cadenza.bootstrap import App


@dataclass(frozen=True)
class JobReport:
    said: str  # what the job did, in a line
    errors: list[str] = field(default_factory=list)  # what it could not do (the rest went on)


@dataclass(frozen=True)
class Job:
    name: str
    summary: str
    run: Callable[[App], JobReport]


def _billing(app: App) -> JobReport:
    report = app.billing.run()
    return JobReport(
        f"renewed {report.renewed}, trials converted {report.trials_converted}, "
        f"declined {report.declined}, canceled {report.canceled}, expired {report.expired}, "
        f"settled {report.settled}",
        list(report.errors),
    )


def _search_popularity(app: App) -> JobReport:
    rows = app.search.roll_up_popularity(app.clock.now())
    return JobReport(f"rolled up popularity: {rows} rows (entries by country)")


def _blends(app: App) -> JobReport:
    made = app.blends.refresh_stale()
    return JobReport(f"made {made} Blends again (those last made before today)")


def _sessions_prune(app: App) -> JobReport:
    pruned = app.sessions.prune()
    return JobReport(
        f"deleted {pruned.sessions} expired sessions, {pruned.refresh_tokens} refresh tokens, "
        f"{pruned.one_time_tokens} expired links and codes, "
        f"{pruned.stream_tickets} used stream tickets"
    )


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "billing",
            "Renew, retry, cancel and expire the subscriptions due now",
            _billing,
        ),
        Job(
            "blends",
            "Make every Blend last made before today again, from its members' tastes now",
            _blends,
        ),
        Job(
            "search-popularity",
            "Roll up search popularity: streams of the last 28 days per entry and country",
            _search_popularity,
        ),
        Job(
            "sessions-prune",
            "Forget expired sessions, refresh tokens, e-mailed links and used stream tickets",
            _sessions_prune,
        ),
    )
}


def find_job(name: str) -> Job:
    try:
        return JOBS[name]
    except KeyError:
        known = ", ".join(sorted(JOBS))
        raise NotFound(f"no job {name!r}; the jobs are: {known}", code="unknown_job") from None
