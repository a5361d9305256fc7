"""Royalties: close a month (every market, three models side by side, one of them paying),
export statements per distributor (CSV, DDEX DSR-style flat file) and pay what is due once.

A close stamps every counted, unstamped stream that started before the month's end with the
month (late arrivals for a closed month land in the next month closed), reads GROUP BY
aggregates, runs the pure money math of domain/royalties.py and writes the result in one
transaction. A closed month is never written again: closing it twice answers what is stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from cadenza.domain import royalties as rules_
from cadenza.domain.errors import Conflict, InvalidRequest, NotFound
from cadenza.domain.plans import PriceList
from cadenza.domain.royalties import MonthInput, RoyaltyModel, RoyaltyRules
from cadenza.ports.clock import Clock
from cadenza.ports.royalties import ClosedMonth, Payout, PoolFigures, StatementLine
from cadenza.ports.unit_of_work import UnitOfWork

Step = Callable[[str], None]  # told each step's name as it starts
# month -> (unflagged streams per market, listener and track; flagged streams per market;
# unflagged streams per track over the 12 months to it): what the close reads, counted elsewhere
CountedElsewhere = Callable[
    [str], tuple[list[rules_.ListenerStreams], dict[str, int], dict[int, int]]
]
STEPS = ("stamp streams", "read streams", "read revenue", "split", "write")


@dataclass(frozen=True)
class MonthClose:
    closed: ClosedMonth
    pools: list[PoolFigures]
    already: bool  # closed before: nothing changed now


class Royalties:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, rules: RoyaltyRules, prices: PriceList
    ) -> None:
        self.uow, self.clock, self.rules, self.prices = uow, clock, rules, prices

    def close(
        self, month: str, step: Step | None = None, counted: CountedElsewhere | None = None
    ) -> MonthClose:
        """`counted`: the month's streams from a batch engine over the archive (cadenza.batch)
        instead of the database's GROUP BYs; the streams are stamped with the month all the
        same, and the money is split here by the same rules."""
        month = rules_.parse_month(month)
        now = self.clock.now()
        start, end = rules_.month_bounds(month)
        if now < end:
            raise InvalidRequest(f"{month} has not ended yet", code="month_not_over")
        tell = step or (lambda _: None)
        elsewhere = None
        if counted is not None:  # before the transaction: a cluster's job holds no lock
            with self.uow() as uow:
                if uow.royalties.closed(month) is None:
                    tell(STEPS[1])
                    elsewhere = counted(month)
        with self.uow() as uow:
            repo = uow.royalties
            done = repo.closed(month)
            if done is not None:
                return MonthClose(done, repo.pools(month), already=True)
            later = [m.month for m in repo.closed_months() if m.month > month]
            if later:
                raise Conflict(
                    f"{later[-1]} is closed already: months close in order",
                    code="month_out_of_order",
                )
            tell(STEPS[0])
            stamped = repo.stamp(month, end)
            tell(STEPS[1])
            if elsewhere is not None:
                listens, flagged, yearly = elsewhere
            else:
                listens = repo.listens(month)
                flagged = repo.flagged_streams(month)
                yearly = repo.yearly_streams(rules_.trailing_months(month))
            facts = repo.track_facts(sorted({r.track for r in listens}))
            listens = [r for r in listens if r.track in facts]  # a deleted track earns nothing
            tell(STEPS[2])
            money = rules_.listener_money(
                repo.paid_periods(start, end), repo.ad_revenue(start, end), month, self.rules
            )
            tell(STEPS[3])
            artist_of = {t: f.artist_id for t, f in facts.items() if f.artist_id is not None}
            results = rules_.close_month(
                MonthInput(month, money, listens, yearly, artist_of), self.rules
            )
            streams: dict[tuple[str, int], int] = {}
            market_streams: dict[str, int] = {}
            for row in listens:
                key = (row.market, row.track)
                streams[key] = streams.get(key, 0) + row.streams
                market_streams[row.market] = market_streams.get(row.market, 0) + row.streams
            pools, lines = [], []
            for model, markets in results.items():
                for result in markets:
                    currency = self.prices.market(result.market).currency
                    pools.append(
                        PoolFigures(
                            result.market,
                            model.value,
                            currency,
                            result.pool_cents,
                            result.paid_cents,
                            market_streams.get(result.market, 0),
                            flagged.get(result.market, 0),
                        )
                    )
                    for track, cents in sorted(result.lines.items()):
                        fact = facts[track]
                        line = StatementLine(
                            month,
                            fact.distributor_id,
                            result.market,
                            track,
                            fact.isrc,
                            fact.title,
                            streams.get((result.market, track), 0),
                            cents,
                            currency,
                        )
                        lines.append((model.value, line))
            closed = ClosedMonth(
                month=month,
                model=self.rules.model.value,
                closed_at=now,
                payable_at=rules_.payable_on(month, self.rules.payable_after_months),
                streams=stamped,
                rules=_rules_json(self.rules),
            )
            tell(STEPS[4])
            saved = repo.save(closed, pools, lines)
            if saved:  # else another close of the same month won: answer its result
                uow.commit()
        with self.uow() as uow:
            stored = uow.royalties.closed(month)
            if stored is None:  # pragma: no cover - the integrity error had another cause
                raise Conflict(f"{month} could not be closed", code="close_failed")
            return MonthClose(stored, uow.royalties.pools(month), already=not saved)

    def months(self) -> list[MonthClose]:
        with self.uow() as uow:
            return [
                MonthClose(m, uow.royalties.pools(m.month), already=True)
                for m in uow.royalties.closed_months()
            ]

    def month(self, month: str) -> MonthClose:
        with self.uow() as uow:
            found = uow.royalties.closed(rules_.parse_month(month))
            if found is None:
                raise NotFound(f"{month} is not closed", code="month_not_closed")
            return MonthClose(found, uow.royalties.pools(month), already=True)

    def statement(
        self, month: str, distributor_id: int | None = None, model: str | None = None
    ) -> tuple[ClosedMonth, list[StatementLine]]:
        """A closed month's lines under the model that pays (or `model`, to compare)."""
        found = self.month(month).closed
        chosen = RoyaltyModel(model).value if model else found.model
        with self.uow() as uow:
            return found, uow.royalties.statement(found.month, chosen, distributor_id)

    def payouts(self, distributor_id: int | None = None) -> list[Payout]:
        with self.uow() as uow:
            return uow.royalties.payouts(distributor_id, self.clock.now())

    def statements_of(self, distributor_id: int) -> list[Payout]:
        """A distributor's money per closed month and currency, payable yet or not."""
        with self.uow() as uow:
            return uow.royalties.payouts(distributor_id, None)

    def pay(self) -> list[Payout]:
        """Pay (record) everything due and unpaid; a second run pays nothing."""
        now = self.clock.now()
        paid = []
        with self.uow() as uow:
            for due in uow.royalties.payouts(None, now):
                if due.paid_at is None and uow.royalties.record_payout(due, now):
                    paid.append(
                        Payout(
                            due.distributor_id,
                            due.month,
                            due.currency,
                            due.amount_cents,
                            due.lines,
                            due.payable_at,
                            now,
                        )
                    )
            uow.commit()
        return paid


