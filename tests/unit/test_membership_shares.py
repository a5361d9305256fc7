"""A shared plan's money for a month goes to who was on it, stretch by stretch: a member who
joins on the 16th has half a month of half the plan; the stretches add up to the month's part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from cadenza.domain.royalties import MemberSpan, PaidPeriod, member_shares, month_share

NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_member_joining_mid_month_has_half_the_plan_from_then() -> None:
    duo = PaidPeriod(
        1000,
        "EUR",
        NOV,
        DEC,
        members=[(1, "FR"), (2, "SE")],
        spans=[
            MemberSpan(1, "FR", NOV - timedelta(days=40)),
            MemberSpan(2, "SE", NOV + timedelta(days=15)),
        ],
    )
    shares = member_shares(duo, "2026-11")
    # 15 days alone (500), then 15 days shared (250 each)
    assert shares == {(1, "FR"): Fraction(750), (2, "SE"): Fraction(250)}


def test_a_member_who_left_has_nothing_after_and_no_history_falls_back_to_members() -> None:
    family = PaidPeriod(
        3000,
        "EUR",
        NOV,
        DEC,
        members=[(1, "FR")],
        spans=[
            MemberSpan(1, "FR", NOV),
            MemberSpan(2, "FR", NOV, NOV + timedelta(days=10)),
            MemberSpan(3, "DE", NOV, NOV + timedelta(days=10)),
        ],
    )
    assert member_shares(family, "2026-11") == {
        (1, "FR"): Fraction(1000, 3) + 2000,
        (2, "FR"): Fraction(1000, 3),
        (3, "DE"): Fraction(1000, 3),
    }
    legacy = PaidPeriod(1000, "EUR", NOV, DEC, members=[(1, "FR"), (2, "FR")])
    assert member_shares(legacy, "2026-11") == {(1, "FR"): 500, (2, "FR"): 500}


spans = st.lists(
    st.tuples(st.integers(1, 4), st.integers(-40, 40), st.one_of(st.none(), st.integers(0, 60))),
    max_size=6,
)


@given(
    spans=spans, start=st.integers(-60, 29), days=st.integers(1, 400), cents=st.integers(0, 10**6)
)
def test_the_stretches_add_up_to_the_month_s_part(
    spans: list[tuple[int, int, int | None]], start: int, days: int, cents: int
) -> None:
    begin = NOV + timedelta(days=start)
    paid = PaidPeriod(
        cents,
        "EUR",
        begin,
        begin + timedelta(days=days),
        members=[(9, "FR")],
        spans=[
            MemberSpan(
                a, "FR", NOV + timedelta(days=s), None if n is None else NOV + timedelta(days=s + n)
            )
            for a, s, n in spans
        ],
    )
    assert sum(member_shares(paid, "2026-11").values(), Fraction(0)) == month_share(paid, "2026-11")
