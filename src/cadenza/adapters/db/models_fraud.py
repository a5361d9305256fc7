"""SQLAlchemy tables for artificial streams: the fraud job's flags and the admins' reviews."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class FraudFlagRow(Base):
    """An account whose counted streams from `window_start` to `window_end` were flagged as
    artificial (plays.flagged_artificial), with the evidence; an admin's review stays on it."""

    __tablename__ = "fraud_flags"
    __table_args__ = (Index("ix_fraud_flags_open", "reviewed_at", "flagged_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    streams: Mapped[int] = mapped_column(Integer)  # counted streams flagged under it
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ListeningAddressRow(Base):
    """The addresses an account posted listening events from, per day (the first batch of each
    day writes it): the fraud job's "many accounts on one address" beside the sign-ins."""

    __tablename__ = "listening_addresses"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    ip: Mapped[str] = mapped_column(String(45), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