def _rules_json(rules: RoyaltyRules) -> dict[str, object]:
    return {
        "recording_share": str(rules.recording_share),
        "vat": {k: str(v) for k, v in sorted(rules.vat.items())},
        "min_yearly_streams": rules.min_yearly_streams,
        "payable_after_months": rules.payable_after_months,
        "artist_min_streams": rules.artist_min_streams,
        "artist_min_listeners": rules.artist_min_listeners,
        "listener_cap": rules.listener_cap,
        "model": rules.model.value,
    }


def cents(amount: int) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d}"


def statement_csv(lines: list[StatementLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "month",
            "distributor_id",
            "market",
            "track_id",
            "isrc",
            "title",
            "streams",
            "amount",
            "currency",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                line.month,
                line.distributor_id,
                line.market,
                line.track_id,
                line.isrc or "",
                line.title,
                line.streams,
                cents(line.amount_cents),
                line.currency,
            ]
        )
    return out.getvalue()


def _field(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def statement_dsr(closed: ClosedMonth, lines: list[StatementLine], sender: str) -> str:
    """A DDEX DSR-style flat file: tab-separated records, a header (HEAD), one summary per
    market and currency (SY01), one line per track and market (RU01), a footer (FOOT) with
    the record count and the total streams and amount per currency."""
    start, end = rules_.month_bounds(closed.month)
    last_day = date.fromordinal(end.date().toordinal() - 1)
    rows = [
        [
            "HEAD",
            "DSR-style",
            "1.0",
            _field(sender),
            closed.month,
            start.date().isoformat(),
            last_day.isoformat(),
            closed.model,
        ],
    ]
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    for line in lines:
        s, c = totals.get((line.market, line.currency), (0, 0))
        totals[(line.market, line.currency)] = (s + line.streams, c + line.amount_cents)
    for (market, currency), (s, c) in sorted(totals.items()):
        rows.append(["SY01", market, currency, str(s), cents(c)])
    for line in lines:
        rows.append(
            [
                "RU01",
                str(line.distributor_id),
                line.market,
                line.isrc or "",
                str(line.track_id),
                _field(line.title),
                str(line.streams),
                cents(line.amount_cents),
                line.currency,
            ]
        )
    per_currency: dict[str, int] = {}
    for line in lines:
        per_currency[line.currency] = per_currency.get(line.currency, 0) + line.amount_cents
    rows.append(
        [
            "FOOT",
            str(len(rows) + 1),
            str(len(lines)),
            str(sum(x.streams for x in lines)),
            " ".join(f"{cur}:{cents(v)}" for cur, v in sorted(per_currency.items())),
        ]
    )
    return "".join("\t".join(row) + "\n" for row in rows)


def rules_from(
    recording_share: float,
    vat: dict[str, float],
    min_yearly_streams: int,
    payable_after: int,
    model: str,
    artist_min_streams: int,
    artist_min_listeners: int,
    listener_cap: int,
) -> RoyaltyRules:
    if payable_after not in (3, 4):
        raise ValueError("royalty_payable_after_months is 3 or 4")
    return RoyaltyRules(
        recording_share=Fraction(str(recording_share)),
        vat={k.upper(): Fraction(str(v)) for k, v in vat.items()},
        min_yearly_streams=min_yearly_streams,
        payable_after_months=payable_after,
        artist_min_streams=artist_min_streams,
        artist_min_listeners=artist_min_listeners,
        listener_cap=listener_cap,
        model=RoyaltyModel(model),
    )
