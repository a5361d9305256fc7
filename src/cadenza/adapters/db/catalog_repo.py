"""The catalog in SQL: writes at publish time, reads shaped as domain views."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db import playback_reads
from cadenza.adapters.db.models import (
    ArtistRow,
    AudioFileRow,
    CoverImageRow,
    DistributorRow,
    ReleaseArtistRow,
    ReleaseRow,
    TakedownEventRow,
    TrackArtistRow,
    TrackRow,
)
from cadenza.domain.audio import Loudness, Quality
from cadenza.domain.catalog import (
    ArtistRef,
    ArtistView,
    EncodedAudio,
    PublishedTrack,
    ReleaseSpec,
    ReleaseType,
    ReleaseView,
    TakedownEvent,
    TrackToPlay,
    TrackView,
    Viewer,
    as_utc,
    name_key,
)
from cadenza.domain.territories import WORLDWIDE


class SqlCatalog:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- reads -------------------------------------------------------------------------
    def artist(self, artist_id: int) -> ArtistView | None:
        row = self.s.get(ArtistRow, artist_id)
        if row is None:
            return None
        ids = select(ReleaseArtistRow.release_id).where(ReleaseArtistRow.artist_id == artist_id)
        featured = (
            select(TrackRow.release_id)
            .join(TrackArtistRow, TrackArtistRow.track_id == TrackRow.id)
            .where(TrackArtistRow.artist_id == artist_id)
        )
        rows = self.s.scalars(
            select(ReleaseRow)
            .where(or_(ReleaseRow.id.in_(ids), ReleaseRow.id.in_(featured)))
            .order_by(ReleaseRow.release_at.desc())
        ).all()
        own = set(self.s.scalars(ids))
        views = self._releases(list(rows))
        return ArtistView(
            id=row.id,
            name=row.name,
            releases=tuple(v for v in views if v.id in own),
            appears_on=tuple(v for v in views if v.id not in own),
        )

    def release(self, release_id: int) -> ReleaseView | None:
        row = self.s.get(ReleaseRow, release_id)
        if row is None:
            return None
        (view,) = self._releases([row])
        tracks = self.s.scalars(
            select(TrackRow)
            .where(TrackRow.release_id == release_id)
            .order_by(TrackRow.disc_number, TrackRow.track_number, TrackRow.id)
        ).all()
        return _with_tracks(view, self._tracks(list(tracks)))

    def track(self, track_id: int) -> TrackView | None:
        row = self.s.get(TrackRow, track_id)
        return self._tracks([row])[0] if row is not None else None

    def tracks(self, track_ids: list[int]) -> list[TrackView]:
        rows = self.s.scalars(select(TrackRow).where(TrackRow.id.in_(track_ids))).all()
        return self._tracks(list(rows))

    def tracks_to_play(self, track_ids: list[int]) -> list[TrackToPlay]:
        return playback_reads.tracks_to_play(self.s, track_ids)

    def release_tracks_to_play(self, release_id: int) -> list[TrackToPlay]:
        return playback_reads.release_tracks_to_play(self.s, release_id)

    def releases(self, release_ids: list[int]) -> list[ReleaseView]:
        rows = self.s.scalars(select(ReleaseRow).where(ReleaseRow.id.in_(release_ids))).all()
        return self._releases(list(rows))

    def new_releases(self, viewer: Viewer, limit: int, offset: int) -> list[ReleaseView]:
        query = select(ReleaseRow).where(
            ReleaseRow.release_at <= as_utc(viewer.now), ReleaseRow.taken_down_at.is_(None)
        )
        padded = " " + ReleaseRow.territories + " "
        allowed = [padded.like(f"% {WORLDWIDE} %")]
        if viewer.country:
            allowed.append(padded.like(f"% {viewer.country.upper()[:2]} %"))
        query = query.where(or_(*allowed))
        rows = self.s.scalars(
            query.order_by(ReleaseRow.release_at.desc(), ReleaseRow.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return self._releases(list(rows))

    def distributor_releases(
        self, distributor_id: int, limit: int, offset: int
    ) -> list[ReleaseView]:
        rows = self.s.scalars(
            select(ReleaseRow)
            .where(ReleaseRow.distributor_id == distributor_id)
            .order_by(ReleaseRow.created_at.desc(), ReleaseRow.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return self._releases(list(rows))

    def release_by_source(self, distributor_id: int, source_key: str) -> ReleaseView | None:
        row_id = self.s.scalar(
            select(ReleaseRow.id).where(
                ReleaseRow.distributor_id == distributor_id, ReleaseRow.source_key == source_key
            )
        )
        return self.release(row_id) if row_id is not None else None

    def track_sources(self, release_id: int) -> dict[int, str]:
        query = select(TrackRow.id, TrackRow.source_blob).where(TrackRow.release_id == release_id)
        return {row[0]: row[1] for row in self.s.execute(query)}

    def release_id_of_isrc(self, isrc: str) -> int | None:
        return self.s.scalar(select(TrackRow.release_id).where(TrackRow.isrc == isrc))

    def release_id_of_upc(self, upc: str) -> int | None:
        return self.s.scalar(select(ReleaseRow.id).where(ReleaseRow.upc == upc))

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        used = set(self.s.scalars(select(AudioFileRow.blob).where(AudioFileRow.blob.in_(digests))))
        covers = select(CoverImageRow.blob).where(CoverImageRow.blob.in_(digests))
        return used | set(self.s.scalars(covers))

    # -- writes ------------------------------------------------------------------------
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

    def distributor_id(self, name: str) -> int:
        found = self.s.scalar(select(DistributorRow.id).where(DistributorRow.name == name))
        if found is not None:
            return found
        row = DistributorRow(name=name, created_at=datetime.now(UTC))
        self.s.add(row)
        self.s.flush()
        return row.id

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

    def set_taken_down(self, release_id: int, at: datetime | None) -> None:
        self.s.execute(
            update(ReleaseRow).where(ReleaseRow.id == release_id).values(taken_down_at=at)
        )

    def record_takedown(self, event: TakedownEvent) -> None:
        self.s.add(
            TakedownEventRow(
                release_id=event.release_id,
                action=event.action,
                at=event.at,
                actor=event.by,
                reason=event.reason,
            )
        )

    def takedown_history(self, release_id: int) -> list[TakedownEvent]:
        rows = self.s.scalars(
            select(TakedownEventRow)
            .where(TakedownEventRow.release_id == release_id)
            .order_by(TakedownEventRow.id.desc())
        )
        return [
            TakedownEvent(r.release_id, r.action, as_utc(r.at), r.actor, r.reason) for r in rows
        ]

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
        row.source_blob, row.source_format = track.source_blob, track.source_format
        self.s.flush()
        self._replace_track_links(row.id, spec.artists, spec.featured_artists, track.files)
        return row.id

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

    # -- helpers -----------------------------------------------------------------------
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

    def _release_artists(self, ids: list[int]) -> dict[int, list[ArtistRef]]:
        refs: dict[int, list[ArtistRef]] = defaultdict(list)
        query = (
            select(ReleaseArtistRow.release_id, ArtistRow.id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == ReleaseArtistRow.artist_id)
            .where(ReleaseArtistRow.release_id.in_(ids))
            .order_by(ReleaseArtistRow.release_id, ReleaseArtistRow.position)
        )
        for release_id, artist_id, name in self.s.execute(query):
            refs[release_id].append(ArtistRef(artist_id, name))
        return refs

    def _track_artists(self, ids: list[int]) -> dict[int, list[tuple[str, ArtistRef]]]:
        refs: dict[int, list[tuple[str, ArtistRef]]] = defaultdict(list)
        query = (
            select(TrackArtistRow.track_id, TrackArtistRow.role, ArtistRow.id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == TrackArtistRow.artist_id)
            .where(TrackArtistRow.track_id.in_(ids))
            .order_by(TrackArtistRow.track_id, TrackArtistRow.position)
        )
        for track_id, role, artist_id, name in self.s.execute(query):
            refs[track_id].append((role, ArtistRef(artist_id, name)))
        return refs

    def _releases(self, rows: list[ReleaseRow]) -> list[ReleaseView]:
        ids = [r.id for r in rows]
        artists = self._release_artists(ids)
        covers: dict[int, dict[int, str]] = defaultdict(dict)
        if ids:
            for c in self.s.scalars(select(CoverImageRow).where(CoverImageRow.release_id.in_(ids))):
                covers[c.release_id][c.size_px] = c.blob
        return [
            ReleaseView(
                id=r.id,
                distributor_id=r.distributor_id,
                title=r.title,
                release_type=ReleaseType(r.release_type),
                upc=r.upc,
                label=r.label,
                release_at=as_utc(r.release_at),
                territories=tuple(r.territories.split()),
                explicit=r.explicit,
                copyright_lines=tuple(r.copyright_lines),
                genres=tuple(r.genres),
                artists=tuple(artists[r.id]),
                covers=covers[r.id],
                loudness=_loudness(r.loudness_lufs, r.true_peak_dbtp),
                taken_down_at=as_utc(r.taken_down_at) if r.taken_down_at else None,
            )
            for r in rows
        ]

    def _tracks(self, rows: list[TrackRow]) -> list[TrackView]:
        ids = [t.id for t in rows]
        artists = self._track_artists(ids)
        files: dict[int, list[EncodedAudio]] = defaultdict(list)
        if ids:
            for f in self.s.scalars(select(AudioFileRow).where(AudioFileRow.track_id.in_(ids))):
                files[f.track_id].append(
                    EncodedAudio(Quality(f.quality), f.blob, f.size, f.bitrate_kbps)
                )
        order = list(Quality)
        return [
            TrackView(
                id=t.id,
                release_id=t.release_id,
                title=t.title,
                isrc=t.isrc,
                artists=tuple(a for role, a in artists[t.id] if role == "main"),
                featured_artists=tuple(a for role, a in artists[t.id] if role == "featured"),
                disc_number=t.disc_number,
                track_number=t.track_number,
                duration_ms=t.duration_ms,
                explicit=t.explicit,
                genres=tuple(t.genres),
                loudness=Loudness(t.loudness_lufs, t.true_peak_dbtp),
                files=tuple(sorted(files[t.id], key=lambda f: order.index(f.quality))),
            )
            for t in rows
        ]


def _loudness(lufs: float | None, peak: float | None) -> Loudness | None:
    return Loudness(lufs, peak) if lufs is not None and peak is not None else None


def _with_tracks(view: ReleaseView, tracks: list[TrackView]) -> ReleaseView:
    return replace(view, tracks=tuple(tracks))
