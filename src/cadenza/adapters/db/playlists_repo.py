"""Playlists in SQL: details with a version, entries by position, followers, invites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import (
    PlaylistEntryRow,
    PlaylistFollowerRow,
    PlaylistInviteRow,
    PlaylistRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.playlists import Entry, Playlist, PlaylistAccess


class SqlPlaylists:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        owner_id: int,
        name: str,
        description: str,
        public: bool,
        collaborative: bool,
        now: datetime,
    ) -> int:
        row = PlaylistRow(
            owner_id=owner_id,
            name=name,
            description=description,
            public=public,
            collaborative=collaborative,
            version=1,
            total=0,
            created_at=now,
            updated_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def get(self, playlist_id: int) -> Playlist | None:
        found = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(PlaylistRow.id == playlist_id)
        ).first()
        return _playlist(found[0], found[1]) if found else None

    def owned_count(self, owner_id: int) -> int:
        query = select(func.count()).where(PlaylistRow.owner_id == owner_id)
        return int(self.s.scalar(query) or 0)

    def membership(self, playlist_id: int, user_id: int) -> PlaylistAccess:
        row = self.s.get(PlaylistFollowerRow, (playlist_id, user_id))
        return PlaylistAccess(
            following=row is not None, collaborator=bool(row and row.collaborator)
        )

    def bump(self, playlist_id: int, version: int, now: datetime) -> bool:
        done = self.s.execute(
            update(PlaylistRow)
            .where(PlaylistRow.id == playlist_id, PlaylistRow.version == version)
            .values(version=version + 1, updated_at=now)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def set_details(
        self, playlist_id: int, name: str, description: str, public: bool, collaborative: bool
    ) -> None:
        self.s.execute(
            update(PlaylistRow)
            .where(PlaylistRow.id == playlist_id)
            .values(name=name, description=description, public=public, collaborative=collaborative)
        )

    def delete(self, playlist_id: int) -> None:
        self.s.execute(delete(PlaylistRow).where(PlaylistRow.id == playlist_id))

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

    def write_entries(self, playlist_id: int, entries: list[Entry]) -> None:
        rows = self.s.execute(
            select(PlaylistEntryRow.id, PlaylistEntryRow.position).where(
                PlaylistEntryRow.playlist_id == playlist_id
            )
        )
        stored = {row[0]: row[1] for row in rows}
        kept = {e.id for e in entries if e.id is not None}
        gone = [i for i in stored if i not in kept]
        if gone:
            self.s.execute(delete(PlaylistEntryRow).where(PlaylistEntryRow.id.in_(gone)))
        moved = [
            {"entry": e.id, "to": at}
            for at, e in enumerate(entries)
            if e.id is not None and stored.get(e.id) != at
        ]
        if moved:  # one executemany in Core: the ORM's bulk update costs 10x more per row
            self.s.connection().execute(
                update(PlaylistEntryRow)
                .where(PlaylistEntryRow.id == bindparam("entry"))
                .values(position=bindparam("to")),
                moved,
            )
        added = [
            PlaylistEntryRow(
                playlist_id=playlist_id,
                position=at,
                track_id=e.track_id,
                added_by=e.added_by,
                added_at=e.added_at,
            )
            for at, e in enumerate(entries)
            if e.id is None
        ]
        self.s.add_all(added)
        self.s.execute(
            update(PlaylistRow).where(PlaylistRow.id == playlist_id).values(total=len(entries))
        )
        self.s.flush()

    def follow(self, playlist_id: int, user_id: int, collaborator: bool, now: datetime) -> None:
        row = {
            "playlist_id": playlist_id,
            "user_id": user_id,
            "collaborator": collaborator,
            "followed_at": now,
        }
        insert = insert_on_conflict(self.s, PlaylistFollowerRow).values(row)
        if collaborator:  # an invite to collaborate upgrades a follower
            insert = insert.on_conflict_do_update(
                index_elements=["playlist_id", "user_id"], set_={"collaborator": True}
            )
        else:
            insert = insert.on_conflict_do_nothing()
        self.s.execute(insert)

    def unfollow(self, playlist_id: int, user_id: int) -> None:
        self.s.execute(
            delete(PlaylistFollowerRow).where(
                PlaylistFollowerRow.playlist_id == playlist_id,
                PlaylistFollowerRow.user_id == user_id,
            )
        )

    def of_listener(self, user_id: int) -> list[tuple[Playlist, datetime]]:
        owned = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(PlaylistRow.owner_id == user_id)
        )
        found = [(_playlist(row, name), as_utc(row.created_at)) for row, name in owned]
        followed = self.s.execute(
            select(PlaylistRow, UserRow.display_name, PlaylistFollowerRow.followed_at)
            .join(PlaylistFollowerRow, PlaylistFollowerRow.playlist_id == PlaylistRow.id)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(PlaylistFollowerRow.user_id == user_id, PlaylistRow.owner_id != user_id)
        )
        return found + [(_playlist(row, name), as_utc(at)) for row, name, at in followed]

    def add_invite(
        self, token_hash: str, playlist_id: int, collaborate: bool, now: datetime
    ) -> None:
        self.s.add(
            PlaylistInviteRow(
                token_hash=token_hash,
                playlist_id=playlist_id,
                collaborate=collaborate,
                created_at=now,
            )
        )
        self.s.flush()

    def invite(self, token_hash: str) -> tuple[int, bool] | None:
        row = self.s.get(PlaylistInviteRow, token_hash)
        return (row.playlist_id, row.collaborate) if row else None


def _playlist(row: PlaylistRow, owner_name: str) -> Playlist:
    return Playlist(
        id=row.id,
        owner_id=row.owner_id,
        owner_name=owner_name,
        name=row.name,
        description=row.description,
        public=row.public,
        collaborative=row.collaborative,
        version=row.version,
        total=row.total,
        created_at=as_utc(row.created_at),  # SQLite hands back naive UTC
        updated_at=as_utc(row.updated_at),
    )
