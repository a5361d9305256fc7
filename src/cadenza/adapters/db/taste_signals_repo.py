"""Every listener's signals, read in bulk for training (TasteSignals)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import ReleaseRow, TrackArtistRow, TrackRow
from cadenza.adapters.db.models_collection import (
    FollowedArtistRow,
    LikedTrackRow,
    PlaylistEntryRow,
    SavedReleaseRow,
)
from cadenza.adapters.db.models_history import HistoryPlayRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.domain.catalog import as_utc
from cadenza.ports.recommendations import TrackFeatures

BATCH = 10_000


class SqlTasteSignals:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _rows(self, query: Any) -> Iterator[Any]:
        yield from self.s.execute(query.execution_options(yield_per=BATCH))

    def counted_plays(self) -> Iterator[tuple[int, int, int]]:
        query = (
            select(PlayRow.user_id, PlayRow.track_id, func.count())
            .where(PlayRow.counted.is_(True))
            .group_by(PlayRow.user_id, PlayRow.track_id)
        )
        for user, track, plays in self._rows(query):
            yield int(user), int(track), int(plays)

    def imported_plays(self) -> Iterator[tuple[int, int, int]]:
        query = select(HistoryPlayRow.user_id, HistoryPlayRow.track_id, func.count()).group_by(
            HistoryPlayRow.user_id, HistoryPlayRow.track_id
        )
        for user, track, plays in self._rows(query):
            yield int(user), int(track), int(plays)

    def early_skips(self) -> Iterator[tuple[int, int, int]]:
        query = (
            select(PlayRow.user_id, PlayRow.track_id, func.count())
            .where(PlayRow.skipped.is_(True), PlayRow.counted.is_(False))
            .group_by(PlayRow.user_id, PlayRow.track_id)
        )
        for user, track, skips in self._rows(query):
            yield int(user), int(track), int(skips)

    def liked(self) -> Iterator[tuple[int, int]]:
        for user, track in self._rows(select(LikedTrackRow.user_id, LikedTrackRow.track_id)):
            yield int(user), int(track)

    def saved_release_tracks(self) -> Iterator[tuple[int, int]]:
        query = select(SavedReleaseRow.user_id, TrackRow.id).join(
            TrackRow, TrackRow.release_id == SavedReleaseRow.release_id
        )
        for user, track in self._rows(query):
            yield int(user), int(track)

    def followed_artist_tracks(self) -> Iterator[tuple[int, int]]:
        query = select(FollowedArtistRow.user_id, TrackArtistRow.track_id).join(
            TrackArtistRow, TrackArtistRow.artist_id == FollowedArtistRow.artist_id
        )
        for user, track in self._rows(query.where(TrackArtistRow.role == "main")):
            yield int(user), int(track)

    def playlist_adds(self) -> Iterator[tuple[int, int]]:
        query = select(PlaylistEntryRow.added_by, PlaylistEntryRow.track_id).where(
            PlaylistEntryRow.added_by.is_not(None)
        )
        for user, track in self._rows(query):
            yield int(user), int(track)

    def track_features(self) -> Iterator[TrackFeatures]:
        artists: dict[int, list[int]] = defaultdict(list)
        ordered = select(TrackArtistRow.track_id, TrackArtistRow.artist_id).order_by(
            TrackArtistRow.track_id, TrackArtistRow.role.desc(), TrackArtistRow.position
        )  # "main" sorts after "featured": descending puts the main artists first
        for track, artist in self._rows(ordered):
            artists[int(track)].append(int(artist))
        query = (
            select(
                TrackRow.id,
                TrackRow.genres,
                ReleaseRow.genres,
                ReleaseRow.release_at,
                TrackRow.loudness_lufs,
                TrackRow.tempo_bpm,
            )
            .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .order_by(TrackRow.id)
        )
        for track, genres, release_genres, release_at, lufs, bpm in self._rows(query):
            folded = dict.fromkeys(g.casefold() for g in [*(genres or []), *(release_genres or [])])
            yield TrackFeatures(
                track_id=int(track),
                artist_ids=tuple(artists.get(int(track), ())),
                genres=tuple(folded),
                year=as_utc(release_at).year if release_at is not None else None,
                loudness_lufs=float(lufs) if lufs is not None else None,
                tempo_bpm=float(bpm) if bpm is not None else None,
            )
