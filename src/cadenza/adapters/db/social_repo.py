"""Listeners among themselves in SQL: follows, blocks, shared activity, private sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.adapters.db.models_social import (
    ActivitySharingRow,
    ListenerBlockRow,
    ListenerFollowRow,
    PrivateSessionRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.social import LastPlay, ListenerProfile, Sharing

F = ListenerFollowRow
B = ListenerBlockRow


class SqlSocial:
    def __init__(self, session: Session) -> None:
        self.s = session

    def profile(self, user_id: int) -> ListenerProfile | None:
        name = self.s.scalar(
            select(UserRow.display_name).where(UserRow.id == user_id, UserRow.disabled_at.is_(None))
        )
        if name is None:
            return None
        return self._profiles([(user_id, name)])[0]

    def _profiles(self, found: list[tuple[int, str]]) -> list[ListenerProfile]:
        ids = [i for i, _ in found]
        followers = dict(
            self.s.execute(
                select(F.followed_id, func.count())
                .where(F.followed_id.in_(ids))
                .group_by(F.followed_id)
            ).all()
        )
        following = dict(
            self.s.execute(
                select(F.follower_id, func.count())
                .where(F.follower_id.in_(ids))
                .group_by(F.follower_id)
            ).all()
        )
        return [
            ListenerProfile(i, name, followers.get(i, 0), following.get(i, 0)) for i, name in found
        ]

    def follow(self, follower_id: int, followed_id: int, now: datetime) -> None:
        if not self.is_following(follower_id, followed_id):
            self.s.add(F(follower_id=follower_id, followed_id=followed_id, followed_at=now))
            self.s.flush()

    def unfollow(self, follower_id: int, followed_id: int) -> None:
        self.s.execute(delete(F).where(F.follower_id == follower_id, F.followed_id == followed_id))

    def is_following(self, follower_id: int, followed_id: int) -> bool:
        return bool(
            self.s.scalar(
                select(exists().where(F.follower_id == follower_id, F.followed_id == followed_id))
            )
        )

    def following_count(self, user_id: int) -> int:
        return self.s.scalar(select(func.count()).where(F.follower_id == user_id)) or 0

    def following(self, user_id: int, limit: int, offset: int) -> tuple[list[ListenerProfile], int]:
        rows = self.s.execute(
            select(UserRow.id, UserRow.display_name)
            .join(F, F.followed_id == UserRow.id)
            .where(F.follower_id == user_id, UserRow.disabled_at.is_(None))
            .order_by(F.followed_at.desc(), UserRow.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return self._profiles([(r[0], r[1]) for r in rows]), self.following_count(user_id)

    def block(self, blocker_id: int, blocked_id: int, now: datetime) -> None:
        self.s.execute(
            delete(F).where(
                or_(
                    and_(F.follower_id == blocker_id, F.followed_id == blocked_id),
                    and_(F.follower_id == blocked_id, F.followed_id == blocker_id),
                )
            )
        )
        if self.s.get(B, (blocker_id, blocked_id)) is None:
            self.s.add(B(blocker_id=blocker_id, blocked_id=blocked_id, blocked_at=now))
            self.s.flush()

    def unblock(self, blocker_id: int, blocked_id: int) -> None:
        self.s.execute(delete(B).where(B.blocker_id == blocker_id, B.blocked_id == blocked_id))

    def blocked_between(self, a: int, b: int) -> bool:
        either = or_(
            and_(B.blocker_id == a, B.blocked_id == b), and_(B.blocker_id == b, B.blocked_id == a)
        )
        return bool(self.s.scalar(select(exists().where(either))))

    def blocked(self, blocker_id: int) -> list[ListenerProfile]:
        rows = self.s.execute(
            select(UserRow.id, UserRow.display_name)
            .join(B, B.blocked_id == UserRow.id)
            .where(B.blocker_id == blocker_id)
            .order_by(B.blocked_at.desc(), UserRow.id)
        ).all()
        return self._profiles([(r[0], r[1]) for r in rows])

    def sharing(self, user_id: int) -> Sharing:
        row = self.s.get(ActivitySharingRow, user_id)
        if row is None:
            return Sharing()
        since = as_utc(row.private_since) if row.private_since else None
        return Sharing(row.share_activity, since)

    def set_sharing(self, user_id: int, sharing: Sharing) -> None:
        row = self.s.get(ActivitySharingRow, user_id)
        if row is None:
            row = ActivitySharingRow(user_id=user_id)
            self.s.add(row)
        row.share_activity = sharing.share_activity
        row.private_since = sharing.private_since
        self.s.flush()

    def end_private_session(self, user_id: int, started_at: datetime, now: datetime) -> None:
        self.s.add(PrivateSessionRow(user_id=user_id, started_at=started_at, ended_at=now))
        self.s.flush()

    def friend_plays(self, user_id: int, since: datetime, limit: int) -> list[LastPlay]:
        blocked = exists().where(
            or_(
                and_(B.blocker_id == user_id, B.blocked_id == F.followed_id),
                and_(B.blocker_id == F.followed_id, B.blocked_id == user_id),
            )
        )
        friends = self.s.execute(
            select(UserRow.id, UserRow.display_name)
            .join(F, F.followed_id == UserRow.id)
            .join(ActivitySharingRow, ActivitySharingRow.user_id == UserRow.id)
            .where(
                F.follower_id == user_id,
                UserRow.disabled_at.is_(None),
                ActivitySharingRow.share_activity.is_(True),
                ActivitySharingRow.private_since.is_(None),
                ~blocked,
            )
        ).all()
        names = dict(friends)
        if not names:
            return []
        # Each friend's latest play outside their ended private sessions, in one statement.
        private = exists().where(
            PrivateSessionRow.user_id == PlayRow.user_id,
            PlayRow.started_at >= PrivateSessionRow.started_at,
            PlayRow.started_at <= PrivateSessionRow.ended_at,
        )
        ranked = (
            select(
                PlayRow.user_id,
                PlayRow.track_id,
                PlayRow.started_at,
                TrackRow.duration_ms,
                PlayRow.finished,
                func.row_number()
                .over(
                    partition_by=PlayRow.user_id,
                    order_by=(PlayRow.started_at.desc(), PlayRow.id.desc()),
                )
                .label("n"),
            )
            .join(TrackRow, TrackRow.id == PlayRow.track_id)
            .where(PlayRow.user_id.in_(list(names)), PlayRow.started_at >= since, ~private)
            .subquery()
        )
        rows = self.s.execute(
            select(ranked).where(ranked.c.n == 1).order_by(ranked.c.started_at.desc()).limit(limit)
        )
        return [
            LastPlay(
                r.user_id,
                names[r.user_id],
                r.track_id,
                as_utc(r.started_at),
                r.duration_ms,
                r.finished,
            )
            for r in rows
        ]
