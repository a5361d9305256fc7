"""Release Radar in SQL: new songs by artists, and each listener's radar of the week."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import ReleaseRow, TrackArtistRow, TrackRow
from cadenza.adapters.db.models_discovery import ReleaseRadarRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.release_radar import NewSong


class SqlReleaseRadar:
    def __init__(self, session: Session) -> None:
        self.s = session

    def new_songs(self, artist_ids: list[int], since: datetime, until: datetime) -> list[NewSong]:
        if not artist_ids:
            return []
        theirs = select(TrackArtistRow.track_id).where(TrackArtistRow.artist_id.in_(artist_ids))
        rows = self.s.execute(
            select(
                TrackRow.id, TrackRow.release_id, ReleaseRow.release_at, TrackArtistRow.artist_id
            )
            .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .join(TrackArtistRow, TrackArtistRow.track_id == TrackRow.id)
            .where(
                TrackRow.id.in_(theirs),
                ReleaseRow.release_at >= as_utc(since),
                ReleaseRow.release_at <= as_utc(until),
                ReleaseRow.taken_down_at.is_(None),
            )
            .order_by(
                TrackRow.release_id,
                TrackRow.disc_number,
                TrackRow.track_number,
                TrackRow.id,
                TrackArtistRow.position,
            )
        ).all()
        songs: dict[int, NewSong] = {}
        for track_id, release_id, release_at, artist_id in rows:
            found = songs.get(track_id)
            artists = (*found.artist_ids, artist_id) if found else (artist_id,)
            songs[track_id] = NewSong(track_id, release_id, as_utc(release_at), artists)
        return list(songs.values())

    def kept(self, user_id: int) -> tuple[datetime, list[int]] | None:
        row = self.s.get(ReleaseRadarRow, user_id)
        if row is None:
            return None
        return as_utc(row.week), [int(t) for t in row.track_ids]

    def keep(self, user_id: int, week: datetime, track_ids: list[int], now: datetime) -> None:
        values = {"week": week, "track_ids": track_ids, "made_at": now}
        self.s.execute(
            insert_on_conflict(self.s, ReleaseRadarRow)
            .values(user_id=user_id, **values)
            .on_conflict_do_update(index_elements=["user_id"], set_=values)
        )
