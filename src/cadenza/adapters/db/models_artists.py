"""SQLAlchemy tables for Cadenza for Artists: claims of artist profiles, the profile pages
artists edit (bio, images, pick), and pitches of unreleased tracks to the editors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class ArtistClaimRow(Base):
    """An account asks to speak for an artist; the artist's distributor or an admin decides."""

    __tablename__ = "artist_claims"
    __table_args__ = (Index("ix_artist_claims_artist", "artist_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    artist_id: Mapped[int] = mapped_column(ForeignKey("artists.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))  # pending | approved | rejected
    message: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(40))  # admin:ID | distributor:ID
    note: Mapped[str | None] = mapped_column(String(500))


class ArtistPageRow(Base):
    """What a linked artist account wrote and uploaded for its public page."""

    __tablename__ = "artist_pages"
    artist_id: Mapped[int] = mapped_column(
        ForeignKey("artists.id", ondelete="CASCADE"), primary_key=True
    )
    bio: Mapped[str] = mapped_column(Text)
    avatar_blob: Mapped[str | None] = mapped_column(String(64), index=True)
    header_blob: Mapped[str | None] = mapped_column(String(64), index=True)
    pick_release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL")
    )
    pick_track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    pick_note: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PitchRow(Base):
    """One unreleased track of a release pitched to the editors (one pitch per release)."""

    __tablename__ = "pitches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), unique=True
    )
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    pitched_by: Mapped[str] = mapped_column(String(40))  # artist:USER_ID | distributor:ID
    genres: Mapped[list[str]] = mapped_column(JSON)
    moods: Mapped[list[str]] = mapped_column(JSON)
    story: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # pending | reviewed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
