"""SQLAlchemy tables for recommendations: each listener's Discover Weekly, made once a week."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which this points at)
from cadenza.adapters.db.models import Base


class DiscoverWeeklyRow(Base):
    """The listener's latest Discover Weekly: [[track id, reason], ...] for the week from
    `week_start`, and whether it came from the model or from popularity."""

    __tablename__ = "discover_weekly"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    week_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    basis: Mapped[str] = mapped_column(String(10))
    tracks: Mapped[list[list[int | str]]] = mapped_column(JSON)
