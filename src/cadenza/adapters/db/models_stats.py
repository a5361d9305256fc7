"""SQLAlchemy tables for the artists' statistics: counted streams rolled up per artist and day
(by track, by audience facet), each artist's listeners with the day they last listened, and
how many listeners last listened on each day (distinct listeners over any window that ends
today are a sum over those days). Filled by the `artist-stats` job (services/artist_stats.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base

# SQLite keeps these rows in their primary key's order (WITHOUT ROWID): one artist's days are
# read as one range, not a row lookup each.
CLUSTERED = {"sqlite_with_rowid": False}


class StatsArtistDayRow(Base):
    """One artist's day: counted streams, distinct listeners that day, and the saves (liked
    songs, saved releases), playlist adds and new followers made that day."""

    __tablename__ = "stats_artist_days"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    streams: Mapped[int] = mapped_column(BigInteger, default=0)
    listeners: Mapped[int] = mapped_column(BigInteger, default=0)
    saves: Mapped[int] = mapped_column(BigInteger, default=0)
    playlist_adds: Mapped[int] = mapped_column(BigInteger, default=0)
    follows: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsTrackDayRow(Base):
    """Counted streams of one of the artist's tracks on a day."""

    __tablename__ = "stats_track_days"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    track_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    streams: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsFacetDayRow(Base):
    """Counted streams on a day by one facet of the play: country, city, source, age, gender."""

    __tablename__ = "stats_facet_days"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    facet: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    streams: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsListenerRow(Base):
    """One listener of one artist: the last day they streamed the artist, and who they were
    then (market, city, age range, gender), as the audience figures count them."""

    __tablename__ = "stats_listeners"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_day: Mapped[date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120))  # "" when not given
    age: Mapped[str] = mapped_column(String(8))
    gender: Mapped[str] = mapped_column(String(20))  # "" when not given


class StatsRecencyRow(Base):
    """How many of an artist's listeners last streamed it on `last_day`, per facet value
    (facet "all": every listener). Listeners in the last N days = the sum over last_day within
    them: exact distinct counts for any window that ends today, from a few rows a day."""

    __tablename__ = "stats_recency"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_day: Mapped[date] = mapped_column(Date, primary_key=True)
    facet: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    listeners: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsListenerDayRow(Base):
    """Who streamed an artist on a day, kept for the last weeks only: a late play of a listener
    already counted that day does not count them twice."""

    __tablename__ = "stats_listener_days"
    __table_args__ = CLUSTERED
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class StatsStateRow(Base):
    """The roll-up's own state: one row, locked by each run (two runs never overlap), with
    when it last finished (the figures' freshness)."""

    __tablename__ = "stats_state"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    runs: Mapped[int] = mapped_column(BigInteger, default=0)
    rolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
