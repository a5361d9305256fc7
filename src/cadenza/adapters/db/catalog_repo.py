"""The catalog in SQL, as listeners read it: artists, releases and tracks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cadenza.adapters.db import playback_reads
from cadenza.adapters.db.models import (
    ArtistRow,
    AudioFileRow,
    CoverImageRow,
    ReleaseArtistRow,
    ReleaseRow,
    TrackArtistRow,
    TrackLyricsRow,
    TrackRow,
)
from cadenza.domain.audio import Loudness, Quality
from cadenza.domain.catalog import (
    ArtistRef,
    ArtistView,
    EncodedAudio,
    ReleaseType,
    ReleaseView,
    TrackToPlay,
    TrackView,
    Viewer,
    as_utc,
)
from cadenza.domain.lyrics import Lyrics, parse_lyrics
from cadenza.domain.territories import WORLDWIDE


class SqlCatalog:
    def __init__(self, session: Session) -> None:
        self.s = session

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

    def lyrics(self, track_id: int) -> Lyrics | None:
        row = self.s.get(TrackLyricsRow, track_id)
        return parse_lyrics(row.text) if row is not None else None

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

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        used = set(self.s.scalars(select(AudioFileRow.blob).where(AudioFileRow.blob.in_(digests))))
        covers = select(CoverImageRow.blob).where(CoverImageRow.blob.in_(digests))
        return used | set(self.s.scalars(covers))

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
