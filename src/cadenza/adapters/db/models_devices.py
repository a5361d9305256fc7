"""SQLAlchemy tables for playback devices and speaker groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, sessions: pointed at)
from cadenza.adapters.db.models import Base


class PlaybackDeviceRow(Base):
    """A client that plays for the listener: registered by one session, reachable by its id."""

    __tablename__ = "playback_devices"
    __table_args__ = (Index("ix_playback_device_user", "user_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, never a counter
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    supports_volume: Mapped[bool] = mapped_column(Boolean)
    volume: Mapped[int | None] = mapped_column(Integer)
    clock_offset_ms: Mapped[float | None] = mapped_column(Float)
    clock_rtt_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # its feed closed


class SpeakerGroupRow(Base):
    """A named set of the listener's devices that play together."""

    __tablename__ = "speaker_groups"
    __table_args__ = (Index("uq_speaker_group_name", "user_id", "name", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))


class SpeakerGroupMemberRow(Base):
    __tablename__ = "speaker_group_members"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("speaker_groups.id", ondelete="CASCADE"), primary_key=True
    )
    device_id: Mapped[str] = mapped_column(
        ForeignKey("playback_devices.id", ondelete="CASCADE"), primary_key=True, index=True
    )
