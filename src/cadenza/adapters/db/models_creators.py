"""Tables the creators' side added in migration 0044: who was on which shared plan when
(for the user-centric royalties), the DDEX deals' dates the deal clock applies, and the
artists' statistics per month (the 12-month and all-time dashboards)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts as _accounts  # noqa: F401  (users, for the keys)
from cadenza.adapters.db.models import Base
from cadenza.adapters.db.models_stats import (
    CLUSTERED,
    StatsArtistDayRow,
    StatsFacetDayRow,
    StatsListenerDayRow,
    StatsListenerRow,
    StatsRecencyRow,
    StatsTrackDayRow,
)


class MembershipSpanRow(Base):
    """One member on one subscription under one plan, from `started_at` until `ended_at`
    (open while it lasts): a join, a leave, a plan change or the plan's end closes one and,
    for a plan change, opens the next. The royalty close splits a shared plan's money among
    the members of each stretch of time."""

    __tablename__ = "membership_spans"
    __table_args__ = (Index("ix_membership_spans_subscription", "subscription_id", "started_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    plan: Mapped[str] = mapped_column(String(30))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DealScheduleRow(Base):
    """A DDEX release's deals (territories, excluded ones, start and end instants), kept so the
    deal clock opens each territory on its own start date and closes it after its end date;
    `next_change_at` is when it next has something to do (null: nothing more)."""

    __tablename__ = "deal_schedules"
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    distributor_id: Mapped[int] = mapped_column(Integer)
    windows: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    next_change_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class StatsTrackMonthRow(Base):
    """Counted streams of one of the artist's tracks in a month (`month`: its first day): the
    12-month and all-time dashboards read these instead of a year of days."""

    __tablename__ = "stats_track_months"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    track_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    streams: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsFacetMonthRow(Base):
    """Counted streams in a month by one facet of the play (stats_facet_days, per month)."""

    __tablename__ = "stats_facet_months"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    facet: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    streams: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsRecencyMonthRow(Base):
    """How many of an artist's listeners last streamed it in a month, per facet value
    (stats_recency, per month): listeners since a month's first day are a sum of months."""

    __tablename__ = "stats_recency_months"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    facet: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    listeners: Mapped[int] = mapped_column(BigInteger, default=0)


# Every table of the artists' figures (what the roll-up adds to; a rebuild forgets them all)
FIGURES = (
    StatsArtistDayRow,
    StatsTrackDayRow,
    StatsFacetDayRow,
    StatsListenerRow,
    StatsRecencyRow,
    StatsListenerDayRow,
    StatsTrackMonthRow,
    StatsFacetMonthRow,
    StatsRecencyMonthRow,
)
