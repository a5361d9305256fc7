"""Royalties: a month's money per market, split among tracks to the cent, under three models.

Pure functions over aggregated counts (the database, or the bench's numpy arrays, group the
streams first). Money is exact: revenue is summed as Fractions of a cent, a market's pool is
rounded down to the cent once, and each model hands out whole cents by the largest remainder,
so the lines of a market add up to what that model pays there, to the cent. The user- and
artist-centric shares are summed as integers in billionths (of a cent, of a stream's weight)
so that they stay fast with many listeners; what that leaves out is under a billionth of a
cent per listener.

- pro_rata (streamshare): a track's eligible streams in the market over all eligible streams
  there. Streams flagged artificial and streams of ineligible tracks (fewer than the yearly
  minimum) are left out before the split: the pool goes whole to the eligible tracks.
- user_centric: each listener's own money (their share of their plan, net of VAT, and the ad
  revenue of their own ad impressions) is split among the eligible tracks they played.
- artist_centric (Deezer 2023): each listener's streams are capped (1,000 a month: above it,
  each of their streams weighs cap / streams), a stream weighs double when its artist is
  "professional" (1,000 streams from 500 listeners in the month) and double again when the
  listener sought it out (artist or release page, search, library, own playlist).
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise

from cadenza.domain.errors import InvalidRequest


class RoyaltyModel(StrEnum):
    PRO_RATA = "pro_rata"
    USER_CENTRIC = "user_centric"
    ARTIST_CENTRIC = "artist_centric"


SOUGHT_OUT = frozenset({"artist", "release", "search", "library", "own_playlist"})
SOURCES = frozenset(
    {"artist", "release", "own_playlist", "editorial", "algorithmic", "search", "library", "other"}
)
PRECISION = 10**9  # user- and artist-centric shares are summed in billionths (see below)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class RoyaltyRules:
    recording_share: Fraction = Fraction(52, 100)
    vat: Mapping[str, Fraction] = field(default_factory=dict)  # market -> rate (0.2 = 20 %)
    min_yearly_streams: int = 1_000
    payable_after_months: int = 3
    artist_min_streams: int = 1_000
    artist_min_listeners: int = 500
    listener_cap: int = 1_000
    model: RoyaltyModel = RoyaltyModel.PRO_RATA

    def vat_rate(self, market: str) -> Fraction:
        return self.vat.get(market, Fraction(0))


# -- months -------------------------------------------------------------------------------------


def parse_month(raw: str) -> str:
    if not _MONTH.match(raw):
        raise InvalidRequest(f"{raw!r} is not a month: YYYY-MM", code="bad_month")
    return raw


def month_bounds(month: str) -> tuple[datetime, datetime]:
    year, mon = int(month[:4]), int(month[5:])
    start = datetime(year, mon, 1, tzinfo=UTC)
    return start, datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=UTC)


def add_months(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def trailing_months(month: str, count: int = 12) -> list[str]:
    """`month` and the `count - 1` before it."""
    return [add_months(month, -i) for i in range(count)]


def payable_on(month: str, after_months: int) -> datetime:
    """The end of the `after_months`th month after the listening month (its last instant)."""
    return month_bounds(add_months(month, after_months))[1]


def days_in(month: str) -> int:
    return calendar.monthrange(int(month[:4]), int(month[5:]))[1]


# -- revenue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSpan:
    """An account on the invoice's plan from `start` until `end` (None: still on it)."""

    account: int
    market: str
    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class PaidPeriod:
    """A paid invoice: what it covered and who enjoyed it (each member with their market).
    With `spans` (the membership history), each stretch of the period is shared among the
    members of that stretch; `members` take the stretches no span covers (history from
    before it was kept: the members at the month's end, else the payer)."""

    cents: int
    currency: str
    period_start: datetime
    period_end: datetime
    members: Sequence[tuple[int, str]]  # (account, market)
    spans: Sequence[MemberSpan] = ()


def month_share(paid: PaidPeriod, month: str) -> Fraction:
    """The part of an invoice that pays for `month`, pro rata by time (yearly plans, and
    monthly periods that straddle two calendar months)."""
    start, end = month_bounds(month)
    total = (paid.period_end - paid.period_start).total_seconds()
    if total <= 0:
        return Fraction(0)
    overlap = (min(end, paid.period_end) - max(start, paid.period_start)).total_seconds()
    if overlap <= 0:
        return Fraction(0)
    return Fraction(paid.cents) * Fraction(int(overlap)) / Fraction(int(total))


