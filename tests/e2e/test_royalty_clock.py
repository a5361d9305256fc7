"""The royalty clock: the background work closes the previous month on its day (the 5th by
default), once; a close that fails midway leaves nothing stamped; a late offline play of a
closed month counts in the month closed next; the next close is shown to admins and in the CLI."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from cadenza.adapters.db.models_listening import PlayRow
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from cadenza.domain.royalties import RoyaltyRules, add_months
from tests.e2e.live import wait_until
from tests.e2e.royalty_helpers import NOV, FixedClock, catalog, play, subscription, user
from tests.e2e.test_admin import signed_in


def _unstamped(app: App) -> int:
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        return int(s.scalar(select(func.count()).where(PlayRow.royalty_month.is_(None))) or 0)


def test_the_clock_closes_last_month_once_on_its_day_and_a_crash_leaves_nothing(
    client: TestClient, app: App
) -> None:
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        fan = user(s, "FR")
        subscription(s, [fan], 1000, NOV, 2)
        tracks = catalog(s, 2)
        for day in range(3):
            play(s, fan, tracks[0], NOV + timedelta(days=day))
        s.commit()
    app.royalties.rules = RoyaltyRules(min_yearly_streams=1)
    clock = app.royalty_clock
    clock.close_day = 5
    admin = signed_in(client, app, "boss@example.org", Role.ADMIN)

    app.royalties.clock = FixedClock(datetime(2026, 12, 4, 23, 59, tzinfo=UTC))
    assert clock.run() is None  # not its day yet
    assert app.royalties.months() == []
    shown = client.get("/api/v1/admin/royalties/schedule", headers=admin).json()
    assert shown == {
        "close_day": 5,
        "next_month": "2026-11",
        "next_close_at": "2026-12-05T00:00:00Z",
    }
    fan_headers = signed_in(client, app, "fan@example.org", Role.LISTENER)
    assert client.get("/api/v1/admin/royalties/schedule", headers=fan_headers).status_code == 403

    # A close that fails midway (the process dies while splitting) leaves nothing behind.
    def crash(step: str) -> None:
        if step == "split":
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        app.royalties.close("2026-11", crash)
    assert _unstamped(app) == 3 and app.royalties.months() == []

    app.royalties.clock = FixedClock(datetime(2026, 12, 5, 0, 30, tzinfo=UTC))
    first = clock.run()
    assert first is not None and not first.already
    assert first.closed.month == "2026-11" and first.closed.streams == 3
    assert _unstamped(app) == 0
    again = clock.run()  # the next tick: closed already, nothing changes
    assert again is not None and again.already and again.closed == first.closed
    shown = client.get("/api/v1/admin/royalties/schedule", headers=admin).json()
    assert (shown["next_month"], shown["next_close_at"]) == ("2026-12", "2027-01-05T00:00:00Z")

    # An offline play of November uploaded on 20 December: November stays as it was, the play
    # counts in December, the month it arrived in.
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        play(s, fan, tracks[1], NOV + timedelta(days=20))
        play(s, fan, tracks[0], datetime(2026, 12, 18, tzinfo=UTC))
        s.commit()
    app.royalties.clock = FixedClock(datetime(2027, 1, 9, tzinfo=UTC))  # the server was down
    december = clock.run()
    assert december is not None and december.closed.month == "2026-12"
    assert december.closed.streams == 2
    assert app.royalties.month("2026-11").closed == first.closed
    _, lines = app.royalties.statement("2026-12")
    assert {line.track_id for line in lines} == {tracks[0], tracks[1]}

    clock.close_day = 0  # off: nothing closes on its own, none is scheduled
    app.royalties.clock = FixedClock(datetime(2027, 2, 20, tzinfo=UTC))
    assert clock.run() is None and clock.next() is None
    shown = client.get("/api/v1/admin/royalties/schedule", headers=admin).json()
    assert shown == {"close_day": 0, "next_month": None, "next_close_at": None}


def test_the_server_closes_on_its_own_and_the_cli_shows_the_next_close(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cadenza import cli

    daily = settings.model_copy(update={"royalty_close_day": 1})
    server = bootstrap(daily)
    now = datetime.now(UTC)
    previous = add_months(f"{now.year:04d}-{now.month:02d}", -1)
    stop = server.start_background()  # the clock's first tick is at start
    try:
        wait_until(lambda: [m.closed.month for m in app.royalties.months()] == [previous], "close")
    finally:
        stop()
        server.close()
    monkeypatch.setenv("CADENZA_DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("CADENZA_ROYALTY_CLOSE_DAY", "1")
    if app.settings.database_url:
        monkeypatch.setenv("CADENZA_DATABASE_URL", app.settings.database_url)
    shown = CliRunner().invoke(cli.cli, ["royalties", "months"])
    assert shown.exit_code == 0, shown.output
    this_month = f"{now.year:04d}-{now.month:02d}"
    following = add_months(this_month, 1)
    assert f"next close: {this_month} on {following}-01 00:00 UTC" in shown.output
    assert re.search(rf"^{previous}\tclosed ", shown.output, re.M)
