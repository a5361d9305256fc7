"""Stream grant windows in SQL: one row per account, device and track while renewed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_listening import GrantWindowRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.stream_counts import WINDOW_GAP, GrantWindow


class SqlGrantLog:
    def __init__(self, session: Session) -> None:
        self.s = session

    def extend(
        self,
        user_id: int,
        device: str,
        track_id: int,
        issued_at: datetime,
        expires_at: datetime,
        served_ms: int,
        metered: bool,
    ) -> None:
        latest = self.s.scalars(
            select(GrantWindowRow)
            .where(
                GrantWindowRow.user_id == user_id,
                GrantWindowRow.track_id == track_id,
                GrantWindowRow.device == device,
                GrantWindowRow.expires_at >= issued_at - WINDOW_GAP,
                GrantWindowRow.first_at <= issued_at,
            )
            .order_by(GrantWindowRow.expires_at.desc())
            .limit(1)
        ).first()
        if latest is None:
            self.s.add(
                GrantWindowRow(
                    user_id=user_id,
                    device=device,
                    track_id=track_id,
                    first_at=issued_at,
                    expires_at=expires_at,
                    served_ms=served_ms,
                    metered=metered,
                )
            )
            self.s.flush()
            return
        latest.expires_at = max(as_utc(latest.expires_at), expires_at)
        latest.served_ms += served_ms
        latest.metered = latest.metered and metered

    def add_served(self, user_id: int, track_id: int, served_ms: int) -> None:
        latest = self.s.scalar(
            select(GrantWindowRow.id)
            .where(GrantWindowRow.user_id == user_id, GrantWindowRow.track_id == track_id)
            .order_by(GrantWindowRow.expires_at.desc())
            .limit(1)
        )
        if latest is not None:
            self.s.execute(
                update(GrantWindowRow)
                .where(GrantWindowRow.id == latest)
                .values(served_ms=GrantWindowRow.served_ms + served_ms)
            )

    def windows(self, user_id: int, track_id: int, since: datetime) -> list[GrantWindow]:
        rows = self.s.scalars(
            select(GrantWindowRow).where(
                GrantWindowRow.user_id == user_id,
                GrantWindowRow.track_id == track_id,
                GrantWindowRow.expires_at >= since,
            )
        )
        return [
            GrantWindow(
                device=r.device,
                first_at=as_utc(r.first_at),
                expires_at=as_utc(r.expires_at),
                served_ms=r.served_ms,
                metered=r.metered,
            )
            for r in rows
        ]
