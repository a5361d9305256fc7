"""Royalties as stored: the month's aggregates a close reads, and what a close wrote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Protocol

from cadenza.domain.royalties import ListenerStreams, PaidPeriod


@dataclass(frozen=True)
class TrackFacts:
    distributor_id: int
    isrc: str | None
    title: str
    artist_id: int | None  # its first main artist


@dataclass(frozen=True)
class ClosedMonth:
    month: str
    model: str
    closed_at: datetime
    payable_at: datetime
    streams: int
    rules: dict[str, object]


@dataclass(frozen=True)
class PoolFigures:
    market: str
    model: str
    currency: str
    pool_cents: int
    paid_cents: int
    streams: int
    flagged_streams: int


@dataclass(frozen=True)
class StatementLine:
    month: str
    distributor_id: int
    market: str
    track_id: int
    isrc: str | None
    title: str
    streams: int
    amount_cents: int
    currency: str


@dataclass(frozen=True)
class Payout:
    distributor_id: int
    month: str
    currency: str
    amount_cents: int
    lines: int
    payable_at: datetime
    paid_at: datetime | None  # None: not paid yet


class RoyaltyRepository(Protocol):
    def stamp(self, month: str, until: datetime) -> int:
        """Give every counted, unstamped stream that started before `until` this month."""
        ...

    def listens(self, month: str) -> list[ListenerStreams]:
        """Unflagged counted streams stamped with the month, per market, listener and track."""
        ...

    def flagged_streams(self, month: str) -> dict[str, int]:
        """Market -> streams stamped with the month and flagged artificial."""
        ...

    def yearly_streams(self, months: Sequence[str]) -> dict[int, int]:
        """Track -> unflagged counted streams stamped with any of `months`."""
        ...

    def track_facts(self, track_ids: Sequence[int]) -> dict[int, TrackFacts]: ...

    def paid_periods(self, start: datetime, end: datetime) -> list[PaidPeriod]:
        """Paid invoices covering some of [start, end), each with its plan's members' markets."""
        ...

    def ad_revenue(self, start: datetime, end: datetime) -> dict[tuple[int, str], Fraction]:
        """(account or 0, market) -> ad revenue in cents of impressions in [start, end)."""
        ...

    def closed(self, month: str) -> ClosedMonth | None: ...

    def closed_months(self) -> list[ClosedMonth]: ...

    def save(
        self,
        closed: ClosedMonth,
        pools: Sequence[PoolFigures],
        lines: Sequence[tuple[str, StatementLine]],
    ) -> bool:
        """Write a close: the month, its pools, its lines (model, line). False, and nothing
        written, when the month is closed already (then roll back)."""
        ...

    def pools(self, month: str) -> list[PoolFigures]: ...

    def statement(
        self, month: str, model: str, distributor_id: int | None
    ) -> list[StatementLine]: ...

    def payouts(self, distributor_id: int | None, now: datetime | None) -> list[Payout]:
        """Every distributor's money per closed month and currency under the paying model,
        paid or not: for months payable by `now` (None: every closed month)."""
        ...

    def record_payout(self, payout: Payout, paid_at: datetime) -> bool:
        """Record a payment; False (and nothing written) when it was recorded already."""
        ...
