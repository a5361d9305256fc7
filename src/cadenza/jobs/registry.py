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


Advance = Callable[[int], None]  # called with how many more items are done


@dataclass(frozen=True)
class Job:
    name: str
    summary: str
    run: Callable[[App, Advance | None], JobReport]
    total: Callable[[App], int] | None = None  # how many items a run goes through, for a bar


def _billing(app: App, _: Advance | None = None) -> JobReport:
    report = app.billing.run()
    return JobReport(
        f"renewed {report.renewed}, trials converted {report.trials_converted}, "
        f"declined {report.declined}, canceled {report.canceled}, expired {report.expired}, "
        f"settled {report.settled}",
        list(report.errors),
    )


def _search_popularity(app: App, _: Advance | None = None) -> JobReport:
    rows = app.search.roll_up_popularity(app.clock.now())
    return JobReport(f"rolled up popularity: {rows} rows (entries by country)")


def _charts(app: App, _: Advance | None = None) -> JobReport:
    built = app.charts.rebuild()
    return JobReport(f"rebuilt {built.charts} charts: {built.places} places")


def _artist_stats(app: App, advance: Advance | None = None) -> JobReport:
    done = app.artist_stats.roll_up(advance)
    return JobReport(
        f"rolled up {done.streams} counted streams into the artists' statistics "
        f"({done.batches} batches), took out {done.taken_out} flagged artificial; saves, playlist adds and follows counted again for "
        f"{done.engagement_days} artist-days"
    )


def _recs_train(app: App, _: Advance | None = None) -> JobReport:
    trained = app.train_recs()
    return JobReport(
        f"trained recommendation model {trained.version}: {trained.listeners} listeners, "
        f"{trained.tracks} tracks, {trained.counted_plays} counted streams"
    )


def _blends(app: App, _: Advance | None = None) -> JobReport:
    made = app.blends.refresh_stale()
    return JobReport(f"made {made} Blends again (those last made before today)")


def _sessions_prune(app: App, _: Advance | None = None) -> JobReport:
    pruned = app.sessions.prune()
    oauth = app.oauth_apps.prune()  # what the server's clock has always pruned with them
    return JobReport(
        f"deleted {pruned.sessions} expired sessions, {pruned.refresh_tokens} refresh tokens, "
        f"{pruned.one_time_tokens} expired links and codes, "
        f"{pruned.stream_tickets} used stream tickets, {oauth} expired OAuth grants and tokens"
    )


def _royalty_clock(app: App, _: Advance | None = None) -> JobReport:
    done = app.royalty_clock.run()
    if done is None:
        return JobReport("no month due to close (or a later one is closed already)")
    if done.already:
        return JobReport(f"{done.closed.month} was closed already")
    return JobReport(f"closed {done.closed.month}: {done.closed.streams} streams")


def _blobs_sweep(app: App, advance: Advance | None = None) -> JobReport:
    swept = app.blob_sweep.sweep(advance)
    hours = app.settings.blob_sweep_grace_hours
    return JobReport(
        f"looked at {swept.examined} blobs: removed {swept.removed} that nothing refers to "
        f"({swept.freed_bytes / 1e6:.1f} MB), kept {swept.kept_young} younger than {hours:g} h; "
        f"removed {swept.stale_writes} half-written files"
    )


def _fraud(app: App, advance: Advance | None = None) -> JobReport:
    done = app.fraud.run(advance)
    days = app.settings.fraud_window_days
    return JobReport(
        f"scored {done.streams} counted streams of {done.accounts} accounts (last {days} days): "
        f"flagged {done.flagged_accounts} accounts, {done.flagged_streams} streams as artificial"
    )


def _deal_clock(app: App, _: Advance | None = None) -> JobReport:
    changed = app.deal_clock.run()
    return JobReport(f"applied the deals due: {changed} releases changed where they play")


def _podcasts_refresh(app: App, _: Advance | None = None) -> JobReport:
    app.podcasts.run()
    return JobReport("refreshed the podcast feeds due and fetched their newest audio")


def _events_archive(app: App, _: Advance | None = None) -> JobReport:
    rolled = app.event_archive.roll()
    events = sum(r.events for r in rolled)
    days = ", ".join(r.day.isoformat() for r in rolled) or "none"
    return JobReport(
        f"archived {len(rolled)} days of listening events as Parquet ({days}): {events} events"
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
            "charts",
            "Rebuild the Top 50 and Viral 50 charts (everywhere and per country) from counted "
            "streams",
            _charts,
        ),
        Job(
            "search-popularity",
            "Roll up search popularity: streams of the last 28 days per entry and country",
            _search_popularity,
        ),
        Job(
            "artist-stats",
            "Roll counted streams up into the artists' statistics (the artist dashboard)",
            _artist_stats,
            lambda app: app.artist_stats.pending(),
        ),
        Job(
            "recs-train",
            "Train the recommendation model and put it in service (the previous one until then)",
            _recs_train,
        ),
        Job(
            "sessions-prune",
            "Forget expired sessions, refresh tokens, e-mailed links, used stream tickets and "
            "expired OAuth grants",
            _sessions_prune,
        ),
        Job(
            "royalty-clock",
            "Close last month's royalties if its close day (CADENZA_ROYALTY_CLOSE_DAY) has come "
            "and it is not closed yet",
            _royalty_clock,
        ),
        Job(
            "fraud",
            "Score recent counted streams for artificial ones (bot farms) and flag them: they "
            "earn nothing until an admin clears the flag",
            _fraud,
            lambda app: 3,
        ),
        Job(
            "blobs-sweep",
            "Remove audio, covers and creatives no row refers to (an ingest killed midway), "
            "once older than the grace period",
            _blobs_sweep,
            lambda app: app.blob_sweep.total(),
        ),
        Job(
            "deal-clock",
            "Open and close releases' territories whose deal windows start or end by now",
            _deal_clock,
        ),
        Job(
            "podcasts-refresh",
            "Refresh the podcast feeds that are due and fetch their newest episodes' audio",
            _podcasts_refresh,
        ),
        Job(
            "events-archive",
            "Archive each whole day of listening events not archived yet as a Parquet file on "
            "the blob store (the batch jobs' input)",
            _events_archive,
        ),
    )
}


def find_job(name: str) -> Job:
    try:
        return JOBS[name]
    except KeyError:
        known = ", ".join(sorted(JOBS))
        raise NotFound(f"no job {name!r}; the jobs are: {known}", code="unknown_job") from None
