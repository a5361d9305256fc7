"""SQLAlchemy tables for ads: campaigns, listeners' progress to the next break, breaks, and
impressions (what the ad-revenue pool adds up)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class CampaignRow(Base):
    __tablename__ = "ad_campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Kept when the advertiser's account is deleted: its impressions are revenue already paid.
    advertiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    click_url: Mapped[str] = mapped_column(String(2000))
    countries: Mapped[list[str]] = mapped_column(JSON)
    genres: Mapped[list[str]] = mapped_column(JSON)
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    budget_cents: Mapped[int] = mapped_column(BigInteger)
    cpm_cents: Mapped[int] = mapped_column(Integer)
    frequency_cap: Mapped[int] = mapped_column(Integer)
    spent_millicents: Mapped[int] = mapped_column(BigInteger)
    impressions: Mapped[int] = mapped_column(BigInteger)
    duration_s: Mapped[float] = mapped_column(Float)
    gain_db: Mapped[float] = mapped_column(Float)
    audio: Mapped[dict[str, str]] = mapped_column(JSON)  # quality -> blob
    images: Mapped[dict[str, str]] = mapped_column(JSON)  # size in px -> blob
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListeningStateRow(Base):
    """Songs and seconds since the last ad break, the open break, recent skips and genres."""

    __tablename__ = "listening_states"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    songs_since_ad: Mapped[int] = mapped_column(Integer)
    seconds_since_ad: Mapped[float] = mapped_column(Float)
    open_break_id: Mapped[int | None] = mapped_column(
        ForeignKey("ad_breaks.id", ondelete="SET NULL")
    )
    skips: Mapped[list[str]] = mapped_column(JSON)  # ISO times, oldest first
    recent_genres: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AdBreakRow(Base):
    __tablename__ = "ad_breaks"
    # The open breaks, whose ads hold their price from the budget.
    __table_args__ = (Index("ix_ad_breaks_open", "closed_at", "opened_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BreakAdRow(Base):
    """One ad in a break, in playing order."""

    __tablename__ = "ad_break_ads"
    __table_args__ = (UniqueConstraint("break_id", "campaign_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    break_id: Mapped[int] = mapped_column(ForeignKey("ad_breaks.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("ad_campaigns.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImpressionRow(Base):
    """A completed ad: what it earned, where. Outlives the listener's account."""

    __tablename__ = "ad_impressions"
    __table_args__ = (
        UniqueConstraint("break_id", "campaign_id"),
        Index("ix_ad_impressions_at_country", "at", "country"),
        Index("ix_ad_impressions_account_at", "account_id", "at"),  # a listener's ads heard
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("ad_campaigns.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    break_id: Mapped[int | None] = mapped_column(ForeignKey("ad_breaks.id", ondelete="SET NULL"))
    country: Mapped[str] = mapped_column(String(2))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revenue_millicents: Mapped[int] = mapped_column(BigInteger)
