"""Royalty money math: every model's lines add up to the cent; ineligible and flagged streams
earn nothing; the split is the same given the same counts."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cadenza.domain.royalties import (
    ListenerStreams,
    MonthInput,
    PaidPeriod,
    RoyaltyModel,
    RoyaltyRules,
    add_months,
    close_month,
    month_share,
    payable_on,
    pro_rata,
    split_cents,
)
from cadenza.services.royalty_arrays import pro_rata_market, split_cents_array

FAST = settings(max_examples=60, deadline=None)

listens = st.lists(
    st.builds(
        ListenerStreams,
        market=st.sampled_from(["FR", "SE", "US"]),
        account=st.integers(1, 6),
        track=st.integers(1, 8),
        streams=st.integers(1, 40),
        sought_out=st.just(0),
    ),
    max_size=25,
)
money = st.dictionaries(
    st.tuples(st.sampled_from(["FR", "SE", "US"]), st.integers(0, 6)),
    st.fractions(min_value=0, max_value=100_000, max_denominator=97),
    max_size=12,
)


@FAST
@given(pool=st.integers(0, 10**12), weights=st.lists(st.integers(0, 10**9), max_size=30))
def test_a_split_adds_up_to_the_pool_to_the_cent(pool: int, weights: list[int]) -> None:
    cents = split_cents(pool, weights)
    assert list(split_cents_array(pool, weights)) == cents  # the bench's twin: the same cents
    if sum(weights):
        assert sum(cents) == pool
        total = sum(weights)
        for w, c in zip(weights, cents, strict=True):
            assert abs(Fraction(int(c)) - Fraction(pool * w, total)) < 1  # within a cent
    else:
        assert sum(cents) == 0


def test_huge_pools_and_weights_stay_exact() -> None:
    weights = [10**9, 3 * 10**9 + 1, 7]
    assert sum(split_cents(10**15, weights)) == 10**15
    assert list(split_cents_array(10**15, weights)) == split_cents(10**15, weights)


@FAST
@given(data=listens, money=money, minimum=st.integers(0, 60))
def test_every_model_pays_out_its_pool_to_the_cent_and_ineligible_tracks_nothing(
    data: list[ListenerStreams], money: dict[tuple[str, int], Fraction], minimum: int
) -> None:
    yearly: dict[int, int] = {}
    for row in data:
        yearly[row.track] = yearly.get(row.track, 0) + row.streams
    rules = RoyaltyRules(min_yearly_streams=minimum, artist_min_streams=20, artist_min_listeners=2)
    month = MonthInput("2026-11", money, data, yearly, {t: t % 3 for t in range(1, 9)})
    results = close_month(month, rules)
    eligible = {t for t, n in yearly.items() if n >= minimum}
    for model, markets in results.items():
        for result in markets:
            assert set(result.lines) <= eligible  # ineligible tracks earn nothing
            assert all(c > 0 for c in result.lines.values())
            assert 0 <= result.paid_cents <= result.pool_cents
            played = {r.track for r in data if r.market == result.market} & eligible
            if model is not RoyaltyModel.USER_CENTRIC and played:
                assert result.paid_cents == result.pool_cents  # the unpaid part stays in
    assert close_month(month, rules) == results  # the same counts, the same money


@FAST
@given(
    streams=st.dictionaries(st.integers(1, 20), st.integers(1, 500), min_size=1, max_size=15),
    eligible=st.sets(st.integers(1, 20)),
    pool=st.integers(1, 10**8),
)
def test_what_ineligible_tracks_would_have_earned_goes_to_the_eligible_ones(
    streams: dict[int, int], eligible: set[int], pool: int
) -> None:
    """The split is as if the ineligible tracks' streams never happened: the pool goes whole
    to the eligible tracks (none of it to the others) when any of them was played."""
    result = pro_rata("FR", pool, streams, eligible)
    alone = pro_rata("FR", pool, {t: n for t, n in streams.items() if t in eligible}, eligible)
    assert result == alone
    assert set(result.lines) <= eligible
    if set(streams) & eligible:
        assert result.paid_cents == pool


def test_user_centric_pays_each_listener_s_money_to_what_they_played() -> None:
    data = [
        ListenerStreams("FR", 1, 10, 1),  # a light listener: all of their 600 to track 10
        ListenerStreams("FR", 2, 20, 99),  # a heavy one: all of their 600 to track 20
        ListenerStreams("FR", 2, 10, 1),
    ]
    money = {("FR", 1): Fraction(600), ("FR", 2): Fraction(600)}
    results = close_month(
        MonthInput("2026-11", money, data, {10: 5, 20: 99}, {}), RoyaltyRules(min_yearly_streams=1)
    )
    by_model = {m: r[0].lines for m, r in results.items()}
    assert by_model[RoyaltyModel.USER_CENTRIC] == {10: 606, 20: 594}
    assert by_model[RoyaltyModel.PRO_RATA] == {10: 24, 20: 1176}


def test_artist_centric_doubles_professionals_and_sought_out_streams_and_caps_listeners() -> None:
    rules = RoyaltyRules(
        min_yearly_streams=1, artist_min_streams=3, artist_min_listeners=2, listener_cap=10
    )
    data = [
        ListenerStreams("FR", 1, 1, 2, sought_out=2),  # artist 100, professional
        ListenerStreams("FR", 2, 1, 2),
        ListenerStreams("FR", 3, 2, 4),  # artist 200: one listener, not professional
        ListenerStreams("FR", 4, 3, 40),  # a listener of 40 streams: capped to 10
    ]
    money = {("FR", 1): Fraction(1000)}
    out = close_month(
        MonthInput("2026-11", money, data, {1: 4, 2: 4, 3: 40}, {1: 100, 2: 200, 3: 300}), rules
    )[RoyaltyModel.ARTIST_CENTRIC][0]
    # weights: track 1: 2 x (2 x 2 + 2) = 12; track 2: 4; track 3: 40 x 10/40 = 10; of 26
    # 1000 x 12/26 = 461.54, x 4/26 = 153.85, x 10/26 = 384.62: two cents left, to .85, .62
    assert out.lines == {1: 461, 2: 154, 3: 385}


def test_money_per_market_is_net_of_vat_split_among_members_and_pro_rata_in_time() -> None:
    year = PaidPeriod(
        cents=12_000,
        currency="EUR",
        period_start=datetime(2026, 1, 1, tzinfo=UTC),
        period_end=datetime(2027, 1, 1, tzinfo=UTC),
        members=[(1, "FR")],
    )
    assert month_share(year, "2026-11") == Fraction(12_000 * 30, 365)
    assert add_months("2026-11", 3) == "2027-02"
    assert payable_on("2026-11", 3) == datetime(2027, 3, 1, tzinfo=UTC)


@FAST
@given(
    pool=st.integers(0, 10**9),
    streams=st.lists(st.integers(0, 50), max_size=40),
    data=st.data(),
)
def test_the_bench_s_market_split_is_the_domain_s(
    pool: int, streams: list[int], data: st.DataObject
) -> None:
    """Many equal remainders (small weights): ties go to the earlier track in both."""
    eligible = data.draw(st.lists(st.booleans(), min_size=len(streams), max_size=len(streams)))
    weights = [n if ok else 0 for n, ok in zip(streams, eligible, strict=True)]
    assert list(pro_rata_market(pool, streams, eligible)) == split_cents(pool, weights)
    at = [i for i, ok in enumerate(eligible) if ok]
    assert list(pro_rata_market(pool, streams, at)) == split_cents(pool, weights)
