"""SQLAlchemy tables for offline downloads (devices, their tracks) and rip-detection flags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class DownloadDeviceRow(Base):
    """A device that keeps downloads, with its offline licence."""

    __tablename__ = "download_devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The subscription the downloads came with; no foreign key: it is compared, never joined.
    subscription_id: Mapped[int | None] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    licence_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeviceRegistrationRow(Base):
    """A download device registered, kept 30 days even once the device is removed: new devices
    beyond the plan's number are limited per 30 days."""

    __tablename__ = "download_device_registrations"
    __table_args__ = (Index("ix_device_registrations_user", "user_id", "registered_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DownloadRow(Base):
    """One track kept on one device. No foreign key to the track: a track taken down stays
    listed until the device's next check-in tells it to delete the file."""

    __tablename__ = "downloads"
    device_id: Mapped[int] = mapped_column(
        ForeignKey("download_devices.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quality: Mapped[str] = mapped_column(String(10))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RipFlagRow(Base):
    """An account whose fetched audio outran real time, with the evidence, for an admin."""

    __tablename__ = "rip_flags"
    __table_args__ = (Index("ix_rip_flags_status", "status", "flagged_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # open, suspended, dismissed
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    audio_seconds: Mapped[float] = mapped_column(Float)
    allowed_seconds: Mapped[float] = mapped_column(Float)
    window_seconds: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, object]] = mapped_column(JSON)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