def member_shares(paid: PaidPeriod, month: str) -> dict[tuple[int, str], Fraction]:
    """(account, market) -> their part of the invoice's money for `month`: the month's part
    of the period cut where members joined, left or changed plan, each stretch pro rata by
    time and shared equally among the members of that stretch."""
    start, end = month_bounds(month)
    low, high = max(start, paid.period_start), min(end, paid.period_end)
    total = _micros(paid.period_end - paid.period_start)
    if high <= low or total <= 0:
        return {}
    cuts = {low, high}
    for span in paid.spans:
        cuts.update(t for t in (span.start, span.end) if t is not None and low < t < high)
    shares: dict[tuple[int, str], Fraction] = defaultdict(Fraction)
    for a, b in pairwise(sorted(cuts)):
        here = list(
            dict.fromkeys(
                (s.account, s.market)
                for s in paid.spans
                if s.start <= a and (s.end is None or s.end >= b)
            )
        ) or list(paid.members)
        if not here:
            continue
        part = Fraction(paid.cents) * _micros(b - a) / total / len(here)
        for who in here:
            shares[who] += part
    return dict(shares)


def _micros(span: timedelta) -> int:
    return span // timedelta(microseconds=1)


def listener_money(
    periods: Iterable[PaidPeriod],
    ad_revenue: Mapping[tuple[int, str], Fraction],
    month: str,
    rules: RoyaltyRules,
) -> dict[tuple[str, int], Fraction]:
    """(market, account) -> the recording share of what that listener brought in this month:
    their equal part of each plan they enjoyed, net of their market's VAT, and the revenue of
    their own ad impressions in that market. Account 0 holds ad revenue of no known listener."""
    money: dict[tuple[str, int], Fraction] = defaultdict(Fraction)
    for paid in periods:
        for (account, market), part in member_shares(paid, month).items():
            money[(market, account)] += part / (1 + rules.vat_rate(market)) * rules.recording_share
    for (account, market), revenue in ad_revenue.items():
        money[(market, account)] += revenue * rules.recording_share
    return dict(money)


def market_pools(money: Mapping[tuple[str, int], Fraction]) -> dict[str, int]:
    """Each market's pool in whole cents (rounded down once: never more than came in)."""
    exact: dict[str, Fraction] = defaultdict(Fraction)
    for (market, _), amount in money.items():
        exact[market] += amount
    return {market: int(amount) for market, amount in exact.items()}


# -- splitting ----------------------------------------------------------------------------------


