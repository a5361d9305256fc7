"""Playlists in SQL: details with a version, the owner's count; entries and followers live apart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import PlaylistRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.playlists import Playlist

_CHUNK = 1_000  # positions per IN (...)


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
        editorial: bool = False,
    ) -> int:
        row = PlaylistRow(
            editorial=editorial,
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

    def editorial(self, limit: int, offset: int) -> list[Playlist]:
        # Roles are a JSON list: its text holds '"admin"' on both engines.
        rows = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(
                PlaylistRow.public.is_(True),
                PlaylistRow.total > 0,
                or_(
                    PlaylistRow.editorial.is_(True),
                    cast(UserRow.roles, String).like('%"admin"%'),
                ),
            )
            .order_by(PlaylistRow.updated_at.desc(), PlaylistRow.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return [_playlist(row, name) for row, name in rows]

    def flagged_editorial(self, limit: int) -> list[Playlist]:
        rows = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(PlaylistRow.editorial.is_(True))
            .order_by(PlaylistRow.name, PlaylistRow.id)
            .limit(limit)
        ).all()
        return [_playlist(row, name) for row, name in rows]

    def public_named(self, words: str, limit: int) -> list[Playlist]:
        escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(
                PlaylistRow.public.is_(True),
                func.lower(PlaylistRow.name).like(f"%{escaped}%", escape="\\"),
            )
            .order_by(PlaylistRow.total.desc(), PlaylistRow.id)
            .limit(limit)
        ).all()
        return [_playlist(row, name) for row, name in rows]

    def public_of_owner(self, owner_id: int, limit: int) -> list[Playlist]:
        rows = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(PlaylistRow.owner_id == owner_id, PlaylistRow.public.is_(True))
            .order_by(PlaylistRow.updated_at.desc(), PlaylistRow.id.desc())
            .limit(limit)
        ).all()
        return [_playlist(row, name) for row, name in rows]

    def many(self, playlist_ids: list[int]) -> dict[int, Playlist]:
        if not playlist_ids:
            return {}
        rows = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(PlaylistRow.id.in_(playlist_ids))
        ).all()
        return {row.id: _playlist(row, name) for row, name in rows}

    def lock_owner(self, owner_id: int) -> None:
        """Hold the listener's row until commit, so concurrent creations count one by one."""
        self.s.execute(update(UserRow).where(UserRow.id == owner_id).values(id=UserRow.id))

    def owned_count(self, owner_id: int) -> int:
        query = select(func.count()).where(PlaylistRow.owner_id == owner_id)
        return int(self.s.scalar(query) or 0)

    def lock(self, playlist_id: int) -> Playlist | None:
        """Hold the playlist's row until commit (a write first: SQLite locks only on writes),
        then read it afresh."""
        self.s.execute(
            update(PlaylistRow).where(PlaylistRow.id == playlist_id).values(id=PlaylistRow.id)
        )
        found = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(PlaylistRow.id == playlist_id)
            .execution_options(populate_existing=True)
        ).first()
        return _playlist(found[0], found[1]) if found else None

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
        editorial=row.editorial,
    )
