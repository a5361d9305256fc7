"""Who follows or edits a playlist: followers, collaborators and their invites. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, literal, or_, select, union_all, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import (
    PlaylistFollowerRow,
    PlaylistInviteRow,
    PlaylistRow,
)
from cadenza.adapters.db.playlists_repo import _playlist
from cadenza.domain.catalog import as_utc
from cadenza.domain.playlists import Follower, Playlist, PlaylistAccess


class SqlPlaylistFollowers:
    def __init__(self, session: Session) -> None:
        self.s = session

    def membership(self, playlist_id: int, user_id: int) -> PlaylistAccess:
        row = self.s.get(PlaylistFollowerRow, (playlist_id, user_id))
        return PlaylistAccess(
            following=row is not None,
            collaborator=bool(row and row.collaborator),
            invited=bool(row and row.invited),
        )

    def followers(self, playlist_id: int, limit: int, offset: int) -> tuple[list[Follower], int]:
        f = PlaylistFollowerRow
        where = f.playlist_id == playlist_id
        total = int(self.s.scalar(select(func.count()).select_from(f).where(where)) or 0)
        rows = self.s.execute(
            select(f.user_id, UserRow.display_name, f.collaborator, f.invited, f.followed_at)
            .join(UserRow, UserRow.id == f.user_id)
            .where(where)
            .order_by(f.followed_at, f.user_id)
            .limit(limit)
            .offset(offset)
        )
        found = [Follower(u, n, c, i, as_utc(at)) for u, n, c, i, at in rows]
        return found, total

    def follow(
        self, playlist_id: int, user_id: int, collaborator: bool, invited: bool, now: datetime
    ) -> None:
        row = {
            "playlist_id": playlist_id,
            "user_id": user_id,
            "collaborator": collaborator,
            "invited": invited,
            "followed_at": now,
        }
        insert = insert_on_conflict(self.s, PlaylistFollowerRow).values(row)
        if invited:  # an invite upgrades a follower (and to collaborate, to a collaborator)
            upgrade: dict[str, object] = {"invited": True}
            if collaborator:
                upgrade["collaborator"] = True
            insert = insert.on_conflict_do_update(
                index_elements=["playlist_id", "user_id"], set_=upgrade
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
            .where(
                PlaylistFollowerRow.user_id == user_id,
                PlaylistRow.owner_id != user_id,
                or_(PlaylistRow.public.is_(True), PlaylistFollowerRow.invited.is_(True)),
            )
        )
        return found + [(_playlist(row, name), as_utc(at)) for row, name, at in followed]

    def page_of_listener(
        self, user_id: int, limit: int, offset: int
    ) -> tuple[list[tuple[Playlist, PlaylistAccess]], int]:
        """Owned and readable followed playlists, most recently added first, paged in SQL."""
        p, f = PlaylistRow, PlaylistFollowerRow
        owned = select(
            p.id.label("playlist_id"),
            p.created_at.label("added_at"),
            literal(False).label("following"),
            literal(False).label("collaborator"),
            literal(False).label("invited"),
        ).where(p.owner_id == user_id)
        followed = (
            select(f.playlist_id, f.followed_at, literal(True), f.collaborator, f.invited)
            .join(p, p.id == f.playlist_id)
            .where(
                f.user_id == user_id,
                p.owner_id != user_id,
                or_(p.public.is_(True), f.invited.is_(True)),
            )
        )
        mine = union_all(owned, followed).subquery()
        total = int(self.s.scalar(select(func.count()).select_from(mine)) or 0)
        rows = self.s.execute(
            select(p, UserRow.display_name, mine.c.following, mine.c.collaborator, mine.c.invited)
            .join(mine, mine.c.playlist_id == p.id)
            .join(UserRow, UserRow.id == p.owner_id)
            .order_by(mine.c.added_at.desc(), p.id.desc())
            .limit(limit)
            .offset(offset)
        )
        found = [
            (_playlist(row, name), PlaylistAccess(bool(fo), bool(co), bool(inv)))
            for row, name, fo, co, inv in rows
        ]
        return found, total

    def drop_uninvited(self, playlist_id: int) -> None:
        self.s.execute(
            delete(PlaylistFollowerRow).where(
                PlaylistFollowerRow.playlist_id == playlist_id,
                PlaylistFollowerRow.invited.is_(False),
            )
        )

    def end_collaboration(self, playlist_id: int) -> None:
        self.s.execute(
            update(PlaylistFollowerRow)
            .where(PlaylistFollowerRow.playlist_id == playlist_id)
            .values(collaborator=False)
        )

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

    def invite(self, token_hash: str) -> tuple[int, bool, datetime] | None:
        row = self.s.get(PlaylistInviteRow, token_hash)
        return (row.playlist_id, row.collaborate, as_utc(row.created_at)) if row else None

    def revoke_invites(self, playlist_id: int) -> int:
        done = self.s.execute(
            delete(PlaylistInviteRow).where(PlaylistInviteRow.playlist_id == playlist_id)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]
