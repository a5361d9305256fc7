"""A room's recording on its way to an episode of one of its host's shows, in the background
like a distributor's delivery: one row per room and show (publishing twice finds it), its
state polled by the room's page and surviving a restart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_podcasts, models_rooms  # noqa: F401  (pointed at)
from cadenza.adapters.db.models import Base


class RoomEpisodeJobRow(Base):
    __tablename__ = "room_episode_jobs"
    __table_args__ = (
        UniqueConstraint("room_id", "show_id", name="uq_room_episode_jobs_room_show"),
        Index("ix_room_episode_jobs_status", "status"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    show_id: Mapped[int] = mapped_column(ForeignKey("podcast_shows.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # queued | processing | published | failed
    stage: Mapped[str | None] = mapped_column(String(20), nullable=True)
    progress: Mapped[float] = mapped_column(Float)
    episode_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
