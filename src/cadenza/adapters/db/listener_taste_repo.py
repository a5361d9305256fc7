"""One listener's taste and the catalog's popularity by country, per answer (ListenerTaste)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import TrackArtistRow, TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import (
    FollowedArtistRow,
    LikedTrackRow,
    SavedReleaseRow,
)
from cadenza.adapters.db.models_history import HistoryPlayRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.adapters.db.models_recs import DiscoverWeeklyRow
from cadenza.domain.catalog import as_utc
from cadenza.ports.recommendations import SessionPlay, StoredWeek

LIKE_CONFIDENCE = 3.0


class SqlListenerTaste:
    def __init__(self, session: Session) -> None:
        self.s = session

    def heard(self, user_id: int) -> set[int]:
        played = select(PlayRow.track_id).where(PlayRow.user_id == user_id).distinct()
        liked = select(LikedTrackRow.track_id).where(LikedTrackRow.user_id == user_id)
        saved = (
            select(TrackRow.id)
            .join(SavedReleaseRow, SavedReleaseRow.release_id == TrackRow.release_id)
            .where(SavedReleaseRow.user_id == user_id)
        )
        imported = (
            select(HistoryPlayRow.track_id).where(HistoryPlayRow.user_id == user_id).distinct()
        )
        found: set[int] = set()
        for query in (played, imported, liked, saved):
            found.update(int(t) for t in self.s.scalars(query))
        return found

    def history(self, user_id: int, limit: int) -> dict[int, float]:
        plays = self.s.execute(
            select(PlayRow.track_id, func.count())
            .where(PlayRow.user_id == user_id, PlayRow.counted.is_(True))
            .group_by(PlayRow.track_id)
            .order_by(func.count().desc(), PlayRow.track_id)
            .limit(limit)
        )
        found = {int(t): float(n) for t, n in plays}
        imported = self.s.execute(  # history brought from elsewhere counts as plays do here
            select(HistoryPlayRow.track_id, func.count())
            .where(HistoryPlayRow.user_id == user_id)
            .group_by(HistoryPlayRow.track_id)
            .order_by(func.count().desc(), HistoryPlayRow.track_id)
            .limit(limit)
        )
        for track, n in imported:
            found[int(track)] = found.get(int(track), 0.0) + float(n)
        liked = self.s.scalars(
            select(LikedTrackRow.track_id)
            .where(LikedTrackRow.user_id == user_id)
            .order_by(LikedTrackRow.added_at.desc())
            .limit(limit)
        )
        for track in liked:
            found[int(track)] = found.get(int(track), 0.0) + LIKE_CONFIDENCE
        return found

    def followed_artists(self, user_id: int) -> set[int]:
        query = select(FollowedArtistRow.artist_id).where(FollowedArtistRow.user_id == user_id)
        return {int(a) for a in self.s.scalars(query)}

    def counted_plays_reach(self, count: int) -> bool:
        query = select(PlayRow.id).where(PlayRow.counted.is_(True)).limit(1).offset(count - 1)
        return count <= 0 or self.s.scalar(query) is not None

    def popular(self, country: str | None, since: datetime, limit: int) -> list[int]:
        query = (
            select(PlayRow.track_id)
            .where(PlayRow.counted.is_(True), PlayRow.started_at >= since)
            .group_by(PlayRow.track_id)
            .order_by(func.count().desc(), PlayRow.track_id)
            .limit(limit)
        )
        if country is not None:
            query = query.join(UserRow, UserRow.id == PlayRow.user_id).where(
                UserRow.country == country
            )
        return [int(t) for t in self.s.scalars(query)]

    def top_tracks(self, artist_id: int, country: str | None, limit: int) -> list[int]:
        tracks = [int(t) for t in self.s.scalars(_main_tracks(artist_id))]
        if not tracks:
            return []
        counted = (
            select(PlayRow.track_id, func.count())
            .where(PlayRow.counted.is_(True), PlayRow.track_id.in_(tracks))
            .group_by(PlayRow.track_id)
        )
        everywhere = Counter({int(t): int(n) for t, n in self.s.execute(counted)})
        here: Counter[int] = Counter()
        if country is not None:
            local = counted.join(UserRow, UserRow.id == PlayRow.user_id).where(
                UserRow.country == country
            )
            here = Counter({int(t): int(n) for t, n in self.s.execute(local)})
        tracks.sort(key=lambda t: (-here[t], -everywhere[t], t))
        return tracks[:limit]

    def track_artists(self, track_ids: list[int]) -> dict[int, tuple[int, ...]]:
        found: dict[int, list[int]] = {}
        for start in range(0, len(track_ids), 500):
            rows = self.s.execute(
                select(TrackArtistRow.track_id, TrackArtistRow.artist_id)
                .where(TrackArtistRow.track_id.in_(track_ids[start : start + 500]))
                .order_by(
                    TrackArtistRow.track_id, TrackArtistRow.role.desc(), TrackArtistRow.position
                )
            )
            for track, artist in rows:
                found.setdefault(int(track), []).append(int(artist))
        return {t: tuple(a) for t, a in found.items()}

    def artist_tracks(self, artist_id: int, limit: int) -> list[int]:
        return [int(t) for t in self.s.scalars(_main_tracks(artist_id).limit(limit))]

    def session(self, user_id: int, since: datetime, limit: int) -> list[SessionPlay]:
        rows = self.s.execute(
            select(PlayRow.track_id, PlayRow.started_at, PlayRow.counted, PlayRow.skipped)
            .where(PlayRow.user_id == user_id, PlayRow.started_at >= since)
            .order_by(PlayRow.started_at.desc(), PlayRow.id.desc())
            .limit(limit)
        )
        return [
            SessionPlay(int(t), as_utc(at), bool(counted), bool(skipped) and not counted)
            for t, at, counted, skipped in rows
        ]

    def liked_since(self, user_id: int, since: datetime) -> list[int]:
        query = select(LikedTrackRow.track_id).where(
            LikedTrackRow.user_id == user_id, LikedTrackRow.added_at >= since
        )
        return [int(t) for t in self.s.scalars(query.order_by(LikedTrackRow.added_at.desc()))]

    def stored_week(self, user_id: int) -> StoredWeek | None:
        row = self.s.get(DiscoverWeeklyRow, user_id)
        if row is None:
            return None
        tracks = [(int(t), str(reason)) for t, reason in row.tracks]
        return StoredWeek(as_utc(row.week_start), row.basis, tracks)

    def store_week(self, user_id: int, week: StoredWeek) -> None:
        row = self.s.get(DiscoverWeeklyRow, user_id, with_for_update=True)
        tracks: list[list[int | str]] = [[t, reason] for t, reason in week.tracks]
        if row is None:
            self.s.add(
                DiscoverWeeklyRow(
                    user_id=user_id, week_start=week.week_start, basis=week.basis, tracks=tracks
                )
            )
        else:
            row.week_start, row.basis, row.tracks = week.week_start, week.basis, tracks
        self.s.flush()


def _main_tracks(artist_id: int):  # type: ignore[no-untyped-def]
    return (
        select(TrackArtistRow.track_id)
        .where(TrackArtistRow.artist_id == artist_id, TrackArtistRow.role == "main")
        .order_by(TrackArtistRow.track_id)
    )
