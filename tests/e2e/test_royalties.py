"""Royalties end to end on the database: a month closed from plays, invoices and ad impressions;
statements add up to the pool to the cent; ineligible and flagged streams earn nothing; closing
twice changes nothing; a late stream lands in the next month closed, never in a closed one;
payouts happen once."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cadenza.bootstrap import App
from cadenza.domain.royalties import RoyaltyRules
from cadenza.services.royalties import statement_csv, statement_dsr
from tests.e2e.royalty_helpers import (
    NOV,
    FixedClock,
    catalog,
    impression,
    play,
    reset,
    subscription,
    user,
)


def _rules(app: App, minimum: int) -> None:
    app.royalties.rules = RoyaltyRules(min_yearly_streams=minimum)


def _stored(app: App, month: str) -> tuple[object, ...]:
    done = app.royalties.month(month)
    _, lines = app.royalties.statement(month)
    return (done.closed, tuple(done.pools), tuple(lines))


plays_strategy = st.lists(
    st.tuples(
        st.integers(0, 3),  # listener
        st.integers(0, 5),  # track
        st.integers(0, 29),  # day of November
        st.booleans(),  # flagged artificial
    ),
    max_size=30,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plays=plays_strategy, minimum=st.integers(1, 6), late=st.integers(0, 5))
def test_a_closed_month_adds_up_to_the_cent_and_never_changes(
    app: App, plays: list[tuple[int, int, int, bool]], minimum: int, late: int
) -> None:
    reset(app)
    _rules(app, minimum)
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        users = [user(s, c) for c in ("FR", "FR", "SE", "SE")]
        subscription(s, users[:1], 999, NOV - timedelta(days=10), 1)
        subscription(s, users[1:3], 1299, NOV + timedelta(days=3), 1)  # a Duo in two markets
        subscription(s, users[3:], 9999, NOV - timedelta(days=100), 12)  # yearly
        tracks = catalog(s, 6)
        for listener, track, day, flagged in plays:
            play(
                s,
                users[listener],
                tracks[track],
                NOV + timedelta(days=day, hours=1),
                flagged=flagged,
            )
        play(s, users[0], tracks[0], NOV + timedelta(days=2), counted=False)  # never counts
        s.commit()
    app.royalties.clock = FixedClock(datetime(2027, 1, 3, tzinfo=UTC))
    first = app.royalties.close("2026-11")
    assert not first.already
    unflagged: dict[tuple[str, int], int] = {}
    for listener, track, _, flagged in plays:
        if not flagged:
            key = ("FR" if listener < 2 else "SE", tracks[track])
            unflagged[key] = unflagged.get(key, 0) + 1
    yearly: dict[int, int] = {}
    for (_, track), n in unflagged.items():
        yearly[track] = yearly.get(track, 0) + n
    eligible = {t for t, n in yearly.items() if n >= minimum}
    for model in ("pro_rata", "user_centric", "artist_centric"):
        _, lines = app.royalties.statement("2026-11", model=model)
        for pool in [p for p in first.pools if p.model == model]:
            market_lines = [line for line in lines if line.market == pool.market]
            assert sum(line.amount_cents for line in market_lines) == pool.paid_cents
            assert all(line.track_id in eligible for line in market_lines)  # nothing else earns
            assert all(
                line.streams == unflagged[(pool.market, line.track_id)] for line in market_lines
            )
            if model == "pro_rata" and any(
                m == pool.market and t in eligible for m, t in unflagged
            ):
                assert pool.paid_cents == pool.pool_cents > 0  # the whole pool, to the cent
    # FR: 9.99 (10 of 30 days... pro rata) and half a Duo; the pools are never more than came in
    fr = next(p for p in first.pools if p.market == "FR" and p.model == "pro_rata")
    assert 0 < fr.pool_cents <= int((999 + 1299 / 2) * 0.52) + 1
    before = _stored(app, "2026-11")

    again = app.royalties.close("2026-11")  # closing twice changes nothing
    assert again.already
    assert _stored(app, "2026-11") == before

    with app.uow() as uow:  # late streams of November arrive after the close
        s = uow.session  # type: ignore[attr-defined]
        for _ in range(late):
            play(s, users[0], tracks[0], NOV + timedelta(days=5))
        s.commit()
    app.royalties.close("2026-11")
    assert _stored(app, "2026-11") == before  # a closed month never changes
    december = app.royalties.close("2026-12")
    assert december.closed.streams == late  # they land in the next month closed
    assert _stored(app, "2026-11") == before


def test_statements_export_and_payouts_happen_once(app: App) -> None:
    _rules(app, 1)
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        fr = user(s, "FR")
        subscription(s, [fr], 1000, NOV, 1)
        tracks = catalog(s, 2)
        for i in range(3):
            play(s, fr, tracks[0], NOV + timedelta(days=i))
        play(s, fr, tracks[1], NOV + timedelta(days=4))
        s.commit()
    app.royalties.clock = FixedClock(datetime(2026, 12, 2, tzinfo=UTC))
    app.royalties.close("2026-11")
    closed, lines = app.royalties.statement("2026-11")
    rows = list(csv.DictReader(io.StringIO(statement_csv(lines))))
    total = sum(round(float(r["amount"]) * 100) for r in rows)
    pool = next(p for p in app.royalties.month("2026-11").pools if p.model == "pro_rata")
    assert total == pool.pool_cents == 1000 * 30 // 30 * 52 // 100  # 5.20 EUR
    assert {r["isrc"] for r in rows} and all(r["currency"] == "EUR" for r in rows)
    dsr = statement_dsr(closed, lines, "test").splitlines()
    assert dsr[0].split("\t")[0] == "HEAD" and dsr[-1].split("\t")[0] == "FOOT"
    foot = dsr[-1].split("\t")
    assert foot[1] == str(len(dsr)) and foot[2] == str(len(lines)) and foot[4] == "EUR:5.20"
    assert sum(1 for r in dsr if r.startswith("RU01")) == len(lines)

    assert app.royalties.pay() == []  # not payable before the end of February
    app.royalties.clock = FixedClock(datetime(2027, 3, 1, 0, 0, 1, tzinfo=UTC))
    paid = app.royalties.pay()
    assert sorted(p.amount_cents for p in paid) == sorted(
        {line.distributor_id: line.amount_cents for line in lines}.values()
    )
    assert app.royalties.pay() == []  # never twice
    assert all(p.paid_at is not None for p in app.royalties.payouts())


def test_the_cli_closes_a_month_and_prints_statements(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cadenza import cli

    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        fr = user(s, "FR")
        subscription(s, [fr], 1000, NOV, 1)
        tracks = catalog(s, 2)
        for _ in range(1000):
            play(s, fr, tracks[0], NOV + timedelta(days=3))
        s.commit()
    monkeypatch.setenv("CADENZA_DATA_DIR", str(app.settings.data_dir))
    if app.settings.database_url:
        monkeypatch.setenv("CADENZA_DATABASE_URL", app.settings.database_url)
    runner = CliRunner()
    closed = runner.invoke(cli.cli, ["royalties", "close", "2026-11", "--quiet"])
    assert closed.exit_code == 0, closed.output
    assert "2026-11 closed" in closed.output and "pool 5.20 EUR" in closed.output
    again = runner.invoke(cli.cli, ["royalties", "close", "2026-11", "--quiet"])
    assert "already closed" in again.output
    out = runner.invoke(cli.cli, ["royalties", "statements", "2026-11", "--format", "dsr"])
    assert out.exit_code == 0 and "FOOT" in out.output and "EUR:5.20" in out.output
    future = runner.invoke(cli.cli, ["royalties", "close", "2099-01"])
    assert future.exit_code == 2 and "not ended" in future.output


def test_ads_join_their_market_s_pool_net_of_nothing_and_plans_net_of_vat(app: App) -> None:
    """FR: a 12.00 plan at 20 % VAT (10.00 net) and 5.00 of ads heard by a free listener;
    x 0.52 = 7.80. User-centric: the subscriber's 5.20 to what they played, the free
    listener's 2.60 to what they played; pro rata: by streams."""
    from fractions import Fraction

    app.royalties.rules = RoyaltyRules(min_yearly_streams=1, vat={"FR": Fraction(1, 5)})
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        paying, free = user(s, "FR"), user(s, "FR", plan="free")
        subscription(s, [paying], 1200, NOV, 1)
        impression(s, free, "FR", 300_000, NOV + timedelta(days=2))
        impression(s, None, "FR", 200_000, NOV + timedelta(days=3))  # an account since deleted
        impression(s, free, "FR", 999_000, NOV - timedelta(days=1))  # October's
        a, b = catalog(s, 2)
        for day in range(3):
            play(s, paying, a, NOV + timedelta(days=day))
        play(s, free, b, NOV + timedelta(days=4))
        s.commit()
    app.royalties.clock = FixedClock(datetime(2026, 12, 2, tzinfo=UTC))
    pools = {p.model: p for p in app.royalties.close("2026-11").pools}
    assert pools["pro_rata"].pool_cents == 780
    assert pools["pro_rata"].paid_cents == 780
    _, lines = app.royalties.statement("2026-11", model="user_centric")
    assert {line.track_id: line.amount_cents for line in lines} == {a: 520, b: 156}
    assert pools["user_centric"].paid_cents == 676  # the deleted account's 1.04 stays unpaid
    _, lines = app.royalties.statement("2026-11")
    assert {line.track_id: line.amount_cents for line in lines} == {a: 585, b: 195}
