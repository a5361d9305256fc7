"""Plans: what each one includes, what it costs in each market, and billing-period arithmetic."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.audio import Quality
from cadenza.domain.errors import InvalidRequest


class Plan(StrEnum):
    FREE = "free"
    PLUS = "plus"
    PREMIUM_INDIVIDUAL = "premium_individual"
    PREMIUM_DUO = "premium_duo"
    PREMIUM_FAMILY = "premium_family"
    PREMIUM_STUDENT = "premium_student"

    @property
    def features(self) -> PlanFeatures:
        return FEATURES[self]

    @property
    def is_premium(self) -> bool:
        return self.value.startswith("premium_")


class Period(StrEnum):
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class PlanFeatures:
    """One row of the plan table. `None` means unlimited."""

    accounts: int
    ads: bool
    on_demand: bool  # False: albums and playlists play in shuffle only
    skips_per_hour: int | None
    max_quality: Quality
    offline_devices: int
    offline_tracks_per_device: int
    radio: bool
    daily_mix: bool
    group_mix: str | None = None  # "Duo Mix", "Family Mix"
    one_home: bool = False
    needs_student_status: bool = False

    @property
    def qualities(self) -> tuple[Quality, ...]:
        """The qualities a listener on this plan may stream, lowest first."""
        if self.max_quality is Quality.HIGH:
            return (Quality.LOW, Quality.NORMAL, Quality.HIGH)
        return tuple(Quality)

    @property
    def default_quality(self) -> Quality:
        """The quality a player streams when the listener chose none ("Automatic"): the
        plan's best lossy one. Every client asking without a quality asks the same file, so a
        replay finds it in any cache."""
        return Quality.VERY_HIGH if Quality.VERY_HIGH in self.qualities else Quality.HIGH


def _ad_supported(*, on_demand: bool, skips_per_hour: int | None) -> PlanFeatures:
    return PlanFeatures(
        accounts=1,
        ads=True,
        on_demand=on_demand,
        skips_per_hour=skips_per_hour,
        max_quality=Quality.HIGH,
        offline_devices=0,
        offline_tracks_per_device=0,
        radio=False,
        daily_mix=True,
    )


def _premium(
    accounts: int, group_mix: str | None = None, *, one_home: bool = False, student: bool = False
) -> PlanFeatures:
    return PlanFeatures(
        accounts=accounts,
        ads=False,
        on_demand=True,
        skips_per_hour=None,
        max_quality=Quality.LOSSLESS,
        offline_devices=5,
        offline_tracks_per_device=10_000,
        radio=True,
        daily_mix=True,
        group_mix=group_mix,
        one_home=one_home,
        needs_student_status=student,
    )


FEATURES: dict[Plan, PlanFeatures] = {
    Plan.FREE: _ad_supported(on_demand=False, skips_per_hour=6),
    Plan.PLUS: _ad_supported(on_demand=True, skips_per_hour=None),
    Plan.PREMIUM_INDIVIDUAL: _premium(1),
    Plan.PREMIUM_DUO: _premium(2, "Duo Mix"),
    Plan.PREMIUM_FAMILY: _premium(6, "Family Mix", one_home=True),
    Plan.PREMIUM_STUDENT: _premium(1, student=True),
}


@dataclass(frozen=True)
class Market:
    """A market's currency and its prices in cents, per billing period and plan."""

    currency: str
    month: dict[str, int]
    year: dict[str, int]

    @classmethod
    def from_json(cls, name: str, raw: object) -> Market:
        if not isinstance(raw, dict) or not isinstance(raw.get("currency"), str):
            raise ValueError(f"market {name!r} needs a currency")
        tables: list[dict[str, int]] = []
        for period in Period:
            table = raw.get(period.value, {})
            if not isinstance(table, dict) or not all(
                k in Plan._value2member_map_ and isinstance(v, int) and v >= 0
                for k, v in table.items()
            ):
                raise ValueError(f"market {name!r}: {period.value} maps plans to whole cents")
            tables.append(table)
        return cls(raw["currency"], tables[0], tables[1])


