"""Listeners among themselves: who follows and blocks whom, who shares what they play, private
sessions, and Blends (a shared playlist of two listeners' tastes, made through an invite)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class ListenerFollowRow(Base):
    __tablename__ = "listener_follows"
    __table_args__ = (Index("ix_listener_follows_followed", "followed_id"),)
    follower_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    followed_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    followed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListenerBlockRow(Base):
    __tablename__ = "listener_blocks"
    __table_args__ = (Index("ix_listener_blocks_blocked", "blocked_id"),)
    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActivitySharingRow(Base):
    """A listener's choice to show what they play to those who follow them (off without a row),
    and the private session they are in, if any."""

    __tablename__ = "activity_sharing"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    share_activity: Mapped[bool] = mapped_column(Boolean)
    private_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PrivateSessionRow(Base):
    """A private session that ended: what was played in it is never shown."""

    __tablename__ = "private_sessions"
    __table_args__ = (Index("ix_private_sessions_user", "user_id", "ended_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BlendRow(Base):
    __tablename__ = "blends"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    match_score: Mapped[int] = mapped_column(Integer)  # 0 to 100


class BlendMemberRow(Base):
    __tablename__ = "blend_members"
    __table_args__ = (Index("ix_blend_members_user", "user_id"),)
    blend_id: Mapped[int] = mapped_column(
        ForeignKey("blends.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BlendTrackRow(Base):
    """One track of a Blend at its position, with the member whose taste put it there."""

    __tablename__ = "blend_tracks"
    blend_id: Mapped[int] = mapped_column(
        ForeignKey("blends.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BlendInviteRow(Base):
    """An invite link to blend with its maker: only the token's hash is kept; it works once."""

    __tablename__ = "blend_invites"
    __table_args__ = (Index("ix_blend_invites_inviter", "inviter_id"),)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    inviter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
