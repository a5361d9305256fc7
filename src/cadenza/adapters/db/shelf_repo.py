"""The catalog as a shelf (every live release, artist and track, in light rows), and the
ratings Subsonic apps keep, in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import ArtistRow, ReleaseArtistRow, ReleaseRow, TrackRow
from cadenza.adapters.db.models_app_access import AppRatingRow
from cadenza.adapters.db.models_collection import (
    FollowedArtistRow,
    LikedTrackRow,
    SavedReleaseRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.ports.shelf import ShelfRelease, ShelfTrack


class SqlShelf:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _live(self, now: datetime) -> tuple[ColumnElement[bool], ...]:
        return (ReleaseRow.release_at <= now, ReleaseRow.taken_down_at.is_(None))

    def releases(self, now: datetime) -> list[ShelfRelease]:
        first_artist = (
            select(ReleaseArtistRow.release_id, ArtistRow.id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == ReleaseArtistRow.artist_id)
            .where(ReleaseArtistRow.position == 0)
            .subquery()
        )
        rows = self.s.execute(
            select(
                ReleaseRow.id,
                ReleaseRow.title,
                first_artist.c.id,
                first_artist.c.name,
                ReleaseRow.release_at,
                ReleaseRow.territories,
                ReleaseRow.genres,
            )
            .outerjoin(first_artist, first_artist.c.release_id == ReleaseRow.id)
            .where(*self._live(now))
            .order_by(ReleaseRow.id)
        )
        return [
            ShelfRelease(r[0], r[1], r[2], r[3] or "", r[4], tuple(r[5].split()), tuple(r[6] or ()))
            for r in rows
        ]

    def artist_releases(self, now: datetime) -> list[tuple[int, str, int]]:
        rows = self.s.execute(
            select(ArtistRow.id, ArtistRow.name, ReleaseArtistRow.release_id)
            .join(ReleaseArtistRow, ReleaseArtistRow.artist_id == ArtistRow.id)
            .join(ReleaseRow, ReleaseRow.id == ReleaseArtistRow.release_id)
            .where(*self._live(now))
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def tracks(self, now: datetime) -> list[ShelfTrack]:
        rows = self.s.execute(
            select(
                TrackRow.id,
                TrackRow.release_id,
                TrackRow.genres,
                ReleaseRow.genres,
                TrackRow.duration_ms,
                TrackRow.explicit,
            )
            .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .where(*self._live(now))
            .order_by(TrackRow.release_id, TrackRow.disc_number, TrackRow.track_number)
        )
        return [ShelfTrack(r[0], r[1], tuple(r[2] or r[3] or ()), r[4], r[5]) for r in rows]

    def artist_named(self, name: str) -> int | None:
        return self.s.scalar(
            select(ArtistRow.id).where(ArtistRow.name == name).order_by(ArtistRow.id).limit(1)
        )

    def starred(self, user_id: int, kind: str, item_ids: list[int]) -> dict[int, datetime]:
        if not item_ids:
            return {}
        if kind == "track":
            query = select(LikedTrackRow.track_id, LikedTrackRow.added_at).where(
                LikedTrackRow.user_id == user_id, LikedTrackRow.track_id.in_(item_ids)
            )
        elif kind == "release":
            query = select(SavedReleaseRow.release_id, SavedReleaseRow.added_at).where(
                SavedReleaseRow.user_id == user_id, SavedReleaseRow.release_id.in_(item_ids)
            )
        else:
            query = select(FollowedArtistRow.artist_id, FollowedArtistRow.added_at).where(
                FollowedArtistRow.user_id == user_id, FollowedArtistRow.artist_id.in_(item_ids)
            )
        rows = self.s.execute(query)
        return {r[0]: as_utc(r[1]) for r in rows}

    def rate(self, user_id: int, kind: str, item_id: int, rating: int, now: datetime) -> None:
        if rating == 0:
            self.s.execute(
                delete(AppRatingRow).where(
                    AppRatingRow.user_id == user_id,
                    AppRatingRow.kind == kind,
                    AppRatingRow.item_id == item_id,
                )
            )
            return
        values = {
            "user_id": user_id,
            "kind": kind,
            "item_id": item_id,
            "rating": rating,
            "rated_at": now,
        }
        insert = insert_on_conflict(self.s, AppRatingRow).values(**values)
        self.s.execute(
            insert.on_conflict_do_update(
                index_elements=["user_id", "kind", "item_id"],
                set_={"rating": rating, "rated_at": now},
            )
        )

    def ratings(self, user_id: int, kind: str, item_ids: list[int]) -> dict[int, int]:
        if not item_ids:
            return {}
        rows = self.s.execute(
            select(AppRatingRow.item_id, AppRatingRow.rating).where(
                AppRatingRow.user_id == user_id,
                AppRatingRow.kind == kind,
                AppRatingRow.item_id.in_(item_ids),
            )
        )
        return {r[0]: r[1] for r in rows}

    def best_rated(self, user_id: int, kind: str, limit: int) -> list[int]:
        return list(
            self.s.scalars(
                select(AppRatingRow.item_id)
                .where(AppRatingRow.user_id == user_id, AppRatingRow.kind == kind)
                .order_by(AppRatingRow.rating.desc(), AppRatingRow.rated_at.desc())
                .limit(limit)
            )
        )
