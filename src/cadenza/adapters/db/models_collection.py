"""SQLAlchemy tables for the listener's collection: liked songs, saved releases, followed
artists, playlists with their entries, followers and share invites. Catalog ids carry no
foreign key: a liked or listed track stays listed (unplayable) when it leaves the catalog."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class LikedTrackRow(Base):
    __tablename__ = "liked_tracks"
    __table_args__ = (
        Index("ix_liked_tracks_recent", "user_id", "added_at"),
        Index("ix_liked_tracks_added", "added_at"),  # the artists' statistics, per day
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SavedReleaseRow(Base):
    __tablename__ = "saved_releases"
    __table_args__ = (
        Index("ix_saved_releases_recent", "user_id", "added_at"),
        Index("ix_saved_releases_added", "added_at"),  # the artists' statistics, per day
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    release_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FollowedArtistRow(Base):
    __tablename__ = "followed_artists"
    __table_args__ = (
        Index("ix_followed_artists_recent", "user_id", "added_at"),
        Index("ix_followed_artists_added", "added_at"),  # the artists' statistics, per day
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    artist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlaylistRow(Base):
    __tablename__ = "playlists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(300))
    public: Mapped[bool] = mapped_column(Boolean)
    collaborative: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Made by the service's editors (admins), owned by the editors' account: tagged in plays.
    editorial: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)


class PlaylistEntryRow(Base):
    """One track at one position; a track may stand at several."""

    __tablename__ = "playlist_entries"
    __table_args__ = (
        Index("ix_playlist_entries_order", "playlist_id", "position"),
        Index("ix_playlist_entries_added", "added_at"),  # the artists' statistics, per day
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    track_id: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlaylistFollowerRow(Base):
    __tablename__ = "playlist_followers"
    __table_args__ = (Index("ix_playlist_followers_user", "user_id"),)
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    collaborator: Mapped[bool] = mapped_column(Boolean)
    # Joined through an invite link: only these (and the owner) read a private playlist.
    invited: Mapped[bool] = mapped_column(Boolean, server_default=false())
    followed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlaylistInviteRow(Base):
    """A share link: only the token's hash is kept."""

    __tablename__ = "playlist_invites"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), index=True
    )
    collaborate: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
