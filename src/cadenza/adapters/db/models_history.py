"""SQLAlchemy tables for history brought from elsewhere (migration 0043): imports with their
reports, the imported plays (apart from `plays`: never counted streams), Spotify URIs matching
has learned, scrobbling tokens (hashed), and forwarding to ListenBrainz or Last.fm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class HistoryImportRow(Base):
    __tablename__ = "history_imports"
    __table_args__ = (Index("ix_history_imports_user", "user_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10))  # running | done | failed
    total: Mapped[int] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    unmatched: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    top_unmatched: Mapped[list[list[object]]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HistoryPlayRow(Base):
    """One imported or scrobbled play: history, never a counted stream."""

    __tablename__ = "history_plays"
    __table_args__ = (
        Index("uq_history_play", "user_id", "source", "played_at", "track_id", unique=True),
        Index("ix_history_plays_recent", "user_id", "played_at"),
        Index("ix_history_plays_import", "import_id"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("history_imports.id", ondelete="CASCADE")
    )
    source: Mapped[str] = mapped_column(String(16))
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    played_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    listened_ms: Mapped[int] = mapped_column(Integer)


class TrackSpotifyUriRow(Base):
    """A Spotify track URI a confident match tied to a track: the next import matches it at once."""

    __tablename__ = "track_spotify_uris"
    uri: Mapped[str] = mapped_column(String(40), primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)


class ScrobbleTokenRow(Base):
    """A listener's token for ListenBrainz-compatible scrobbling apps (its SHA-256 only)."""

    __tablename__ = "scrobble_tokens"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScrobbleForwardingRow(Base):
    """Where a listener's plays are forwarded: the remote token or session key, encrypted."""

    __tablename__ = "scrobble_forwarding"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    sealed_secret: Mapped[str] = mapped_column(Text)
    remote_user: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScrobbleOutboxRow(Base):
    """A play waiting to be sent to a listener's ListenBrainz or Last.fm."""

    __tablename__ = "scrobble_outbox"
    __table_args__ = (
        Index("ix_scrobble_outbox_due", "status", "next_attempt_at"),
        Index("ix_scrobble_outbox_user", "user_id", "service"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    service: Mapped[str] = mapped_column(String(16))
    artist: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(1000))
    album: Mapped[str] = mapped_column(String(1000))
    duration_ms: Mapped[int] = mapped_column(Integer)
    played_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(8))  # waiting | sent | failed
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(200))
