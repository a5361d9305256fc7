"""Liked songs, saved releases and followed artists in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import ArtistRow, ReleaseRow, TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import (
    FollowedArtistRow,
    LikedTrackRow,
    PlaylistEntryRow,
    SavedReleaseRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.collection import TrackFacts
from cadenza.ports.collection import Saved

_CHUNK = 1_000  # ids per IN (...), well under every engine's parameter limit


def _table(kind: str) -> tuple[Any, Any]:
    """The table of a kind and its catalog-id column."""
    if kind == "track":
        return LikedTrackRow, LikedTrackRow.track_id
    if kind == "release":
        return SavedReleaseRow, SavedReleaseRow.release_id
    if kind == "artist":
        return FollowedArtistRow, FollowedArtistRow.artist_id
    raise ValueError(kind)


class SqlCollection:
    def __init__(self, session: Session) -> None:
        self.s = session

    def lock_listener(self, user_id: int) -> None:
        """Hold the listener's row until commit, so concurrent saves count one by one."""
        self.s.execute(update(UserRow).where(UserRow.id == user_id).values(id=UserRow.id))

    def save(self, kind: str, user_id: int, ids: list[int], now: datetime) -> None:
        if not ids:
            return
        table, column = _table(kind)
        rows = [{"user_id": user_id, column.key: i, "added_at": now} for i in ids]
        self.s.execute(insert_on_conflict(self.s, table).values(rows).on_conflict_do_nothing())

    def unsave(self, kind: str, user_id: int, ids: list[int]) -> None:
        table, column = _table(kind)
        self.s.execute(delete(table).where(table.user_id == user_id, column.in_(ids)))

    def saved(self, kind: str, user_id: int, limit: int, offset: int) -> list[Saved]:
        table, column = _table(kind)
        rows = self.s.execute(
            select(column, table.added_at)
            .where(table.user_id == user_id)
            .order_by(table.added_at.desc(), column.desc())
            .limit(limit)
            .offset(offset)
        )
        return [Saved(row[0], as_utc(row[1])) for row in rows]  # SQLite: naive UTC

    def count(self, kind: str, user_id: int) -> int:
        table, _ = _table(kind)
        return int(self.s.scalar(select(func.count()).where(table.user_id == user_id)) or 0)

    def contains(self, kind: str, user_id: int, ids: list[int]) -> set[int]:
        table, column = _table(kind)
        query = select(column).where(table.user_id == user_id, column.in_(ids))
        return set(self.s.scalars(query))

    def track_facts(self, track_ids: list[int]) -> dict[int, TrackFacts]:
        facts: dict[int, TrackFacts] = {}
        unique = list(dict.fromkeys(track_ids))
        for start in range(0, len(unique), _CHUNK):
            rows = self.s.execute(
                select(TrackRow.id, *_FACTS)
                .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
                .where(TrackRow.id.in_(unique[start : start + _CHUNK]))
            )
            for row in rows:
                facts[row.id] = _facts(row)
        return facts

    def playlist_track_facts(self, playlist_id: int) -> list[tuple[int, TrackFacts | None]]:
        """Each entry's track and what decides whether it plays, in playlist order: one
        statement however long the playlist (None for a track no longer in the catalog)."""
        e = PlaylistEntryRow
        rows = self.s.execute(
            select(e.track_id.label("entry_track"), TrackRow.id, *_FACTS)
            .outerjoin(TrackRow, TrackRow.id == e.track_id)
            .outerjoin(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .where(e.playlist_id == playlist_id)
            .order_by(e.position)
        )
        return [
            (row.entry_track, None if row.id is None or row.release_at is None else _facts(row))
            for row in rows
        ]

    def artist_names(self, artist_ids: list[int]) -> dict[int, str]:
        query = select(ArtistRow.id, ArtistRow.name).where(ArtistRow.id.in_(artist_ids))
        return {row[0]: row[1] for row in self.s.execute(query)}


_FACTS = (
    TrackRow.explicit,
    ReleaseRow.release_at,
    ReleaseRow.territories,
    ReleaseRow.distributor_id,
    ReleaseRow.taken_down_at,
)


def _facts(row: Any) -> TrackFacts:
    """TrackFacts from a row holding the _FACTS columns."""
    return TrackFacts(
        row.release_at,
        tuple(row.territories.split()),
        row.explicit,
        row.distributor_id,
        taken_down=row.taken_down_at is not None,
    )
