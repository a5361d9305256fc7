"""Batch work, dispatched by name: `cadenza job list`, `cadenza job run NAME`.

Each job is a function of the wired App that runs once and says what it did in a line. The
server runs some of them on its own clock too (bootstrap's background work); the coming ones
(recommendation training, the royalties month close, statistics) are added to `JOBS`. The API
never imports this package."""

from cadenza.jobs.registry import JOBS, Job, JobReport, find_job

__all__ = ["JOBS", "Job", "JobReport", "find_job"]
