"""A playlist's entries in their order: inserted, removed and moved by position. In SQL."""

from __future__ import annotations

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import PlaylistEntryRow, PlaylistRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.playlists import Entry, Shift


class SqlPlaylistEntries:
    def __init__(self, session: Session) -> None:
        self.s = session

    def insert_entries(self, playlist_id: int, at: int, entries: list[Entry]) -> None:
        """Put new entries before position `at`: one statement moves those after them."""
        self.s.execute(
            update(PlaylistEntryRow)
            .where(PlaylistEntryRow.playlist_id == playlist_id, PlaylistEntryRow.position >= at)
            .values(position=PlaylistEntryRow.position + len(entries))
        )
        self.s.add_all(
            PlaylistEntryRow(
                playlist_id=playlist_id,
                position=at + i,
                track_id=e.track_id,
                added_by=e.added_by,
                added_at=e.added_at,
            )
            for i, e in enumerate(entries)
        )
        self.s.execute(
            update(PlaylistRow)
            .where(PlaylistRow.id == playlist_id)
            .values(total=PlaylistRow.total + len(entries))
        )
        self.s.flush()

    def entries(self, playlist_id: int, limit: int | None = None, offset: int = 0) -> list[Entry]:
        e = PlaylistEntryRow
        query = (
            select(e.id, e.track_id, e.added_by, e.added_at, UserRow.display_name)
            .outerjoin(UserRow, UserRow.id == PlaylistEntryRow.added_by)
            .where(PlaylistEntryRow.playlist_id == playlist_id)
            .order_by(PlaylistEntryRow.position)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [Entry(i, t, by, as_utc(at), name) for i, t, by, at, name in self.s.execute(query)]

    def track_ids(self, playlist_id: int) -> list[int]:
        query = (
            select(PlaylistEntryRow.track_id)
            .where(PlaylistEntryRow.playlist_id == playlist_id)
            .order_by(PlaylistEntryRow.position)
        )
        return list(self.s.scalars(query))

    def tracks_at(
        self, playlist_id: int, positions: list[int], track_ids: list[int]
    ) -> dict[int, int]:
        """Position -> track id for the given positions and every place of the given tracks."""
        e = PlaylistEntryRow
        where = []
        if positions:
            where.append(e.position.in_(positions))
        if track_ids:
            where.append(e.track_id.in_(track_ids))
        if not where:
            return {}
        rows = self.s.execute(
            select(e.position, e.track_id).where(e.playlist_id == playlist_id, or_(*where))
        )
        return {position: track_id for position, track_id in rows}

    def remove_positions(self, playlist_id: int, positions: set[int]) -> None:
        if not positions:
            return
        e = PlaylistEntryRow
        ordered = sorted(positions)
        for start in range(0, len(ordered), _CHUNK):
            self.s.execute(
                delete(e).where(
                    e.playlist_id == playlist_id, e.position.in_(ordered[start : start + _CHUNK])
                )
            )
        # Close the gaps in one statement: the entries after the first removed one are
        # numbered again from its place.
        first = ordered[0]
        after = (
            select(e.id, (func.row_number().over(order_by=e.position) + (first - 1)).label("to"))
            .where(e.playlist_id == playlist_id, e.position > first)
            .subquery()
        )
        self.s.execute(
            update(e)
            .where(e.id == after.c.id, e.position != after.c.to)
            .values(position=after.c.to)
            .execution_options(synchronize_session=False)
        )
        self.s.execute(
            update(PlaylistRow)
            .where(PlaylistRow.id == playlist_id)
            .values(total=PlaylistRow.total - len(positions))
        )
        self.s.flush()

    def shift_positions(self, playlist_id: int, shift: Shift) -> None:
        e = PlaylistEntryRow
        moving = and_(e.position >= shift.range_start, e.position < shift.range_end)
        self.s.execute(
            update(e)
            .where(e.playlist_id == playlist_id, e.position >= shift.low, e.position < shift.high)
            .values(
                position=case(
                    (moving, e.position + shift.range_by), else_=e.position + shift.others_by
                )
            )
            .execution_options(synchronize_session=False)
        )
        self.s.flush()


_CHUNK = 1_000  # positions per IN (...)
