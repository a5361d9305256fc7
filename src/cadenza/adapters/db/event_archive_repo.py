"""Listening events read for the Parquet archive, each with its play's source and country (the
join on the plays' unique (user_id, play_id)), and the archive's index (event_archives)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_archive import EventArchiveRow
from cadenza.adapters.db.models_listening import ListeningEventRow, PlayRow
from cadenza.domain.catalog import as_utc
from cadenza.ports.event_archive import StoredEvent


class SqlEventArchive:
    def __init__(self, session: Session) -> None:
        self.s = session

    def events_between(
        self, start: datetime, end: datetime, after_id: int, limit: int
    ) -> list[StoredEvent]:
        e, p = ListeningEventRow, PlayRow
        rows = self.s.execute(
            select(e, p.source, p.country)
            .outerjoin(p, and_(p.user_id == e.user_id, p.play_id == e.play_id))
            .where(e.occurred_at >= start, e.occurred_at < end, e.id > after_id)
            .order_by(e.id)
            .limit(limit)
        )
        return [
            StoredEvent(
                r.id,
                r.user_id,
                r.client_id,
                r.play_id,
                r.kind,
                r.track_id,
                r.device,
                r.position_ms,
                r.seek_to_ms,
                as_utc(r.occurred_at),
                as_utc(r.received_at),
                source=source,
                market=market,
            )
            for r, source, market in rows
        ]

    def count_between(self, start: datetime, end: datetime) -> int:
        e = ListeningEventRow
        found = self.s.scalar(
            select(func.count()).where(e.occurred_at >= start, e.occurred_at < end)
        )
        return int(found or 0)

    def first_event_at(self) -> datetime | None:
        first = self.s.scalar(select(func.min(ListeningEventRow.occurred_at)))
        return as_utc(first) if first is not None else None

    def archived_days(self, since: date) -> dict[date, int]:
        a = EventArchiveRow
        return {day: events for day, events in self.s.execute(
            select(a.day, a.events).where(a.day >= since)
        )}  # fmt: skip

    def archived(self, day: date) -> tuple[str, int] | None:
        row = self.s.get(EventArchiveRow, day)
        return (row.digest, row.events) if row is not None else None

    def save(self, day: date, digest: str, events: int, now: datetime) -> None:
        row = self.s.get(EventArchiveRow, day)
        if row is None:
            self.s.add(EventArchiveRow(day=day, digest=digest, events=events, archived_at=now))
        else:
            row.digest, row.events, row.archived_at = digest, events, now
