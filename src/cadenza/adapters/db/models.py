"""SQLAlchemy tables for the catalog, the library scan and deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def every_table() -> MetaData:
    """The metadata with every table: a process imports each models_*.py module with the first
    repository that uses it (the unit of work's properties), so Base.metadata alone holds only
    the tables used so far. For whatever must see them all: migration checks, test clean-up."""
    import importlib
    import pkgutil

    package = __name__.rpartition(".")[0]
    for found in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if found.name.startswith("models_"):
            importlib.import_module(f"{package}.{found.name}")
    return Base.metadata


class DistributorRow(Base):
    __tablename__ = "distributors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The distributor account that delivers as this distributor (see models_accounts.UserRow).
    account_id: Mapped[int | None] = mapped_column(Integer, unique=True)


class ArtistRow(Base):
    __tablename__ = "artists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(1000))
    name_key: Mapped[str] = mapped_column(String(255), unique=True)  # case/accent folded
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReleaseRow(Base):
    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("distributor_id", "source_key", name="uq_release_source"),
        Index("ix_releases_release_at", "release_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    source_key: Mapped[str] = mapped_column(String(255))  # UPC, or album artist + album
    title: Mapped[str] = mapped_column(String(1000))
    release_type: Mapped[str] = mapped_column(String(20))
    upc: Mapped[str | None] = mapped_column(String(14), unique=True)
    label: Mapped[str | None] = mapped_column(String(1000))
    release_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    territories: Mapped[str] = mapped_column(Text)  # space separated ISO codes or WORLDWIDE
    explicit: Mapped[bool] = mapped_column(Boolean)
    copyright_lines: Mapped[list[str]] = mapped_column(JSON)
    genres: Mapped[list[str]] = mapped_column(JSON)
    loudness_lufs: Mapped[float | None] = mapped_column(Float)
    true_peak_dbtp: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Withdrawn by its distributor or an admin: gone from listeners and search, kept for them.
    taken_down_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Streamed to paying listeners only (its deals allow subscription streaming alone).
    premium_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class TakedownEventRow(Base):
    """A release taken down or put back: by whom (an admin or its distributor), when, why."""

    __tablename__ = "takedown_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(12))  # taken_down | restored
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(40))  # admin:ID | distributor:ID
    reason: Mapped[str | None] = mapped_column(String(500))


class ReleaseArtistRow(Base):
    __tablename__ = "release_artists"
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    artist_id: Mapped[int] = mapped_column(ForeignKey("artists.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)


class CoverImageRow(Base):
    __tablename__ = "cover_images"
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    size_px: Mapped[int] = mapped_column(Integer, primary_key=True)
    blob: Mapped[str] = mapped_column(String(64))


class TrackRow(Base):
    __tablename__ = "tracks"
    __table_args__ = (Index("ix_tracks_release", "release_id", "disc_number", "track_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(1000))
    isrc: Mapped[str | None] = mapped_column(String(12), unique=True)
    disc_number: Mapped[int] = mapped_column(Integer)
    track_number: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    explicit: Mapped[bool] = mapped_column(Boolean)
    genres: Mapped[list[str]] = mapped_column(JSON)
    loudness_lufs: Mapped[float] = mapped_column(Float)
    true_peak_dbtp: Mapped[float] = mapped_column(Float)
    # beats per minute measured at ingest (adapters/audio/tempo.py); null: no clear pulse, or
    # ingested before tempo was measured
    tempo_bpm: Mapped[float | None] = mapped_column(Float)
    source_blob: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the delivered file
    source_format: Mapped[str] = mapped_column(String(40))


class TrackLyricsRow(Base):
    """A track's lyrics, kept apart so that reading tracks never reads pages of text."""

    __tablename__ = "track_lyrics"
    track_id: Mapped[int] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)  # LRC when synced, else plain lines
    synced: Mapped[bool] = mapped_column(Boolean)


class TrackArtistRow(Base):
    __tablename__ = "track_artists"
    track_id: Mapped[int] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    artist_id: Mapped[int] = mapped_column(ForeignKey("artists.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10))  # main | featured
    position: Mapped[int] = mapped_column(Integer)


class AudioFileRow(Base):
    __tablename__ = "audio_files"
    track_id: Mapped[int] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    quality: Mapped[str] = mapped_column(String(12), primary_key=True)
    blob: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    bitrate_kbps: Mapped[int | None] = mapped_column(Integer)


class LibraryFileRow(Base):
    """What `cadenza ingest DIR` last saw of each file, so a rescan skips unchanged ones."""

    __tablename__ = "library_files"
    path: Mapped[str] = mapped_column(String(4096), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    album_key: Mapped[str | None] = mapped_column(String(255))  # the tag group it was filed under


class DeliveryRow(Base):
    """An upload being ingested in the background, polled by its distributor."""

    __tablename__ = "deliveries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("distributors.id"))
    status: Mapped[str] = mapped_column(String(12))  # queued | processing | published | failed
    stage: Mapped[str | None] = mapped_column(String(20))
    progress: Mapped[float] = mapped_column(Float)
    release_id: Mapped[int | None] = mapped_column(Integer)
    track_ids: Mapped[list[int]] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_file: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