# Default prices in cents of EUR; the annual option exists for Premium Individual.
DEFAULT_MARKET = Market(
    currency="EUR",
    month={
        Plan.FREE.value: 0,
        Plan.PLUS.value: 99,
        Plan.PREMIUM_INDIVIDUAL.value: 999,
        Plan.PREMIUM_DUO.value: 1299,
        Plan.PREMIUM_FAMILY.value: 1599,
        Plan.PREMIUM_STUDENT.value: 499,
    },
    year={Plan.PREMIUM_INDIVIDUAL.value: 9999},
)


@dataclass(frozen=True)
class Price:
    plan: Plan
    period: Period
    cents: int
    currency: str

    @property
    def label(self) -> str:
        return f"{self.cents / 100:.2f} {self.currency}/{self.period.value}"


class PriceList:
    """Prices per market (a country code, or "default"). A plan absent from a market's period
    is not offered there (the annual option, say)."""

    def __init__(self, markets: dict[str, Market] | None = None) -> None:
        self._markets = {"default": DEFAULT_MARKET, **(markets or {})}

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> PriceList:
        return cls(
            {
                name.upper() if name != "default" else name: Market.from_json(name, m)
                for name, m in raw.items()
            }
        )

    def market(self, country: str | None) -> Market:
        return self._markets.get((country or "").upper(), self._markets["default"])

    def price(self, plan: Plan, period: Period, country: str | None) -> Price:
        market = self.market(country)
        cents = (market.year if period is Period.YEAR else market.month).get(plan.value)
        if cents is None:
            raise InvalidRequest(
                f"{plan.value} is not offered {'yearly' if period is Period.YEAR else 'monthly'}"
                " in your market",
                code="plan_not_offered",
            )
        return Price(plan, period, cents, market.currency)

    def offers(self, country: str | None) -> list[Price]:
        found = []
        for period in Period:
            for plan in Plan:
                try:
                    found.append(self.price(plan, period, country))
                except InvalidRequest:
                    continue
        return found


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later, clamped to the month's last day (31 Jan -> 28 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def period_end(start: datetime, period: Period) -> datetime:
    return add_months(start, 12 if period is Period.YEAR else 1)


def prorated_cents(
    old_cents: int, new_cents: int, start: datetime, end: datetime, now: datetime
) -> int:
    """What an upgrade costs now: the new price for the rest of the period, less what is left of
    the old one. Never negative (a downgrade waits for the period's end instead)."""
    total = (end - start).total_seconds()
    left = max(0.0, (end - now).total_seconds())
    if total <= 0:
        return 0
    return max(0, round((new_cents - old_cents) * left / total))


TRIAL_LENGTH_MONTHS = 1
# Renewal retries after a declined payment, counted from the period's end: the listener keeps
# the plan, warned, meanwhile. After the last one fails (or the grace period passes) it expires.
RETRY_AFTER = (timedelta(days=1), timedelta(days=3), timedelta(days=7))
GRACE_PERIOD = timedelta(days=10)
FAMILY_SWITCH_WINDOW = timedelta(days=365)
STUDENT_VERIFICATION_VALID = timedelta(days=365)
STUDENT_MAX_YEARS = 4
INVITE_TTL = timedelta(days=7)


def may_switch_family(joins: list[tuple[int, datetime]], target: int, now: datetime) -> bool:
    """One switch to another Family plan per 12 months. `joins` are the account's Family joins
    (plan id, when), oldest first; a switch is a join of a different plan than the one before."""
    if joins and joins[-1][0] == target:
        return True  # back to the same family: no switch
    previous = None
    for plan_id, at in joins:
        if previous is not None and plan_id != previous and now - at < FAMILY_SWITCH_WINDOW:
            return False
        previous = plan_id
    return True


def parse_plan(raw: str) -> Plan:
    try:
        return Plan(raw)
    except ValueError:
        choices = ", ".join(p.value for p in Plan)
        raise InvalidRequest(
            f"unknown plan {raw!r}; one of {choices}", code="unknown_plan"
        ) from None
