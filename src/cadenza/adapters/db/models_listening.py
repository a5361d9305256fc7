"""SQLAlchemy tables for listening: the append-only event log, plays, and stream counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base

# The counted streams not yet in the artists' statistics (a stream flagged artificial stays
# out), as each engine's partial index (and the roll-up's query, so the planner uses it) says it.
TO_ROLL = {
    "sqlite": "counted = 1 AND stats_rolled = 0 AND flagged_artificial = 0",
    "postgresql": "counted AND NOT stats_rolled AND NOT flagged_artificial",
}
# Streams in the statistics that were flagged artificial since: the roll-up takes them out
# (migration 0039). A flag cleared by an admin makes its streams TO_ROLL again.
TO_UNROLL = {
    "sqlite": "stats_rolled = 1 AND flagged_artificial = 1",
    "postgresql": "stats_rolled AND flagged_artificial",
}


class ListeningEventRow(Base):
    """Every accepted event, never changed. The client's id makes a resend a no-op."""

    __tablename__ = "listening_events"
    __table_args__ = (
        Index("uq_listening_event", "user_id", "client_id", unique=True),
        Index("ix_listening_event_play", "user_id", "play_id"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    play_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    track_id: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(100))
    position_ms: Mapped[int] = mapped_column(BigInteger)
    seek_to_ms: Mapped[int | None] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlayRow(Base):
    """One playback of one track, summarised from its events."""

    __tablename__ = "plays"
    __table_args__ = (
        Index("uq_play", "user_id", "play_id", unique=True),
        Index("ix_play_recent", "user_id", "counted", "started_at"),
        Index("ix_plays_royalty_month", "royalty_month"),  # a royalty close reads its month
        Index(  # counted streams the artists' statistics have not rolled up yet (migration 0034)
            "ix_plays_to_roll",
            "id",
            sqlite_where=text(TO_ROLL["sqlite"]),
            postgresql_where=text(TO_ROLL["postgresql"]),
        ),
        Index(  # rolled-up streams flagged artificial since (migration 0039)
            "ix_plays_to_unroll",
            "id",
            sqlite_where=text(TO_UNROLL["sqlite"]),
            postgresql_where=text(TO_UNROLL["postgresql"]),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    play_id: Mapped[str] = mapped_column(String(64))
    track_id: Mapped[int] = mapped_column(Integer, index=True)
    device: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    listened_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    # The columns the creators' features share (migration 0030):
    country: Mapped[str | None] = mapped_column(String(2))  # the listener's market at the start
    not_counted_reason: Mapped[str | None] = mapped_column(String(24))  # null when it counts
    source: Mapped[str | None] = mapped_column(String(24))  # where the listener started it
    royalty_month: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM, set on closing
    flagged_artificial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # In the artists' statistics (migration 0034): each counted stream once, taken out again
    # while it is flagged artificial (0039).
    stats_rolled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class TrackStreamsRow(Base):
    """Counted streams per track (the play count listeners and artists see)."""

    __tablename__ = "track_streams"
    track_id: Mapped[int] = mapped_column(
        ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    streams: Mapped[int] = mapped_column(BigInteger, default=0)


class ListenerArtistRow(Base):
    """Per listener and artist (main artists of each song): counted plays and when the first
    one started. Kept with each counted play; Only You and Your year count listeners from it
    without reading everyone's plays."""

    __tablename__ = "listener_artists"
    __table_args__ = (Index("ix_listener_artists_artist", "artist_id"),)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    artist_id: Mapped[int] = mapped_column(
        ForeignKey("artists.id", ondelete="CASCADE"), primary_key=True
    )
    plays: Mapped[int] = mapped_column(BigInteger)
    first_played_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlayerStateRow(Base):
    """Each listener's player: context, order, queue, current track, settings (as JSON), with
    a version so two devices changing it at once cannot overwrite each other unseen."""

    __tablename__ = "player_states"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[dict[str, object]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GrantWindowRow(Base):
    """Stream grants for one track to one device, renewed without a gap (migration 0031): one
    row per play window, extended on renewal, with the audio Cadenza sent for it (ms of the
    track, written on the next grant or events, never per range)."""

    __tablename__ = "grant_windows"
    __table_args__ = (Index("ix_grant_windows_track", "user_id", "track_id", "expires_at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device: Mapped[str] = mapped_column(String(100))  # "" for a grant asked without a device
    track_id: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    served_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    metered: Mapped[bool] = mapped_column(Boolean, default=True)
