"""The ad rules under random campaigns and listeners: an advertiser is never charged past the
budget, and a break never holds an ad its campaign's terms rule out."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cadenza.domain.ads import (
    ADS_PER_BREAK,
    MILLICENTS_PER_CENT,
    AdAudience,
    Campaign,
    CampaignStatus,
    CampaignTerms,
    Creative,
    Targeting,
    age_on,
    cents_text,
    choose_ads,
)

TODAY = date(2026, 11, 25)
CREATIVE = Creative(duration_s=20.0, audio={"high": "a" * 64}, gain_db=-3.0, images={640: "b"})


def campaign(
    id: int, *, budget: int = 100, cpm: int = 500, spent: int = 0, **targeting: object
) -> Campaign:
    terms = CampaignTerms(
        name=f"c{id}",
        click_url="https://example.org",
        targeting=Targeting(**targeting),  # type: ignore[arg-type]
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=1),
        budget_cents=budget,
        cpm_cents=cpm,
        frequency_cap=2,
    )
    return Campaign(id, 1, CampaignStatus.ACTIVE, terms, CREATIVE, spent, 0)


@given(budget=st.integers(1, 10_000), cpm=st.integers(1, 100_000), plays=st.integers(1, 400))
def test_spend_never_passes_the_budget_and_every_millicent_is_counted(
    budget: int, cpm: int, plays: int
) -> None:
    spent, earned = 0, []
    for _ in range(plays):
        c = campaign(1, budget=budget, cpm=cpm, spent=spent)
        if not c.servable(TODAY):
            break
        earned.append(c.impression_price())
        spent += earned[-1]
    assert sum(earned) == spent <= budget * MILLICENTS_PER_CENT
    assert all(price == cpm for price in earned[:-1])  # only the last may be cut short


audiences = st.builds(
    AdAudience,
    country=st.sampled_from(["GB", "DE", "FR"]),
    age=st.integers(13, 90),
    recent_genres=st.lists(st.sampled_from(["jazz", "pop", "metal"]), max_size=3).map(tuple),
    ads_today=st.dictionaries(st.integers(1, 6), st.integers(0, 3)),
)
targetings = st.builds(
    dict,
    countries=st.frozensets(st.sampled_from(["GB", "DE", "FR"]), max_size=2),
    min_age=st.none() | st.integers(13, 40),
    max_age=st.none() | st.integers(41, 90),
    genres=st.frozensets(st.sampled_from(["jazz", "pop", "metal"]), max_size=2),
)


@given(who=audiences, terms=st.lists(targetings, min_size=1, max_size=6))
def test_a_break_holds_only_ads_that_may_reach_the_listener(
    who: AdAudience, terms: list[dict[str, object]]
) -> None:
    campaigns = [campaign(i + 1, cpm=100 * (i % 3 + 1), **t) for i, t in enumerate(terms)]
    chosen = choose_ads(campaigns, who, TODAY)
    assert len(chosen) <= ADS_PER_BREAK
    assert len({c.id for c in chosen}) == len(chosen)
    for c in chosen:
        t = c.terms.targeting
        assert not t.countries or who.country in t.countries
        assert t.min_age is None or who.age >= t.min_age
        assert t.max_age is None or who.age <= t.max_age
        assert not t.genres or not who.recent_genres or t.genres & set(who.recent_genres)
        assert who.ads_today.get(c.id, 0) < c.terms.frequency_cap
    assert [c.terms.cpm_cents for c in chosen] == sorted(
        (c.terms.cpm_cents for c in chosen), reverse=True
    )


def test_money_and_ages_read_as_people_expect() -> None:
    assert cents_text(1500) == "1.500"
    assert cents_text(7) == "0.007"
    assert age_on(date(2000, 11, 26), TODAY) == 25
    assert age_on(date(2000, 11, 25), TODAY) == 26
