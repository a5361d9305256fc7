"""Blends in SQL: members, tracks with whose taste each came from, invites; and the counted
signals (plays, likes, follows, streams) that make a member's taste without a model."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import ReleaseRow, TrackArtistRow, TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import FollowedArtistRow, LikedTrackRow
from cadenza.adapters.db.models_listening import PlayRow, TrackStreamsRow
from cadenza.adapters.db.models_social import (
    BlendInviteRow,
    BlendMemberRow,
    BlendRow,
    BlendTrackRow,
)
from cadenza.domain.blends import Blend, BlendTrack, Member
from cadenza.domain.catalog import as_utc

M = BlendMemberRow
PLAYS_READ = 5_000  # the latest counted plays a taste is made of


class SqlBlends:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- invites -------------------------------------------------------------------------
    def add_invite(self, token_hash: str, inviter_id: int, now: datetime) -> None:
        self.s.add(BlendInviteRow(token_hash=token_hash, inviter_id=inviter_id, created_at=now))
        self.s.flush()

    def invite(self, token_hash: str) -> tuple[int, datetime, datetime | None] | None:
        row = self.s.get(BlendInviteRow, token_hash)
        if row is None:
            return None
        used = as_utc(row.used_at) if row.used_at else None
        return row.inviter_id, as_utc(row.created_at), used

    def use_invite(self, token_hash: str, now: datetime) -> bool:
        done = self.s.execute(
            update(BlendInviteRow)
            .where(BlendInviteRow.token_hash == token_hash, BlendInviteRow.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(getattr(done, "rowcount", 0) == 1)

    # -- Blends --------------------------------------------------------------------------
    def create(self, member_ids: list[int], match_score: int, now: datetime) -> int:
        row = BlendRow(created_at=now, refreshed_at=now, match_score=match_score)
        self.s.add(row)
        self.s.flush()
        for user_id in member_ids:
            self.s.add(M(blend_id=row.id, user_id=user_id, joined_at=now))
        self.s.flush()
        return row.id

    def get(self, blend_id: int) -> Blend | None:
        found = self._blends([blend_id])
        return found[0] if found else None

    def of_member(self, user_id: int) -> list[Blend]:
        ids = list(self.s.scalars(select(M.blend_id).where(M.user_id == user_id)))
        return sorted(self._blends(ids), key=lambda b: (b.created_at, b.id), reverse=True)

    def _blends(self, ids: list[int]) -> list[Blend]:
        if not ids:
            return []
        members: dict[int, list[Member]] = defaultdict(list)
        for blend_id, user_id, name in self.s.execute(
            select(M.blend_id, UserRow.id, UserRow.display_name)
            .join(UserRow, UserRow.id == M.user_id)
            .where(M.blend_id.in_(ids))
            .order_by(M.blend_id, M.joined_at, UserRow.id)
        ):
            members[blend_id].append(Member(user_id, name))
        rows = self.s.scalars(select(BlendRow).where(BlendRow.id.in_(ids)))
        return [
            Blend(
                r.id,
                tuple(members[r.id]),
                r.match_score,
                as_utc(r.created_at),
                as_utc(r.refreshed_at),
            )
            for r in rows
        ]

    def is_member(self, blend_id: int, user_id: int) -> bool:
        return self.s.get(M, (blend_id, user_id)) is not None

    def tracks(self, blend_id: int) -> list[BlendTrack]:
        rows = self.s.execute(
            select(BlendTrackRow.track_id, BlendTrackRow.member_id)
            .where(BlendTrackRow.blend_id == blend_id)
            .order_by(BlendTrackRow.position)
        )
        return [BlendTrack(t, m) for t, m in rows]

    def replace_tracks(
        self, blend_id: int, tracks: list[BlendTrack], match_score: int, now: datetime
    ) -> None:
        self.s.execute(delete(BlendTrackRow).where(BlendTrackRow.blend_id == blend_id))
        self.s.add_all(
            BlendTrackRow(blend_id=blend_id, position=n, track_id=t.track_id, member_id=t.member_id)
            for n, t in enumerate(tracks)
        )
        self.s.execute(
            update(BlendRow)
            .where(BlendRow.id == blend_id)
            .values(refreshed_at=now, match_score=match_score)
        )
        self.s.flush()

    def stale(self, now: datetime) -> list[int]:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return list(
            self.s.scalars(
                select(BlendRow.id).where(BlendRow.refreshed_at < midnight).order_by(BlendRow.id)
            )
        )

    def leave(self, blend_id: int, user_id: int) -> int:
        self.s.execute(delete(M).where(M.blend_id == blend_id, M.user_id == user_id))
        return self.s.scalar(select(func.count()).where(M.blend_id == blend_id)) or 0

    def delete(self, blend_id: int) -> None:
        self.s.execute(delete(BlendRow).where(BlendRow.id == blend_id))

    # -- what a member's taste is made of ------------------------------------------------
    def listening_of(self, user_id: int) -> tuple[dict[int, int], set[int], set[int]]:
        latest = (
            select(PlayRow.track_id)
            .where(PlayRow.user_id == user_id, PlayRow.counted.is_(True))
            .order_by(PlayRow.started_at.desc())
            .limit(PLAYS_READ)
            .subquery()
        )
        plays: dict[int, int] = dict(
            self.s.execute(
                select(latest.c.track_id, func.count()).group_by(latest.c.track_id)
            ).all()
        )
        liked = set(
            self.s.scalars(select(LikedTrackRow.track_id).where(LikedTrackRow.user_id == user_id))
        )
        followed = set(
            self.s.scalars(
                select(FollowedArtistRow.artist_id).where(FollowedArtistRow.user_id == user_id)
            )
        )
        return plays, liked, followed

    def track_facts(
        self, track_ids: list[int]
    ) -> dict[int, tuple[tuple[int, ...], tuple[str, ...], int]]:
        if not track_ids:
            return {}
        artists: dict[int, list[int]] = defaultdict(list)
        for track_id, artist_id in self.s.execute(
            select(TrackArtistRow.track_id, TrackArtistRow.artist_id)
            .where(TrackArtistRow.track_id.in_(track_ids), TrackArtistRow.role == "main")
            .order_by(TrackArtistRow.track_id, TrackArtistRow.position)
        ):
            artists[track_id].append(artist_id)
        found = {}
        for track_id, genres, release_genres, streams in self.s.execute(
            select(TrackRow.id, TrackRow.genres, ReleaseRow.genres, TrackStreamsRow.streams)
            .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .outerjoin(TrackStreamsRow, TrackStreamsRow.track_id == TrackRow.id)
            .where(TrackRow.id.in_(track_ids))
        ):
            folded = dict.fromkeys(g.casefold() for g in [*(genres or []), *(release_genres or [])])
            found[track_id] = (tuple(artists[track_id]), tuple(folded), int(streams or 0))
        return found

    def tracks_by_artists(self, artist_ids: list[int], per_artist: int) -> list[int]:
        found: list[int] = []
        for artist_id in artist_ids:
            found += self.s.scalars(
                select(TrackRow.id)
                .join(TrackArtistRow, TrackArtistRow.track_id == TrackRow.id)
                .outerjoin(TrackStreamsRow, TrackStreamsRow.track_id == TrackRow.id)
                .where(TrackArtistRow.artist_id == artist_id)
                .order_by(func.coalesce(TrackStreamsRow.streams, 0).desc(), TrackRow.id)
                .limit(per_artist)
            )
        return list(dict.fromkeys(found))

    def popular_tracks(self, limit: int) -> list[int]:
        found = list(
            self.s.scalars(
                select(TrackStreamsRow.track_id)
                .order_by(TrackStreamsRow.streams.desc(), TrackStreamsRow.track_id)
                .limit(limit)
            )
        )
        if len(found) < limit:  # a server with few streams yet: its newest tracks too
            newest = self.s.scalars(select(TrackRow.id).order_by(TrackRow.id.desc()).limit(limit))
            found = list(dict.fromkeys([*found, *newest]))[:limit]
        return found
