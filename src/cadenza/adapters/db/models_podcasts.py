"""Podcasts: shows (from a feed, or hosted here), their episodes, who follows which show, where
each listener stopped in each episode, and podcast plays (kept apart from music streams)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class PodcastShowRow(Base):
    __tablename__ = "podcast_shows"
    __table_args__ = (
        Index("ix_podcast_shows_next_fetch_at", "next_fetch_at"),
        Index("ix_podcast_shows_owner_id", "owner_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_url: Mapped[str | None] = mapped_column(String(2000), unique=True)  # None: hosted
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str] = mapped_column(String(500))
    description_html: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2000))
    language: Mapped[str | None] = mapped_column(String(20))
    explicit: Mapped[bool] = mapped_column(Boolean)
    artwork_blob: Mapped[str | None] = mapped_column(String(64))
    artwork_generated: Mapped[bool] = mapped_column(Boolean)
    podcast_guid: Mapped[str | None] = mapped_column(String(100))
    categories: Mapped[list[str]] = mapped_column(JSON)
    persons: Mapped[list[Any]] = mapped_column(JSON)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    failures: Mapped[int] = mapped_column(Integer)
    next_fetch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PodcastEpisodeRow(Base):
    __tablename__ = "podcast_episodes"
    __table_args__ = (
        UniqueConstraint("show_id", "guid", name="uq_podcast_episodes_show_guid"),
        Index("ix_podcast_episodes_show_published", "show_id", "published_at"),
        Index("ix_podcast_episodes_audio", "audio"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("podcast_shows.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(500))
    description_html: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    explicit: Mapped[bool] = mapped_column(Boolean)
    season: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    enclosure_url: Mapped[str | None] = mapped_column(String(2000))
    enclosure_type: Mapped[str | None] = mapped_column(String(100))
    enclosure_length: Mapped[int | None] = mapped_column(BigInteger)
    chapters_url: Mapped[str | None] = mapped_column(String(2000))
    transcript_url: Mapped[str | None] = mapped_column(String(2000))
    transcript_type: Mapped[str | None] = mapped_column(String(60))
    chapters: Mapped[list[Any]] = mapped_column(JSON)
    transcript: Mapped[list[Any]] = mapped_column(JSON)
    persons: Mapped[list[Any]] = mapped_column(JSON)
    audio: Mapped[str] = mapped_column(String(10))  # pending, ready, refused
    audio_error: Mapped[str | None] = mapped_column(String(60))
    ladder: Mapped[dict[str, Any]] = mapped_column(JSON)  # quality -> [blob, size]
    gain_db: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PodcastFollowRow(Base):
    __tablename__ = "podcast_follows"
    __table_args__ = (Index("ix_podcast_follows_show_id", "show_id"),)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    show_id: Mapped[int] = mapped_column(
        ForeignKey("podcast_shows.id", ondelete="CASCADE"), primary_key=True
    )
    followed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PodcastProgressRow(Base):
    """Where a listener stopped (synced across their devices) and how far they ever got."""

    __tablename__ = "podcast_progress"
    __table_args__ = (Index("ix_podcast_progress_episode_id", "episode_id"),)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("podcast_episodes.id", ondelete="CASCADE"), primary_key=True
    )
    position_ms: Mapped[int] = mapped_column(Integer)
    furthest_ms: Mapped[int] = mapped_column(Integer)
    played: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PodcastPlayRow(Base):
    """A podcast play (a stream grant for an episode): never a music stream, never royalties."""

    __tablename__ = "podcast_plays"
    __table_args__ = (
        Index("ix_podcast_plays_show_started", "show_id", "started_at"),
        Index("ix_podcast_plays_episode_id", "episode_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("podcast_episodes.id", ondelete="CASCADE"))
    show_id: Mapped[int] = mapped_column(ForeignKey("podcast_shows.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PodcastBlobRow(Base):
    """A blob a show uses (artwork, an episode's ladder): the blob sweep keeps it."""

    __tablename__ = "podcast_blobs"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    show_id: Mapped[int] = mapped_column(
        ForeignKey("podcast_shows.id", ondelete="CASCADE"), primary_key=True
    )
