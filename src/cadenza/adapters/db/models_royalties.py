"""SQLAlchemy tables for royalties: closed months, their pools and lines per model, payouts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db.models import Base


class RoyaltyMonthRow(Base):
    """A closed month: written once, with the rules it was closed under; never changed."""

    __tablename__ = "royalty_months"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    model: Mapped[str] = mapped_column(String(20))  # the model that pays
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payable_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    streams: Mapped[int] = mapped_column(BigInteger)  # counted streams stamped with the month
    rules: Mapped[dict[str, object]] = mapped_column(JSON)


class RoyaltyPoolRow(Base):
    """A market's pool in a closed month under one model, and what that model paid of it."""

    __tablename__ = "royalty_pools"
    __table_args__ = (Index("uq_royalty_pool", "month", "market", "model", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(ForeignKey("royalty_months.month", ondelete="CASCADE"))
    market: Mapped[str] = mapped_column(String(2))
    model: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    pool_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    streams: Mapped[int] = mapped_column(BigInteger)  # unflagged counted streams there
    flagged_streams: Mapped[int] = mapped_column(BigInteger)


class RoyaltyLineRow(Base):
    """What one track earned in one market in a closed month under one model."""

    __tablename__ = "royalty_lines"
    __table_args__ = (Index("ix_royalty_lines_statement", "month", "model", "distributor_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(ForeignKey("royalty_months.month", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(20))
    market: Mapped[str] = mapped_column(String(2))
    # No foreign keys: a statement outlives a deleted track or distributor.
    track_id: Mapped[int] = mapped_column(Integer)
    distributor_id: Mapped[int] = mapped_column(Integer)
    isrc: Mapped[str | None] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(1000))
    streams: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class RoyaltyPayoutRow(Base):
    """What was paid to a distributor for a month, in one currency: at most once."""

    __tablename__ = "royalty_payouts"
    __table_args__ = (
        Index("uq_royalty_payout", "distributor_id", "month", "currency", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    distributor_id: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[str] = mapped_column(ForeignKey("royalty_months.month", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
