"""Pitches of unreleased tracks to the editors, in SQL; with the editorial playlists that took
each pitched track."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import ArtistRow, ReleaseArtistRow, ReleaseRow, TrackRow
from cadenza.adapters.db.models_artists import PitchRow
from cadenza.adapters.db.models_collection import PlaylistEntryRow, PlaylistRow
from cadenza.domain.artists import ComingRelease, Pitch, PitchDraft, PitchStatus
from cadenza.domain.catalog import as_utc


class SqlPitches:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, release_id: int, draft: PitchDraft, by: str, now: datetime) -> int | None:
        row = PitchRow(
            release_id=release_id,
            track_id=draft.track_id,
            pitched_by=by,
            genres=list(draft.genres),
            moods=list(draft.moods),
            story=draft.story,
            status=PitchStatus.PENDING.value,
            created_at=now,
        )
        try:
            with self.s.begin_nested():
                self.s.add(row)
                self.s.flush()
        except IntegrityError:  # a pitch of this release came first
            return None
        return row.id

    def get(self, pitch_id: int) -> Pitch | None:
        found = self._pitches(self._select().where(PitchRow.id == pitch_id))
        return found[0] if found else None

    def of_release(self, release_id: int) -> Pitch | None:
        found = self._pitches(self._select().where(PitchRow.release_id == release_id))
        return found[0] if found else None

    def of_artists(self, artist_ids: list[int]) -> list[Pitch]:
        if not artist_ids:
            return []
        releases = select(ReleaseArtistRow.release_id).where(
            ReleaseArtistRow.artist_id.in_(artist_ids)
        )
        return self._pitches(
            self._select()
            .where(PitchRow.release_id.in_(releases))
            .order_by(PitchRow.created_at.desc(), PitchRow.id.desc())
            .limit(200)
        )

    def of_distributor(self, distributor_id: int) -> list[Pitch]:
        return self._pitches(
            self._select()
            .where(ReleaseRow.distributor_id == distributor_id)
            .order_by(PitchRow.created_at.desc(), PitchRow.id.desc())
            .limit(200)
        )

    def queue(self, status: PitchStatus | None, limit: int, offset: int) -> list[Pitch]:
        query = self._select().where(ReleaseRow.taken_down_at.is_(None))
        if status is not None:
            query = query.where(PitchRow.status == status.value)
        return self._pitches(
            query.order_by(ReleaseRow.release_at, PitchRow.id).limit(limit).offset(offset)
        )

    def set_status(self, pitch_id: int, status: PitchStatus, now: datetime) -> None:
        self.s.execute(
            update(PitchRow)
            .where(PitchRow.id == pitch_id)
            .values(status=status.value, reviewed_at=now)
        )

    def delivered_at(self, release_id: int) -> datetime | None:
        found = self.s.scalar(select(ReleaseRow.created_at).where(ReleaseRow.id == release_id))
        return as_utc(found) if found else None

    def coming(self, distributor_id: int, now: datetime, limit: int) -> list[ComingRelease]:
        r = ReleaseRow
        rows = self.s.execute(
            select(r.id, r.title, r.release_at, r.created_at)
            .where(
                r.distributor_id == distributor_id,
                r.release_at > as_utc(now),
                r.taken_down_at.is_(None),
            )
            .order_by(r.release_at, r.id)
            .limit(limit)
        )
        return [ComingRelease(i, t, as_utc(at), as_utc(made)) for i, t, at, made in rows]

    @staticmethod
    def _select() -> Any:
        return (
            select(PitchRow, ReleaseRow, TrackRow.title)
            .join(ReleaseRow, ReleaseRow.id == PitchRow.release_id)
            .join(TrackRow, TrackRow.id == PitchRow.track_id)
        )

    def _pitches(self, query: Any) -> list[Pitch]:
        rows = self.s.execute(query).all()
        if not rows:
            return []
        release_ids = [r[1].id for r in rows]
        artists: dict[int, list[str]] = defaultdict(list)
        for release_id, name in self.s.execute(
            select(ReleaseArtistRow.release_id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == ReleaseArtistRow.artist_id)
            .where(ReleaseArtistRow.release_id.in_(release_ids))
            .order_by(ReleaseArtistRow.release_id, ReleaseArtistRow.position)
        ):
            artists[release_id].append(name)
        track_ids = [r[0].track_id for r in rows]
        playlisted: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for track_id, playlist_id, name in self.s.execute(
            select(PlaylistEntryRow.track_id, PlaylistRow.id, PlaylistRow.name)
            .join(PlaylistRow, PlaylistRow.id == PlaylistEntryRow.playlist_id)
            .where(PlaylistRow.editorial.is_(True), PlaylistEntryRow.track_id.in_(track_ids))
            .distinct()
            .order_by(PlaylistRow.name, PlaylistRow.id)
        ):
            playlisted[track_id].append((playlist_id, name))
        return [
            Pitch(
                id=pitch.id,
                release_id=release.id,
                release_title=release.title,
                release_at=as_utc(release.release_at),
                distributor_id=release.distributor_id,
                track_id=pitch.track_id,
                track_title=track_title,
                artists=tuple(artists[release.id]),
                pitched_by=pitch.pitched_by,
                genres=tuple(pitch.genres),
                moods=tuple(pitch.moods),
                story=pitch.story,
                status=PitchStatus(pitch.status),
                created_at=as_utc(pitch.created_at),
                playlisted_in=tuple(playlisted[pitch.track_id]),
            )
            for pitch, release, track_title in rows
        ]
