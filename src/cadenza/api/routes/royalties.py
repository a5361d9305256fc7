"""Royalties: admins close months, read them (pools under each model side by side), export
statements and pay what is due; a distributor lists its own statements and downloads them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from cadenza.api.deps import AdminSession, ReadingDistributorId, RoyaltiesDep, RoyaltyClockDep
from cadenza.ports.royalties import Payout, PoolFigures
from cadenza.services.royalties import MonthClose, cents, statement_csv, statement_dsr

router = APIRouter(prefix="/api/v1", tags=["royalties"])

Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Format = Annotated[Literal["csv", "dsr"], Query(description="csv, or a DDEX DSR-style flat file")]
Model = Annotated[
    Literal["pro_rata", "user_centric", "artist_centric"] | None,
    Query(description="another model's lines, to compare (the paying model's by default)"),
]
_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {}, "text/tab-separated-values": {}},
        "description": "The statement file",
    }
}


class PoolOut(BaseModel):
    market: str
    model: str
    currency: str
    pool: str  # decimal, e.g. "12.34"
    paid: str
    pool_cents: int
    paid_cents: int
    streams: int
    flagged_streams: int

    @classmethod
    def of(cls, p: PoolFigures) -> PoolOut:
        return cls(
            market=p.market,
            model=p.model,
            currency=p.currency,
            pool=cents(p.pool_cents),
            paid=cents(p.paid_cents),
            pool_cents=p.pool_cents,
            paid_cents=p.paid_cents,
            streams=p.streams,
            flagged_streams=p.flagged_streams,
        )


class MonthOut(BaseModel):
    month: str
    model: str  # the model that pays
    closed_at: datetime
    payable_at: datetime
    streams: int
    already_closed: bool
    pools: list[PoolOut]

    @classmethod
    def of(cls, m: MonthClose) -> MonthOut:
        c = m.closed
        return cls(
            month=c.month,
            model=c.model,
            closed_at=c.closed_at,
            payable_at=c.payable_at,
            streams=c.streams,
            already_closed=m.already,
            pools=[PoolOut.of(p) for p in m.pools],
        )


class PayoutOut(BaseModel):
    distributor_id: int
    month: str
    currency: str
    amount: str
    amount_cents: int
    lines: int
    payable_at: datetime
    paid_at: datetime | None
    csv_url: str
    dsr_url: str

    @classmethod
    def of(cls, p: Payout, *, admin: bool) -> PayoutOut:
        base = (
            f"/api/v1/admin/royalties/months/{p.month}/statements?distributor={p.distributor_id}&"
            if admin
            else f"/api/v1/distributor/royalties/{p.month}?"
        )
        return cls(
            distributor_id=p.distributor_id,
            month=p.month,
            currency=p.currency,
            amount=cents(p.amount_cents),
            amount_cents=p.amount_cents,
            lines=p.lines,
            payable_at=p.payable_at,
            paid_at=p.paid_at,
            csv_url=f"{base}format=csv",
            dsr_url=f"{base}format=dsr",
        )


def _file(
    royalties: RoyaltiesDep, month: str, distributor: int | None, fmt: str, model: str | None
) -> Response:
    closed, lines = royalties.statement(month, distributor, model)
    who = f"-{distributor}" if distributor is not None else ""
    if fmt == "csv":
        body, media, ext = statement_csv(lines), "text/csv", "csv"
    else:
        body, media, ext = (
            statement_dsr(closed, lines, "Cadenza"),
            "text/tab-separated-values",
            "tsv",
        )
    name = f"royalties-{month}{who}{'-' + model if model else ''}.{ext}"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.post("/admin/royalties/months/{month}/close", response_model=MonthOut)
def close_month(month: Month, session: AdminSession, royalties: RoyaltiesDep) -> MonthOut:
    """Close a month in every market (idempotent: a closed month answers as stored)."""
    return MonthOut.of(royalties.close(month))


@router.get("/admin/royalties/months", response_model=list[MonthOut])
def closed_months(session: AdminSession, royalties: RoyaltiesDep) -> list[MonthOut]:
    """Closed months, newest first, each market's pool under each of the three models."""
    return [MonthOut.of(m) for m in royalties.months()]


class ScheduleOut(BaseModel):
    close_day: int  # 0: the clock is off (months close by hand)
    next_month: str | None  # the month the clock closes next
    next_close_at: datetime | None  # from when (the clock's first tick after it closes it)


@router.get("/admin/royalties/schedule", response_model=ScheduleOut)
def schedule(session: AdminSession, clock: RoyaltyClockDep) -> ScheduleOut:
    """The next month the background clock closes, and when (`royalty_close_day`)."""
    upcoming = clock.next()
    return ScheduleOut(
        close_day=clock.close_day,
        next_month=upcoming.month if upcoming else None,
        next_close_at=upcoming.at if upcoming else None,
    )


@router.get("/admin/royalties/months/{month}/statements", response_class=Response, responses=_FILES)
def admin_statements(
    month: Month,
    session: AdminSession,
    royalties: RoyaltiesDep,
    format: Format = "csv",
    model: Model = None,
    distributor: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    return _file(royalties, month, distributor, format, model)


@router.get("/admin/royalties/payouts", response_model=list[PayoutOut])
def admin_payouts(session: AdminSession, royalties: RoyaltiesDep) -> list[PayoutOut]:
    """What each distributor is owed per month and currency (due or paid)."""
    return [PayoutOut.of(p, admin=True) for p in royalties.payouts()]


@router.post("/admin/royalties/pay", response_model=list[PayoutOut])
def pay(session: AdminSession, royalties: RoyaltiesDep) -> list[PayoutOut]:
    """Record as paid everything due and unpaid; answers what was paid now (never twice)."""
    return [PayoutOut.of(p, admin=True) for p in royalties.pay()]


@router.get("/distributor/royalties", response_model=list[PayoutOut])
def my_statements(distributor: ReadingDistributorId, royalties: RoyaltiesDep) -> list[PayoutOut]:
    """This distributor's statements: per closed month and currency, the amount, whether it
    was paid, and links to download the lines (CSV or DSR-style)."""
    return [PayoutOut.of(p, admin=False) for p in royalties.statements_of(distributor)]


@router.get("/distributor/royalties/{month}", response_class=Response, responses=_FILES)
def my_statement(
    month: Month, distributor: ReadingDistributorId, royalties: RoyaltiesDep, format: Format = "csv"
) -> Response:
    return _file(royalties, month, distributor, format, None)
