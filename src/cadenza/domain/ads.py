"""Ads on Free and Plus: what a campaign promises, who it may reach, which ads fill a break, and
what an impression earns.

Money is whole numbers only. Budgets and CPM are cents; an impression costs CPM / 1000 cents,
which is exactly `cpm_cents` millicents (thousandths of a cent), so spend is counted in millicents
and never rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlsplit

from cadenza.domain.entitlements import Listening
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.territories import ISO_COUNTRIES

MILLICENTS_PER_CENT = 1000
CREATIVE_SECONDS = (15.0, 30.0)
CREATIVE_TOLERANCE_S = 0.05  # encoders pad a few milliseconds
ADS_PER_BREAK = 2
# An ad waiting in an open break holds its price from the budget this long; a break abandoned for
# longer (the listener closed the app) stops holding it.
PROMISE_HELD = timedelta(hours=1)
RECENT_GENRES = 10  # genres of the latest tracks kept for targeting
MIN_AGE, MAX_AGE = 13, 120
MAX_GENRES, MAX_COUNTRIES = 20, 250
MAX_BUDGET_CENTS = 10**12
MAX_CPM_CENTS = 100_000  # 1,000.00 per thousand impressions
MAX_FREQUENCY_CAP = 100


class CampaignStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


def cents_text(millicents: int) -> str:
    """Millicents as an exact decimal number of cents: 1500 -> '1.500'."""
    return str(Decimal(millicents).scaleb(-3).quantize(Decimal("0.001")))


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


@dataclass(frozen=True)
class Targeting:
    """Empty countries or genres mean everywhere / any music; ages are inclusive."""

    countries: frozenset[str] = frozenset()
    min_age: int | None = None
    max_age: int | None = None
    genres: frozenset[str] = frozenset()

    def reaches(self, country: str, age: int, recent_genres: Iterable[str]) -> bool:
        if self.countries and country.upper() not in self.countries:
            return False
        if (self.min_age is not None and age < self.min_age) or (
            self.max_age is not None and age > self.max_age
        ):
            return False
        heard = {g.casefold() for g in recent_genres}
        # Genre targeting applies where we know what the listener played lately.
        return not (self.genres and heard and not self.genres & heard)


@dataclass(frozen=True)
class CampaignTerms:
    """What an advertiser sets and may change: everything but the creative."""

    name: str
    click_url: str
    targeting: Targeting
    starts_on: date
    ends_on: date
    budget_cents: int
    cpm_cents: int
    frequency_cap: int  # ads of this campaign per listener per day

    def checked(self, spent_millicents: int = 0) -> CampaignTerms:
        """These terms, normalised, or a refusal naming the first thing wrong."""
        name = self.name.strip()
        if not 1 <= len(name) <= 200:
            raise _bad("a campaign name of 1 to 200 characters", "invalid_name")
        return replace(
            self, name=name, targeting=_checked_targeting(self.targeting), click_url=_url(self)
        )._check_numbers(spent_millicents)

    def _check_numbers(self, spent_millicents: int) -> CampaignTerms:
        if self.ends_on < self.starts_on:
            raise _bad("the flight ends before it starts", "invalid_flight")
        if not 1 <= self.budget_cents <= MAX_BUDGET_CENTS:
            raise _bad(f"a budget of 1 to {MAX_BUDGET_CENTS} cents", "invalid_budget")
        if self.budget_cents * MILLICENTS_PER_CENT < spent_millicents:
            raise _bad(
                f"the campaign has already spent {cents_text(spent_millicents)} cents",
                "budget_below_spend",
            )
        if not 1 <= self.cpm_cents <= MAX_CPM_CENTS:
            raise _bad(f"a CPM of 1 to {MAX_CPM_CENTS} cents", "invalid_cpm")
        if not 1 <= self.frequency_cap <= MAX_FREQUENCY_CAP:
            raise _bad(
                f"a frequency cap of 1 to {MAX_FREQUENCY_CAP} ads per listener per day",
                "invalid_frequency_cap",
            )
        return self


def _bad(message: str, code: str) -> InvalidRequest:
    return InvalidRequest(message, code=code)


def _url(terms: CampaignTerms) -> str:
    url = terms.click_url.strip()
    parts = urlsplit(url)
    if len(url) > 2000 or parts.scheme not in ("http", "https") or not parts.netloc:
        raise _bad("the click-through URL must be an http or https address", "invalid_click_url")
    return url


def _checked_targeting(t: Targeting) -> Targeting:
    countries = frozenset(c.strip().upper() for c in t.countries)
    unknown = sorted(countries - ISO_COUNTRIES)
    if unknown or len(countries) > MAX_COUNTRIES:
        raise _bad(f"unknown country codes: {', '.join(unknown)}", "unknown_country")
    genres = frozenset(g.strip().casefold() for g in t.genres)
    if len(genres) > MAX_GENRES or not all(1 <= len(g) <= 50 for g in genres):
        raise _bad(f"at most {MAX_GENRES} genres of 1 to 50 characters", "invalid_genres")
    for age in (t.min_age, t.max_age):
        if age is not None and not MIN_AGE <= age <= MAX_AGE:
            raise _bad(f"ages are {MIN_AGE} to {MAX_AGE}", "invalid_age_range")
    if t.min_age is not None and t.max_age is not None and t.min_age > t.max_age:
        raise _bad("the minimum age is above the maximum", "invalid_age_range")
    return Targeting(countries, t.min_age, t.max_age, genres)


def check_creative_length(seconds: float) -> None:
    low, high = CREATIVE_SECONDS
    if not low - CREATIVE_TOLERANCE_S <= seconds <= high + CREATIVE_TOLERANCE_S:
        lasts = "more than a minute" if seconds == float("inf") else f"{seconds:.1f} s"
        raise InvalidRequest(
            f"the creative lasts {lasts}; an ad lasts {low:.0f} to {high:.0f} s",
            code="creative_length",
        )


@dataclass(frozen=True)
class Creative:
    """The ad's audio as stored: Opus per quality, loudness, and the gain to -14 LUFS."""

    duration_s: float
    audio: Mapping[str, str]  # quality -> blob
    gain_db: float
    images: Mapping[int, str]  # the companion image: square JPEG size in px -> blob


