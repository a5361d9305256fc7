"""The server's clocks ask the database a cheap question first and start a child process only
for work: an idle home server holds none of the jobs' code in its memory (test_footprint), and a
server with work gets it done as before, by `cadenza job run`'s jobs in child processes that
read the server's own settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from cadenza.adapters.db import clock_checks as checks
from cadenza.adapters.db.models_accounts import OneTimeTokenRow
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from tests.e2e.live import wait_until
from tests.e2e.royalty_helpers import catalog, play, user


def _work(app: App) -> None:
    """A counted stream an hour ago and an e-mailed link that expired a minute ago."""
    now = datetime.now(UTC)
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        fan = user(s, "SE")
        track = catalog(s, 2)[0]
        play(s, fan, track, now - timedelta(hours=1))
        uow.tokens.add_token(fan, "verify_email", "h" * 64, now - timedelta(minutes=1), {})
        uow.commit()


def _tokens(app: App) -> int:
    with app.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(OneTimeTokenRow)) or 0)  # type: ignore[attr-defined]


def test_the_checks_find_nothing_on_a_fresh_server_and_the_work_once_there_is_some(
    app: App,
) -> None:
    engine, now = app.engine, datetime.now(UTC)
    idle = [
        checks.expired_rows(engine, now),
        checks.streams_to_roll(engine),
        checks.holds_rows(engine, "plays", "charts", "search_popularity"),
        checks.deals_due(engine, now),
        checks.feeds_due(engine, now),
        checks.imports_running(engine),
        checks.deliveries_unfinished(engine),
        checks.mail_waiting(engine),
        checks.plays_to_forward(engine),
        checks.month_closed(engine, "2026-11"),
        checks.billing_due(engine, now),
    ]
    assert idle == [False] * len(idle)
    _work(app)
    assert checks.expired_rows(engine, now)  # the link that expired a minute ago
    assert not checks.expired_rows(engine, now - timedelta(minutes=2))  # not yet, then
    assert checks.streams_to_roll(engine) and checks.holds_rows(engine, "charts", "plays")


def test_the_server_gets_the_clocks_work_done_in_child_processes(
    app: App, settings: Settings
) -> None:
    _work(app)
    clocks = {"session_prune_interval_s": 3600.0, "artist_stats_interval_s": 600.0}
    server = bootstrap(settings.model_copy(update=clocks | {"charts_interval_s": 86400.0}))
    stop = server.start_background()  # the first ticks are at start
    try:
        wait_until(lambda: _tokens(app) == 0, "the expired link pruned", 90)
        wait_until(lambda: not checks.streams_to_roll(app.engine), "the stream rolled up", 90)
        wait_until(lambda: checks.holds_rows(app.engine, "chart_places"), "the charts", 90)
    finally:
        stop()
        server.close()
    assert app.artist_stats.pending() == 0
