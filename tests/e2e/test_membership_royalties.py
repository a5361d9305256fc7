"""A shared plan's money in the royalty close goes to who was on it when: a member who joins on
the 16th, a plan upgraded on the 21st (its extra invoice shared from then), a member who leaves
on the 26th; the membership history is kept as members join and leave and plans change, and
made for the members of an older database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadenza.adapters.db.engine import make_engine
from cadenza.adapters.db.models_billing import InvoiceRow, MembershipRow, SubscriptionRow
from cadenza.adapters.db.models_creators import MembershipSpanRow
from cadenza.bootstrap import App
from cadenza.domain.plans import Period, Plan
from cadenza.domain.royalties import RoyaltyRules
from cadenza.domain.subscriptions import Status
from tests.e2e.royalty_helpers import NOV, FixedClock, catalog, play, user
from tests.integration.test_migrations import upgrade


def _day(n: int) -> datetime:
    return NOV + timedelta(days=n - 1)


def _invoice(
    s: Session, sub: int, payer: int, plan: str, kind: str, start: datetime, cents: int
) -> None:
    s.add(
        InvoiceRow(
            subscription_id=sub, payer_id=payer, kind=kind, plan=plan, period_start=start,
            period_end=_day(31), cents=cents, currency="EUR", status="paid",
            description="test", created_at=start, paid_at=start,
        )
    )  # fmt: skip


def test_a_shared_plan_pays_each_member_for_the_days_they_were_on_it(app: App) -> None:
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        manager, joiner, late = user(s, "FR"), user(s, "SE"), user(s, "DE")
        tracks = catalog(s, 3)
        sub = uow.subscriptions.add_subscription(
            payer_id=manager, plan=Plan.PREMIUM_DUO, period=Period.MONTH, status=Status.ACTIVE,
            start=NOV, end=_day(31), currency="EUR", price_cents=1000, payment_method_id=None,
        )  # fmt: skip
        _invoice(s, sub, manager, "premium_duo", "first", NOV, 1000)
        assert uow.members.join(sub, joiner, 2, Plan.PREMIUM_DUO, _day(16))
        uow.members.set_plans(sub, Plan.PREMIUM_FAMILY, _day(21))  # upgraded: 3.00 for the rest
        _invoice(s, sub, manager, "premium_family", "upgrade", _day(21), 300)
        assert uow.members.join(sub, late, 6, Plan.PREMIUM_FAMILY, _day(21))
        assert uow.members.leave(sub, joiner, _day(26))
        for listener, track in ((manager, 0), (joiner, 1), (late, 2)):
            play(s, listener, tracks[track], _day(27) if listener != joiner else _day(17))
        uow.commit()
        spans = [
            (r.user_id, r.plan, r.started_at.day, r.ended_at.day if r.ended_at else None)
            for r in s.scalars(select(MembershipSpanRow).order_by(MembershipSpanRow.id))
        ]
    assert sorted(spans) == sorted(
        [
            (manager, "premium_duo", 1, 21),
            (joiner, "premium_duo", 16, 21),
            (manager, "premium_family", 21, None),
            (joiner, "premium_family", 21, 26),
            (late, "premium_family", 21, None),
        ]
    )
    app.royalties.rules = RoyaltyRules(min_yearly_streams=1)
    app.royalties.clock = FixedClock(datetime(2026, 12, 3, tzinfo=UTC))
    done = app.royalties.close("2026-11")
    # 10.00 for November: days 1-15 the manager alone, 16-20 shared by two, 21-25 by three
    # (and the upgrade's 3.00 for days 21-30: 21-25 by three, 26-30 by two), 26-30 by two.
    # Manager 847.22, joiner 188.89, late 263.89 (of 13.00); x 0.52, down to the cent.
    pools = {p.market: p.pool_cents for p in done.pools if p.model == "pro_rata"}
    assert pools == {"FR": 440, "SE": 98, "DE": 137}
    _, lines = app.royalties.statement("2026-11", model="user_centric")
    assert {(line.market, line.track_id): line.amount_cents for line in lines} == {
        ("FR", tracks[0]): 440,
        ("SE", tracks[1]): 98,
        ("DE", tracks[2]): 137,
    }


def test_the_upgrade_gives_today_s_members_their_history(tmp_path: Path) -> None:
    from cadenza.adapters.db.models_accounts import UserRow

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0039")
    engine = make_engine(url)
    with Session(engine) as s:
        people = [user(s, "FR"), user(s, "FR")]
        sub = SubscriptionRow(
            payer_id=people[0], plan="premium_duo", period="month", status="active",
            period_start=NOV, period_end=_day(31), members=2, currency="EUR", price_cents=1000,
            created_at=NOV,
        )  # fmt: skip
        s.add(sub)
        s.flush()
        for i, person in enumerate(people):
            s.add(
                MembershipRow(
                    subscription_id=sub.id,
                    user_id=person,
                    manager=i == 0,
                    joined_at=_day(1 + 9 * i),
                )
            )
        s.commit()
        assert s.scalar(select(UserRow.id).where(UserRow.id == people[1])) == people[1]
    engine.dispose()
    upgrade(url, "head")
    engine = make_engine(url)
    with Session(engine) as s:
        made = s.execute(
            select(MembershipSpanRow.user_id, MembershipSpanRow.plan, MembershipSpanRow.started_at)
        ).all()
    engine.dispose()
    assert sorted((u, p, at.day) for u, p, at in made) == [
        (people[0], "premium_duo", 1),
        (people[1], "premium_duo", 10),
    ]
