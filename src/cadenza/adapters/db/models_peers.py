"""SQLAlchemy tables for the peer tracker: live peers, the files each holds, and reports of
peers that sent bad chunks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base


class PeerRow(Base):
    """A listener's client serving chunks at an address, until its announcement expires."""

    __tablename__ = "peers"
    __table_args__ = (UniqueConstraint("user_id", "host", "port", name="uq_peers_address"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(String(45))
    port: Mapped[int] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PeerBlobRow(Base):
    """One file a peer holds in its cache."""

    __tablename__ = "peer_blobs"
    __table_args__ = (Index("ix_peer_blobs_blob", "blob"),)
    peer_id: Mapped[int] = mapped_column(
        ForeignKey("peers.id", ondelete="CASCADE"), primary_key=True
    )
    blob: Mapped[str] = mapped_column(String(64), primary_key=True)


class PeerReportRow(Base):
    """A listener's client got a chunk that did not match its signed hash from this address."""

    __tablename__ = "peer_reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "host", "port", name="uq_peer_reports_once"),
        Index("ix_peer_reports_at", "reported_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(String(45))
    port: Mapped[int] = mapped_column(Integer)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
