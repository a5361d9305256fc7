"""What distributors deliver, in SQL: releases by ISRC and UPC, saved and replaced."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import (
    ArtistRow,
    AudioFileRow,
    CoverImageRow,
    DistributorRow,
    ReleaseArtistRow,
    ReleaseRow,
    TrackArtistRow,
    TrackLyricsRow,
    TrackRow,
)
from cadenza.domain.audio import Loudness
from cadenza.domain.catalog import EncodedAudio, PublishedTrack, ReleaseSpec, as_utc, name_key
from cadenza.domain.lyrics import Lyrics
from cadenza.ports.catalog import TrackSource


class SqlSupply:
    def __init__(self, session: Session) -> None:
        self.s = session

    def distributor_id(self, name: str) -> int:
        found = self.s.scalar(select(DistributorRow.id).where(DistributorRow.name == name))
        if found is not None:
            return found
        row = DistributorRow(name=name, created_at=datetime.now(UTC))
        self.s.add(row)
        self.s.flush()
        return row.id

    def distributor_of_account(self, account_id: int, name: str) -> int:
        """The catalog distributor this account delivers as, linked on first use."""
        found = self.s.scalar(
            select(DistributorRow.id).where(DistributorRow.account_id == account_id)
        )
        if found is not None:
            return found
        distributor_id = self.distributor_id(name)
        row = self.s.get(DistributorRow, distributor_id)
        assert row is not None
        if row.account_id is not None:  # the name belongs to another account: keep them apart
            distributor_id = self.distributor_id(f"{name} ({account_id})")
            row = self.s.get(DistributorRow, distributor_id)
            assert row is not None
        row.account_id = account_id
        self.s.flush()
        return distributor_id

    def track_sources(self, release_id: int) -> dict[int, TrackSource]:
        query = select(TrackRow.id, TrackRow.source_blob, TrackRow.source_format).where(
            TrackRow.release_id == release_id
        )
        return {row[0]: TrackSource(row[1], row[2]) for row in self.s.execute(query)}

    def release_id_of_isrc(self, isrc: str) -> int | None:
        return self.s.scalar(select(TrackRow.release_id).where(TrackRow.isrc == isrc))

    def release_id_of_upc(self, upc: str) -> int | None:
        return self.s.scalar(select(ReleaseRow.id).where(ReleaseRow.upc == upc))

    def save_release(
        self,
        distributor_id: int,
        source_key: str,
        spec: ReleaseSpec,
        covers: dict[int, str],
        loudness: Loudness | None,
    ) -> int:
        now = datetime.now(UTC)
        row = self.s.scalar(
            select(ReleaseRow).where(
                ReleaseRow.distributor_id == distributor_id, ReleaseRow.source_key == source_key
            )
        )
        if row is None:
            row = ReleaseRow(distributor_id=distributor_id, source_key=source_key, created_at=now)
            self.s.add(row)
        row.title, row.release_type, row.upc = spec.title, spec.release_type.value, spec.upc
        row.label, row.release_at, row.explicit = spec.label, as_utc(spec.release_at), spec.explicit
        row.premium_only = spec.premium_only
        row.territories = " ".join(spec.territories)
        row.copyright_lines, row.genres = list(spec.copyright_lines), list(spec.genres)
        row.loudness_lufs = loudness.integrated_lufs if loudness else None
        row.true_peak_dbtp = loudness.true_peak_dbtp if loudness else None
        row.updated_at = now
        self.s.flush()
        self.s.execute(delete(ReleaseArtistRow).where(ReleaseArtistRow.release_id == row.id))
        for position, artist_id in enumerate(self._artist_ids(spec.artists)):
            self.s.add(ReleaseArtistRow(release_id=row.id, artist_id=artist_id, position=position))
        self.s.execute(delete(CoverImageRow).where(CoverImageRow.release_id == row.id))
        for size, blob in covers.items():
            self.s.add(CoverImageRow(release_id=row.id, size_px=size, blob=blob))
        self.s.flush()
        return row.id

    def save_track(self, release_id: int, track: PublishedTrack, taken: set[int]) -> int:
        """Update the release's matching track (same ISRC, same source file, or same position,
        in that order, skipping the ids in `taken`) or add one."""
        spec = track.spec
        row = self._matching_track(release_id, track, taken)
        if spec.isrc and (row is None or row.isrc != spec.isrc):  # an ISRC moving within it
            self.s.execute(
                update(TrackRow)
                .where(TrackRow.release_id == release_id, TrackRow.isrc == spec.isrc)
                .values(isrc=None)
            )
        if row is None:
            row = TrackRow(release_id=release_id)
            self.s.add(row)
        row.title, row.isrc, row.explicit = spec.title, spec.isrc, spec.explicit
        row.disc_number, row.track_number = spec.disc_number, spec.track_number
        row.duration_ms, row.genres = track.duration_ms, list(spec.genres)
        row.loudness_lufs = track.loudness.integrated_lufs
        row.true_peak_dbtp = track.loudness.true_peak_dbtp
        if track.tempo_bpm is not None:  # the same file again is not measured again
            row.tempo_bpm = track.tempo_bpm
        row.source_blob, row.source_format = track.source_blob, track.source_format
        self.s.flush()
        self._replace_track_links(row.id, spec.artists, spec.featured_artists, track.files)
        self._save_lyrics(row.id, spec.lyrics)
        return row.id

    def _save_lyrics(self, track_id: int, lyrics: Lyrics | None) -> None:
        row = self.s.get(TrackLyricsRow, track_id)
        if lyrics is None:
            if row is not None:
                self.s.delete(row)
            return
        if row is None:
            row = TrackLyricsRow(track_id=track_id)
            self.s.add(row)
        row.text, row.synced = lyrics.stored(), lyrics.synced

    def _matching_track(
        self, release_id: int, track: PublishedTrack, taken: set[int]
    ) -> TrackRow | None:
        spec = track.spec
        conditions = [TrackRow.source_blob == track.source_blob]
        if spec.isrc:
            conditions.insert(0, TrackRow.isrc == spec.isrc)
        conditions.append(
            (TrackRow.disc_number == spec.disc_number)
            & (TrackRow.track_number == spec.track_number)
        )
        for condition in conditions:
            query = select(TrackRow).where(TrackRow.release_id == release_id, condition)
            if taken:
                query = query.where(TrackRow.id.not_in(taken))
            row = self.s.scalars(query.order_by(TrackRow.id).limit(1)).first()
            if row is not None:
                return row
        return None

    def remove_tracks_except(self, release_id: int, keep: set[int]) -> None:
        self.s.execute(
            delete(TrackRow).where(TrackRow.release_id == release_id, TrackRow.id.not_in(keep))
        )

    def _replace_track_links(
        self, track_id: int, main: list[str], featured: list[str], files: tuple[EncodedAudio, ...]
    ) -> None:
        self.s.execute(delete(TrackArtistRow).where(TrackArtistRow.track_id == track_id))
        self.s.execute(delete(AudioFileRow).where(AudioFileRow.track_id == track_id))
        seen: set[int] = set()
        roles = [("main", a) for a in self._artist_ids(main)]
        roles += [("featured", a) for a in self._artist_ids(featured)]
        for position, (role, artist_id) in enumerate(roles):
            if artist_id not in seen:
                seen.add(artist_id)
                self.s.add(
                    TrackArtistRow(
                        track_id=track_id, artist_id=artist_id, role=role, position=position
                    )
                )
        for f in files:
            self.s.add(
                AudioFileRow(
                    track_id=track_id,
                    quality=f.quality.value,
                    blob=f.blob,
                    size=f.size,
                    bitrate_kbps=f.bitrate_kbps,
                )
            )
        self.s.flush()

    def _artist_ids(self, names: list[str]) -> list[int]:
        ids: list[int] = []
        for name in names:
            key = name_key(name)
            found = self.s.scalar(select(ArtistRow.id).where(ArtistRow.name_key == key))
            if found is None:
                row = ArtistRow(name=name.strip(), name_key=key, created_at=datetime.now(UTC))
                self.s.add(row)
                self.s.flush()
                found = row.id
            if found not in ids:
                ids.append(found)
        return ids