def split_cents(pool_cents: int, weights: Sequence[int]) -> list[int]:
    """Whole cents per weight, adding up to `pool_cents` exactly (when any weight is positive):
    each gets floor(pool x w / W), and the cents left go one each to the largest remainders
    (ties: the earlier position). services/royalty_arrays.py is the same rule over numpy
    arrays (the bench's million tracks); a property test holds the two equal."""
    total = sum(weights)
    if pool_cents < 0 or any(w < 0 for w in weights):
        raise ValueError("a pool and its weights are never negative")
    if total == 0 or pool_cents == 0:
        return [0] * len(weights)
    floors = [pool_cents * w // total for w in weights]
    left = pool_cents - sum(floors)
    if left:
        remainders = [pool_cents * w % total for w in weights]
        for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
            floors[i] += 1
    return floors


# -- one market, three models --------------------------------------------------------------------


@dataclass(frozen=True)
class ListenerStreams:
    """A listener's counted streams of one track in one market this month (flagged excluded),
    with how many of them the listener sought out."""

    market: str
    account: int
    track: int
    streams: int
    sought_out: int = 0


@dataclass(frozen=True)
class MarketResult:
    market: str
    model: RoyaltyModel
    pool_cents: int
    lines: dict[int, int]  # track -> cents (tracks that earn)

    @property
    def paid_cents(self) -> int:
        return sum(self.lines.values())

    @property
    def unallocated_cents(self) -> int:
        return self.pool_cents - self.paid_cents


def pro_rata(
    market: str, pool_cents: int, streams: Mapping[int, int], eligible: set[int]
) -> MarketResult:
    """Streamshare: `streams` are the market's counted, unflagged streams per track."""
    tracks = sorted(t for t, n in streams.items() if t in eligible and n > 0)
    cents = split_cents(pool_cents, [streams[t] for t in tracks])
    lines = {t: int(c) for t, c in zip(tracks, cents, strict=True) if c}
    return MarketResult(market, RoyaltyModel.PRO_RATA, pool_cents, lines)


def user_centric(
    market: str,
    pool_cents: int,
    money: Mapping[int, Fraction],
    listens: Iterable[ListenerStreams],
    eligible: set[int],
) -> MarketResult:
    """Each listener's `money` (account -> exact cents) split among the eligible tracks they
    played in this market; the money of listeners who played nothing eligible stays unpaid."""
    per_listener: dict[int, dict[int, int]] = defaultdict(dict)
    for row in listens:
        if row.track in eligible and row.streams > 0:
            per_listener[row.account][row.track] = (
                per_listener[row.account].get(row.track, 0) + row.streams
            )
    # Whole units of 1e-9 cent: a listener's money is split among their tracks by the largest
    # remainder, so nothing is lost but less than a billionth of a cent per listener, and the
    # sums stay integers however many listeners there are.
    units: dict[int, int] = defaultdict(int)
    for account in sorted(per_listener):
        amount = int(money.get(account, Fraction(0)) * PRECISION)
        if amount <= 0:
            continue
        tracks = sorted(per_listener[account].items())
        for (track, _), share in zip(
            tracks, split_cents(amount, [n for _, n in tracks]), strict=True
        ):
            units[track] += share
    order = sorted(units)
    paid = min(pool_cents, sum(units.values()) // PRECISION)
    cents = split_cents(paid, [units[t] for t in order])
    lines = {t: c for t, c in zip(order, cents, strict=True) if c}
    return MarketResult(market, RoyaltyModel.USER_CENTRIC, pool_cents, lines)


def professional_artists(
    listens: Iterable[ListenerStreams], artist_of: Mapping[int, int], rules: RoyaltyRules
) -> set[int]:
    """Artists with at least `artist_min_streams` streams from `artist_min_listeners`
    listeners in the month (every market)."""
    streams: dict[int, int] = defaultdict(int)
    listeners: dict[int, set[int]] = defaultdict(set)
    for row in listens:
        artist = artist_of.get(row.track)
        if artist is None:
            continue
        streams[artist] += row.streams
        listeners[artist].add(row.account)
    return {
        a
        for a, n in streams.items()
        if n >= rules.artist_min_streams and len(listeners[a]) >= rules.artist_min_listeners
    }


def artist_centric(
    market: str,
    pool_cents: int,
    listens: Iterable[ListenerStreams],
    eligible: set[int],
    artist_of: Mapping[int, int],
    professionals: set[int],
    listener_totals: Mapping[int, int],
    rules: RoyaltyRules,
) -> MarketResult:
    """Deezer's model: weighted streams, each listener's capped; `listener_totals` are each
    listener's counted streams this month in every market (the cap is per listener)."""
    weights: dict[int, int] = defaultdict(int)  # in 1e-9 of a weighted stream
    for row in listens:
        if row.track not in eligible or row.streams <= 0:
            continue
        total = max(listener_totals.get(row.account, row.streams), row.streams)
        boost = 2 if artist_of.get(row.track) in professionals else 1
        weighted = boost * ((row.streams - row.sought_out) + 2 * row.sought_out) * PRECISION
        if total > rules.listener_cap:  # each of this listener's streams weighs cap / total
            weighted = weighted * rules.listener_cap // total
        weights[row.track] += weighted
    order = sorted(weights)
    cents = split_cents(pool_cents, [weights[t] for t in order])
    lines = {t: c for t, c in zip(order, cents, strict=True) if c}
    return MarketResult(market, RoyaltyModel.ARTIST_CENTRIC, pool_cents, lines)


def eligible_tracks(yearly_streams: Mapping[int, int], rules: RoyaltyRules) -> set[int]:
    return {t for t, n in yearly_streams.items() if n >= rules.min_yearly_streams}


@dataclass(frozen=True)
class MonthInput:
    """Everything a month's close needs, aggregated."""

    month: str
    money: Mapping[tuple[str, int], Fraction]  # (market, account) -> exact cents (see above)
    listens: Sequence[ListenerStreams]  # unflagged counted streams this month
    yearly_streams: Mapping[int, int]  # track -> unflagged counted streams, 12 months to this
    artist_of: Mapping[int, int]  # track -> its first main artist


def close_month(data: MonthInput, rules: RoyaltyRules) -> dict[RoyaltyModel, list[MarketResult]]:
    """The month under each model, market by market (markets in order)."""
    eligible = eligible_tracks(data.yearly_streams, rules)
    pools = market_pools(data.money)
    by_market: dict[str, list[ListenerStreams]] = defaultdict(list)
    listener_totals: dict[int, int] = defaultdict(int)
    for row in data.listens:
        by_market[row.market].append(row)
        listener_totals[row.account] += row.streams
    money_by_market: dict[str, dict[int, Fraction]] = defaultdict(dict)
    for (market, account), amount in data.money.items():
        money_by_market[market][account] = amount
    professionals = professional_artists(data.listens, data.artist_of, rules)
    results: dict[RoyaltyModel, list[MarketResult]] = {m: [] for m in RoyaltyModel}
    for market in sorted(set(pools) | set(by_market)):
        pool = pools.get(market, 0)
        rows = by_market.get(market, [])
        streams: dict[int, int] = defaultdict(int)
        for row in rows:
            streams[row.track] += row.streams
        results[RoyaltyModel.PRO_RATA].append(pro_rata(market, pool, streams, eligible))
        results[RoyaltyModel.USER_CENTRIC].append(
            user_centric(market, pool, money_by_market.get(market, {}), rows, eligible)
        )
        results[RoyaltyModel.ARTIST_CENTRIC].append(
            artist_centric(
                market, pool, rows, eligible, data.artist_of, professionals, listener_totals, rules
            )
        )
    return results
