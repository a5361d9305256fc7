"""The Parquet archive of listening events (migration 0052): which days are archived, in which
blob of the store."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db.models import Base


class EventArchiveRow(Base):
    __tablename__ = "event_archives"
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # UTC, of the events' `at`
    digest: Mapped[str] = mapped_column(String(64))  # the Parquet file's blob
    events: Mapped[int] = mapped_column(Integer)
    archived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