@dataclass(frozen=True)
class Campaign:
    id: int
    advertiser_id: int | None
    status: CampaignStatus
    terms: CampaignTerms
    creative: Creative
    spent_millicents: int
    impressions: int

    @property
    def budget_left_millicents(self) -> int:
        return max(0, self.terms.budget_cents * MILLICENTS_PER_CENT - self.spent_millicents)

    def servable(self, today: date) -> bool:
        """Running, in flight and with budget left."""
        return (
            self.status is CampaignStatus.ACTIVE
            and self.terms.starts_on <= today <= self.terms.ends_on
            and self.budget_left_millicents > 0
        )

    def impression_price(self) -> int:
        """What the next completed ad earns, in millicents: CPM / 1000, never past the budget."""
        return min(self.terms.cpm_cents, self.budget_left_millicents)

    def can_promise(self, promised: int) -> bool:
        """Whether one more ad may be put in a break when `promised` ads of this campaign already
        wait in open breaks: each is paid when it completes, so the budget must cover them all
        first, or listeners would hear ads the advertiser never pays for."""
        return self.budget_left_millicents > promised * self.terms.cpm_cents


@dataclass(frozen=True)
class ListeningState:
    """A listener's progress towards the next ad break, as the ads store keeps it."""

    listening: Listening = field(default_factory=Listening)
    open_break_id: int | None = None
    recent_genres: tuple[str, ...] = ()  # of the last tracks played, newest first

    def after_song(self, seconds: float, genres: Iterable[str]) -> ListeningState:
        heard = tuple(dict.fromkeys([*(g.casefold() for g in genres), *self.recent_genres]))
        return replace(
            self, listening=self.listening.after_song(seconds), recent_genres=heard[:RECENT_GENRES]
        )

    def with_break(self, break_id: int) -> ListeningState:
        return replace(
            self, listening=replace(self.listening, ad_playing=True), open_break_id=break_id
        )

    def after_break(self) -> ListeningState:
        return replace(self, listening=self.listening.after_ad_break(), open_break_id=None)


@dataclass(frozen=True)
class BreakAd:
    campaign_id: int
    completed: bool


@dataclass(frozen=True)
class AdBreak:
    id: int
    account_id: int
    ads: tuple[BreakAd, ...]
    closed: bool
    opened_at: datetime

    def ad(self, campaign_id: int) -> BreakAd | None:
        return next((a for a in self.ads if a.campaign_id == campaign_id), None)

    def abandoned(self, now: datetime) -> bool:
        """Left unplayed past PROMISE_HELD: its ads no longer hold their price, so it must not
        play any more (the budget may have gone to other breaks meanwhile)."""
        return not self.closed and self.opened_at < now - PROMISE_HELD


@dataclass(frozen=True)
class AdAudience:
    """The listener a break is for."""

    country: str
    age: int
    recent_genres: tuple[str, ...]
    ads_today: Mapping[int, int]  # campaign id -> ads of it served to this listener today


def choose_ads(
    campaigns: Iterable[Campaign],
    who: AdAudience,
    today: date,
    promised: Mapping[int, int] | None = None,
) -> list[Campaign]:
    """Up to two ads of different campaigns that may reach this listener now: the highest CPM
    first (it earns the pool most), then the campaign with the most budget left, then the oldest.
    `promised` is campaign id -> its ads waiting in other listeners' open breaks."""
    waiting = promised or {}
    eligible = [
        c
        for c in campaigns
        if c.servable(today)
        and c.can_promise(waiting.get(c.id, 0))
        and who.ads_today.get(c.id, 0) < c.terms.frequency_cap
        and c.terms.targeting.reaches(who.country, who.age, who.recent_genres)
    ]
    eligible.sort(key=lambda c: (-c.terms.cpm_cents, -c.budget_left_millicents, c.id))
    return eligible[:ADS_PER_BREAK]
