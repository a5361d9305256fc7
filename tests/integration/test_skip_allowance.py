"""Free's six skips an hour, as a use case on the service over a real unit of work (SQLite or
PostgreSQL): a rolling hour, so each skip frees up an hour after it was used, not on the hour.
HTTP tests would have to wait an hour; here the clock is moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.entitlements import EntitlementError, Refusal
from cadenza.domain.plans import Plan


@pytest.fixture
def at(app: App, monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """Set `at[0]` to move the app's clock (a little before an hour boundary, to start)."""
    moment = [datetime(2026, 3, 2, 9, 40, tzinfo=UTC)]
    monkeypatch.setattr(app.clock, "now", lambda: moment[0])
    return moment


def listener(app: App, plan: Plan) -> int:
    account = app.accounts.create(
        f"{plan.value}@example.org", "a long and unusual phrase 7", roles=[Role.LISTENER]
    )
    app.subscriptions.grant(account.id, plan)
    return account.id


def skip_refused(app: App, account_id: int) -> Refusal:
    with pytest.raises(EntitlementError) as caught:
        app.ads.track_skipped(account_id)
    return caught.value.refusal


def test_six_skips_in_any_hour_each_freed_an_hour_after_it_was_used(
    app: App, at: list[datetime]
) -> None:
    ada = listener(app, Plan.FREE)
    start = at[0]
    for minutes in (0, 5, 10, 15, 20, 25):  # across 10:00: the allowance is not per clock hour
        at[0] = start + timedelta(minutes=minutes)
        app.ads.track_skipped(ada)
    at[0] = start + timedelta(minutes=50)
    refused = skip_refused(app, ada)
    assert refused.code == "skip_limit_reached"
    assert refused.retry_at == start + timedelta(hours=1)

    at[0] = start + timedelta(hours=1, seconds=1)  # the first skip is an hour old: one frees up
    app.ads.track_skipped(ada)
    refused = skip_refused(app, ada)  # and only one
    assert refused.retry_at == start + timedelta(hours=1, minutes=5)

    at[0] = start + timedelta(hours=3)  # a quiet spell: the whole allowance is back
    for _ in range(6):
        app.ads.track_skipped(ada)
    assert skip_refused(app, ada).code == "skip_limit_reached"


def test_plans_without_a_skip_limit_skip_freely(app: App, at: list[datetime]) -> None:
    for plan in (Plan.PLUS, Plan.PREMIUM_INDIVIDUAL):
        who = listener(app, plan)
        for _ in range(20):
            app.ads.track_skipped(who)
