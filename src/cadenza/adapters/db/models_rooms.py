"""Live audio rooms: the rooms, who is blocked from each, reports, and the notices a host's
followers get. Who is on stage, hands and mutes live in the server's memory while a room is
live (services/rooms_live.py), never in a row per frame or per gesture."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class RoomRow(Base):
    __tablename__ = "rooms"
    __table_args__ = (
        Index("ix_rooms_state_starts", "state", "starts_at"),
        Index("ix_rooms_host", "host_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    topics: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recorded: Mapped[bool] = mapped_column(Boolean)
    recording_blob: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recording_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoomBlockRow(Base):
    __tablename__ = "room_blocks"
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoomReportRow(Base):
    __tablename__ = "room_reports"
    __table_args__ = (Index("ix_room_reports_created", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoomNoticeRow(Base):
    """A host's follower hears of a room opened or scheduled (one notice per room)."""

    __tablename__ = "room_notices"
    __table_args__ = (Index("ix_room_notices_user", "user_id", "created_at"),)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
