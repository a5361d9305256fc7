"""Tables the creators' side added in migration 0044: who was on which shared plan when
(for the user-centric royalties), ..."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts as _accounts  # noqa: F401  (users, for the keys)
from cadenza.adapters.db.models import Base


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
