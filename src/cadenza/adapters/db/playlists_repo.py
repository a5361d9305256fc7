"""Playlists in SQL: details with a version, entries by position, followers, invites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
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
from cadenza.domain.playlists import Entry, Follower, Playlist, PlaylistAccess, Shift

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

    def editorial(self, limit: int, offset: int) -> list[Playlist]:
        # Roles are a JSON list: its text holds '"admin"' on both engines.
        rows = self.s.execute(
            select(PlaylistRow, UserRow.display_name)
            .join(UserRow, UserRow.id == PlaylistRow.owner_id)
            .where(
                PlaylistRow.public.is_(True),
                PlaylistRow.total > 0,
                cast(UserRow.roles, String).like('%"admin"%'),
            )
            .order_by(PlaylistRow.updated_at.desc(), PlaylistRow.id.desc())
            .limit(limit)
            .offset(offset)
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

    def lock_owner(self, owner_id: int) -> None:
        """Hold the listener's row until commit, so concurrent creations count one by one."""
        self.s.execute(update(UserRow).where(UserRow.id == owner_id).values(id=UserRow.id))

    def owned_count(self, owner_id: int) -> int:
        query = select(func.count()).where(PlaylistRow.owner_id == owner_id)
        return int(self.s.scalar(query) or 0)

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
