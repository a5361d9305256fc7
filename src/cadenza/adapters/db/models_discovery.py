"""SQLAlchemy tables for discovery made by the server: the charts with their places, the
artists each listener picked at sign-up, and each listener's Release Radar of the week.
Catalog ids carry no foreign key: a place on a chart stays until the next build."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class ChartRow(Base):
    """A chart (Top 50 or Viral 50, everywhere or one country), built once a day."""

    __tablename__ = "charts"
    __table_args__ = (UniqueConstraint("kind", "country", name="uq_chart"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # top | viral
    country: Mapped[str] = mapped_column(String(2))  # "" everywhere
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    built_on: Mapped[date] = mapped_column(Date)
    # {track id: rank} of the last build of an earlier day: movement since yesterday
    previous: Mapped[dict[str, int]] = mapped_column(JSON)


class ChartPlaceRow(Base):
    __tablename__ = "chart_places"
    chart_id: Mapped[int] = mapped_column(
        ForeignKey("charts.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(Integer)
    streams: Mapped[int] = mapped_column(Integer)
    previous_rank: Mapped[int | None] = mapped_column(Integer)


class TastePickRow(Base):
    """An artist a listener picked at sign-up, in the order picked."""

    __tablename__ = "taste_picks"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    picked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReleaseRadarRow(Base):
    """The listener's Release Radar as made for the week starting `week` (a Friday's local
    midnight, in UTC), kept so it stays the same until the next Friday."""

    __tablename__ = "release_radars"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    track_ids: Mapped[list[int]] = mapped_column(JSON)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
