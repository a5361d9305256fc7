"""Royalties in SQL: GROUP BY aggregates of a month's streams and revenue, and the closes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import ReleaseRow, TrackArtistRow, TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_ads import ImpressionRow
from cadenza.adapters.db.models_billing import InvoiceRow, MembershipRow
from cadenza.adapters.db.models_creators import MembershipSpanRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.adapters.db.models_royalties import (
    RoyaltyLineRow,
    RoyaltyMonthRow,
    RoyaltyPayoutRow,
    RoyaltyPoolRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.royalties import SOUGHT_OUT, ListenerStreams, MemberSpan, PaidPeriod
from cadenza.ports.royalties import ClosedMonth, Payout, PoolFigures, StatementLine, TrackFacts

_CHUNK = 500  # ids per IN (...)


class SqlRoyalties:
    def __init__(self, session: Session) -> None:
        self.s = session

    def stamp(self, month: str, until: datetime) -> int:
        result = self.s.execute(
            update(PlayRow)
            .where(
                PlayRow.counted.is_(True),
                PlayRow.royalty_month.is_(None),
                PlayRow.started_at < as_utc(until),
            )
            .values(royalty_month=month)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def listens(self, month: str) -> list[ListenerStreams]:
        market = func.upper(func.coalesce(PlayRow.country, UserRow.country))
        sought = func.sum(case((PlayRow.source.in_(sorted(SOUGHT_OUT)), 1), else_=0))
        rows = self.s.execute(
            select(market, PlayRow.user_id, PlayRow.track_id, func.count(), sought)
            .join(UserRow, UserRow.id == PlayRow.user_id)
            .where(
                PlayRow.royalty_month == month,
                PlayRow.counted.is_(True),
                PlayRow.flagged_artificial.is_(False),
            )
            .group_by(market, PlayRow.user_id, PlayRow.track_id)
        )
        return [
            ListenerStreams(str(m), int(u), int(t), int(n), int(so or 0)) for m, u, t, n, so in rows
        ]

    def flagged_streams(self, month: str) -> dict[str, int]:
        market = func.upper(func.coalesce(PlayRow.country, UserRow.country))
        rows = self.s.execute(
            select(market, func.count())
            .join(UserRow, UserRow.id == PlayRow.user_id)
            .where(
                PlayRow.royalty_month == month,
                PlayRow.counted.is_(True),
                PlayRow.flagged_artificial.is_(True),
            )
            .group_by(market)
        )
        return {str(m): int(n) for m, n in rows}

    def yearly_streams(self, months: Sequence[str]) -> dict[int, int]:
        rows = self.s.execute(
            select(PlayRow.track_id, func.count())
            .where(
                PlayRow.royalty_month.in_(list(months)),
                PlayRow.counted.is_(True),
                PlayRow.flagged_artificial.is_(False),
            )
            .group_by(PlayRow.track_id)
        )
        return {int(t): int(n) for t, n in rows}

    def track_facts(self, track_ids: Sequence[int]) -> dict[int, TrackFacts]:
        found: dict[int, TrackFacts] = {}
        ids = sorted(set(track_ids))
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            main = (
                select(TrackArtistRow.track_id, func.min(TrackArtistRow.artist_id).label("artist"))
                .where(TrackArtistRow.role == "main", TrackArtistRow.track_id.in_(chunk))
                .group_by(TrackArtistRow.track_id)
                .subquery()
            )
            rows = self.s.execute(
                select(
                    TrackRow.id,
                    ReleaseRow.distributor_id,
                    TrackRow.isrc,
                    TrackRow.title,
                    main.c.artist,
                )
                .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
                .outerjoin(main, main.c.track_id == TrackRow.id)
                .where(TrackRow.id.in_(chunk))
            )
            for track, distributor, isrc, title, artist in rows:
                found[int(track)] = TrackFacts(
                    int(distributor), isrc, title, int(artist) if artist is not None else None
                )
        return found

    def paid_periods(self, start: datetime, end: datetime) -> list[PaidPeriod]:
        invoices = self.s.execute(
            select(
                InvoiceRow.subscription_id,
                InvoiceRow.payer_id,
                InvoiceRow.cents,
                InvoiceRow.currency,
                InvoiceRow.period_start,
                InvoiceRow.period_end,
            ).where(
                InvoiceRow.status == "paid",
                InvoiceRow.cents > 0,
                InvoiceRow.period_start < as_utc(end),
                InvoiceRow.period_end > as_utc(start),
            )
        ).all()
        members: dict[int, list[tuple[int, str]]] = defaultdict(list)
        subscriptions = sorted({int(row[0]) for row in invoices})
        for i in range(0, len(subscriptions), _CHUNK):
            rows = self.s.execute(
                select(MembershipRow.subscription_id, MembershipRow.user_id, UserRow.country)
                .join(UserRow, UserRow.id == MembershipRow.user_id)
                .where(
                    MembershipRow.subscription_id.in_(subscriptions[i : i + _CHUNK]),
                    MembershipRow.joined_at < as_utc(end),
                )
                .order_by(MembershipRow.user_id)
            )
            for sub, user, country in rows:
                members[int(sub)].append((int(user), str(country).upper()))
        spans: dict[int, list[MemberSpan]] = defaultdict(list)
        for i in range(0, len(subscriptions), _CHUNK):
            span_rows = self.s.execute(
                select(
                    MembershipSpanRow.subscription_id,
                    MembershipSpanRow.user_id,
                    UserRow.country,
                    MembershipSpanRow.started_at,
                    MembershipSpanRow.ended_at,
                )
                .join(UserRow, UserRow.id == MembershipSpanRow.user_id)
                .where(
                    MembershipSpanRow.subscription_id.in_(subscriptions[i : i + _CHUNK]),
                    MembershipSpanRow.started_at < as_utc(end),
                    or_(
                        MembershipSpanRow.ended_at.is_(None),
                        MembershipSpanRow.ended_at > as_utc(start),
                    ),
                )
                .order_by(MembershipSpanRow.user_id, MembershipSpanRow.started_at)
            )
            for sub, user, country, began, ended in span_rows:
                spans[int(sub)].append(
                    MemberSpan(
                        int(user),
                        str(country).upper(),
                        as_utc(began),
                        as_utc(ended) if ended is not None else None,
                    )
                )
        payers = {
            int(user): str(country)
            for user, country in self.s.execute(
                select(UserRow.id, UserRow.country).where(
                    UserRow.id.in_({int(row[1]) for row in invoices})
                )
            )
        }
        return [
            PaidPeriod(
                cents=int(cents),
                currency=currency,
                period_start=as_utc(ps),
                period_end=as_utc(pe),
                members=members.get(int(sub)) or [(int(payer), payers.get(int(payer), "").upper())],
                spans=spans.get(int(sub), ()),
            )
            for sub, payer, cents, currency, ps, pe in invoices
        ]

    def ad_revenue(self, start: datetime, end: datetime) -> dict[tuple[int, str], Fraction]:
        rows = self.s.execute(
            select(
                ImpressionRow.account_id,
                func.upper(ImpressionRow.country),
                func.sum(ImpressionRow.revenue_millicents),
            )
            .where(ImpressionRow.at >= as_utc(start), ImpressionRow.at < as_utc(end))
            .group_by(ImpressionRow.account_id, func.upper(ImpressionRow.country))
        )
        return {
            (int(account or 0), str(country)): Fraction(int(total or 0), 1000)
            for account, country, total in rows
        }

    def closed(self, month: str) -> ClosedMonth | None:
        row = self.s.get(RoyaltyMonthRow, month)
        return _closed(row) if row is not None else None

    def closed_months(self) -> list[ClosedMonth]:
        rows = self.s.scalars(select(RoyaltyMonthRow).order_by(RoyaltyMonthRow.month.desc()))
        return [_closed(row) for row in rows]

    def save(
        self,
        closed: ClosedMonth,
        pools: Sequence[PoolFigures],
        lines: Sequence[tuple[str, StatementLine]],
    ) -> bool:
        try:
            with self.s.begin_nested():  # the month first: a second close stops here
                self.s.add(
                    RoyaltyMonthRow(
                        month=closed.month,
                        model=closed.model,
                        closed_at=closed.closed_at,
                        payable_at=closed.payable_at,
                        streams=closed.streams,
                        rules=closed.rules,
                    )
                )
        except IntegrityError:
            return False
        if pools:
            self.s.execute(
                insert(RoyaltyPoolRow),
                [dict(month=closed.month, **vars(p)) for p in pools],
            )
        for i in range(0, len(lines), 5000):
            self.s.execute(
                insert(RoyaltyLineRow),
                [
                    dict(
                        month=closed.month,
                        model=model,
                        market=line.market,
                        track_id=line.track_id,
                        distributor_id=line.distributor_id,
                        isrc=line.isrc,
                        title=line.title[:1000],
                        streams=line.streams,
                        amount_cents=line.amount_cents,
                        currency=line.currency,
                    )
                    for model, line in lines[i : i + 5000]
                ],
            )
        return True

    def pools(self, month: str) -> list[PoolFigures]:
        rows = self.s.scalars(
            select(RoyaltyPoolRow)
            .where(RoyaltyPoolRow.month == month)
            .order_by(RoyaltyPoolRow.market, RoyaltyPoolRow.model)
        )
        return [
            PoolFigures(
                r.market,
                r.model,
                r.currency,
                r.pool_cents,
                r.paid_cents,
                r.streams,
                r.flagged_streams,
            )
            for r in rows
        ]

    def statement(self, month: str, model: str, distributor_id: int | None) -> list[StatementLine]:
        query = select(RoyaltyLineRow).where(
            RoyaltyLineRow.month == month, RoyaltyLineRow.model == model
        )
        if distributor_id is not None:
            query = query.where(RoyaltyLineRow.distributor_id == distributor_id)
        rows = self.s.scalars(
            query.order_by(
                RoyaltyLineRow.distributor_id, RoyaltyLineRow.market, RoyaltyLineRow.track_id
            )
        )
        return [
            StatementLine(
                r.month,
                r.distributor_id,
                r.market,
                r.track_id,
                r.isrc,
                r.title,
                r.streams,
                r.amount_cents,
                r.currency,
            )
            for r in rows
        ]

    def payouts(self, distributor_id: int | None, now: datetime | None) -> list[Payout]:
        owed = (
            select(
                RoyaltyLineRow.distributor_id,
                RoyaltyLineRow.month,
                RoyaltyLineRow.currency,
                func.sum(RoyaltyLineRow.amount_cents),
                func.count(),
                RoyaltyMonthRow.payable_at,
            )
            .join(
                RoyaltyMonthRow,
                and_(
                    RoyaltyMonthRow.month == RoyaltyLineRow.month,
                    RoyaltyMonthRow.model == RoyaltyLineRow.model,
                ),
            )
            .group_by(
                RoyaltyLineRow.distributor_id,
                RoyaltyLineRow.month,
                RoyaltyLineRow.currency,
                RoyaltyMonthRow.payable_at,
            )
            .order_by(RoyaltyLineRow.month, RoyaltyLineRow.distributor_id, RoyaltyLineRow.currency)
        )
        if distributor_id is not None:
            owed = owed.where(RoyaltyLineRow.distributor_id == distributor_id)
        paid = {
            (r.distributor_id, r.month, r.currency): as_utc(r.paid_at)
            for r in self.s.scalars(select(RoyaltyPayoutRow))
        }
        found = []
        for dist, month, currency, cents, count, payable_at in self.s.execute(owed):
            paid_at = paid.get((int(dist), month, currency))
            payable = as_utc(payable_at)
            if paid_at is None and now is not None and payable > as_utc(now):
                continue
            found.append(
                Payout(int(dist), month, currency, int(cents), int(count), payable, paid_at)
            )
        return found

    def record_payout(self, payout: Payout, paid_at: datetime) -> bool:
        try:
            with self.s.begin_nested():
                self.s.add(
                    RoyaltyPayoutRow(
                        distributor_id=payout.distributor_id,
                        month=payout.month,
                        currency=payout.currency,
                        amount_cents=payout.amount_cents,
                        lines=payout.lines,
                        paid_at=paid_at,
                    )
                )
        except IntegrityError:
            return False
        return True


def _closed(row: RoyaltyMonthRow) -> ClosedMonth:
    return ClosedMonth(
        row.month,
        row.model,
        as_utc(row.closed_at),
        as_utc(row.payable_at),
        row.streams,
        dict(row.rules),
    )
