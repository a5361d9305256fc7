"""One release through the stages: read -> validate -> tags -> loudness -> transcode -> store -> publish.

`start` reads and describes the release and hands its tracks to the worker pool; `finish` waits for
them, stores what they made and publishes. Starting the next release before finishing this one keeps
every core busy.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from cadenza.domain.catalog import (
    PublishedTrack,
    ReleaseSpec,
    TrackView,
    name_key,
    short_key,
)
from cadenza.domain.errors import CadenzaError, InvalidDelivery
from cadenza.ingest.describe import DescribedTrack, describe_release, sort_by_tags
from cadenza.ingest.encode import EncodedTrack, EncodeJob, encode_track
from cadenza.ingest.manifest import Manifest, read_manifest
from cadenza.ingest.publish import (
    LibraryRecord,
    Publication,
    check_owner,
    check_unique_isrcs,
    publish,
)
from cadenza.ingest.source import lrc_beside
from cadenza.ingest.store import StoredBlobs
from cadenza.ports.audio import AudioProbe, CoverArt, CoverImages, TagReader, Tags, Transcoder
from cadenza.ports.blobs import BlobStore
from cadenza.ports.unit_of_work import UnitOfWork

Progress = Callable[[int], None]  # called with the number of tracks just finished


@dataclass
class IngestTools:
    probe: AudioProbe
    tags: TagReader
    transcoder: Transcoder
    covers: CoverArt
    blobs: BlobStore
    uow: Callable[[], UnitOfWork]
    pool: Executor
    work_dir: Path
    max_tag_chars: int = 1000


@dataclass
class ReleaseSource:
    """One release to ingest: a delivery folder, or one album found in a library."""

    name: str
    files: list[Path]
    manifest: Path | None = None
    cover: Path | None = None
    atomic: bool = True  # any bad file refuses the whole release
    min_cover_px: int = 1  # 640 for a distributor's delivery
    cover_required: bool = False
    distributor_id: int = 0
    records: dict[Path, tuple[int, int]] = field(default_factory=dict)  # path -> (size, mtime_ns)
    tags: dict[Path, Tags] = field(default_factory=dict)  # tags already read while grouping
    album_key: str | None = None  # for a library album grouped by tags
    delivered_at: datetime | None = None  # a delivery's date when it gives none of its own
    stated: Manifest | None = None  # what a DDEX message states, in place of release.json
    source_key: str | None = None  # which release this is, when the delivery names it (DDEX)


@dataclass(frozen=True)
class IngestedRelease:
    release_id: int
    track_ids: list[int]
    title: str
    refused: list[tuple[str, CadenzaError]]
    decoded: int = 0  # tracks decoded and encoded; the others kept their stored encodes


@dataclass
class StartedRelease:
    """A release whose tracks are with the workers."""

    source: ReleaseSource
    release: ReleaseSpec
    tracks: list[DescribedTrack]
    source_key: str
    reusable: dict[str, tuple[TrackView, str]]  # source sha256 -> the track and its format
    futures: list[Future[EncodedTrack]]
    work: Path
    cover: CoverImages  # checked at start, stored only once the tracks are good
    refused: list[tuple[str, CadenzaError]]


class ReleaseIngest:
    def __init__(self, tools: IngestTools) -> None:
        self.t = tools

    def run(self, source: ReleaseSource, progress: Progress | None = None) -> IngestedRelease:
        return self.finish(self.start(source), progress)

    def start(self, source: ReleaseSource) -> StartedRelease:
        """Stages read (done by the caller), tags and cover; then hand tracks to the workers."""
        tags, refused = self._read_tags(source)
        manifest = source.stated or (
            read_manifest(source.manifest, self.t.max_tag_chars) if source.manifest else None
        )
        files = sort_by_tags([p for p in source.files if p in tags], tags)
        if not files:
            raise refused[0][1] if refused else InvalidDelivery("no audio", code="no_audio")
        release, tracks = describe_release(files, tags, manifest, source.name, source.delivered_at)
        source_key = source.source_key or _source_key(release)
        cover = self._cover(source, tags, release)
        check_unique_isrcs([t.spec for t in tracks])
        reusable = self._existing(source.distributor_id, source_key, release, tracks)
        work = self.t.work_dir / uuid.uuid4().hex
        futures = [
            self.t.pool.submit(
                encode_track,
                EncodeJob(
                    t.path, work / str(i), self.t.probe, self.t.transcoder, frozenset(reusable)
                ),
            )
            for i, t in enumerate(tracks)
        ]
        return StartedRelease(
            source, release, tracks, source_key, reusable, futures, work, cover, refused
        )

    def finish(self, p: StartedRelease, progress: Progress | None = None) -> IngestedRelease:
        """Wait for the workers, then stages store and publish; on failure take everything back."""
        stored = StoredBlobs(self.t.blobs)
        try:
            published, kept = self._collect(p, stored, progress)
            covers = stored.store_cover(p.cover)
            release_id, track_ids = publish(
                self.t.uow,
                Publication(
                    p.source.distributor_id,
                    p.source_key,
                    p.release,
                    covers,
                    published,
                    replace_tracks=p.source.atomic,
                    records=self._records(p, kept),
                ),
            )
        except BaseException:
            for future in p.futures:
                future.cancel()
            wait(p.futures)  # running workers finish writing before their folder goes
            self._take_back(stored)
            raise
        finally:
            shutil.rmtree(p.work, ignore_errors=True)
        decoded = sum(
            1 for f in p.futures if f.exception() is None and f.result().result is not None
        )
        return IngestedRelease(release_id, track_ids, p.release.title, p.refused, decoded)

    # -- stages ------------------------------------------------------------------------
    def _read_tags(
        self, source: ReleaseSource
    ) -> tuple[dict[Path, Tags], list[tuple[str, CadenzaError]]]:
        tags: dict[Path, Tags] = {}
        refused: list[tuple[str, CadenzaError]] = []
        for path in source.files:
            try:
                tags[path] = _with_lrc(path, source.tags.get(path) or self.t.tags.read(path))
            except InvalidDelivery as exc:
                exc.file = exc.file or path.name
                if source.atomic:
                    raise
                refused.append((str(path), exc))
        return tags, refused

    def _cover(
        self, source: ReleaseSource, tags: dict[Path, Tags], release: ReleaseSpec
    ) -> CoverImages:
        """The delivery's cover, checked. A library album whose cover is unusable gets the
        generated one rather than being refused; a distributor's delivery is refused."""
        try:
            return self.t.covers.prepare(
                self._cover_bytes(source, tags, release), min_px=source.min_cover_px
            )
        except InvalidDelivery as exc:
            if source.cover_required:
                exc.file = exc.file or (source.cover.name if source.cover else "embedded cover")
                raise
            placeholder = self.t.covers.placeholder(release.title, ", ".join(release.artists))
            return self.t.covers.prepare(placeholder, min_px=1)

    def _cover_bytes(
        self, source: ReleaseSource, tags: dict[Path, Tags], release: ReleaseSpec
    ) -> bytes:
        if source.cover is not None:
            return source.cover.read_bytes()
        embedded = next((t.cover for t in tags.values() if t.cover), None)
        if embedded is not None:
            return embedded
        if source.cover_required:
            raise InvalidDelivery(
                "the delivery has no cover image (cover.jpg or cover.png, at least "
                f"{source.min_cover_px}x{source.min_cover_px})",
                code="cover_missing",
                file=source.name,
            )
        return self.t.covers.placeholder(release.title, ", ".join(release.artists))

    def _existing(
        self,
        distributor_id: int,
        source_key: str,
        release: ReleaseSpec,
        tracks: list[DescribedTrack],
    ) -> dict[str, tuple[TrackView, str]]:
        """Refuse early a UPC or ISRC owned elsewhere; return the tracks already published for
        this release (with their source's format) by the sha256 of their source, whose stored
        figures and encodes are reused without decoding the file again."""
        with self.t.uow() as uow:
            existing = uow.catalog.release_by_source(distributor_id, source_key)
            check_owner(uow, release, [t.spec for t in tracks], existing.id if existing else None)
            if existing is None:
                return {}
            sources = uow.supply.track_sources(existing.id)
            return {
                sources[t.id].sha256: (t, sources[t.id].format)
                for t in existing.tracks
                if t.id in sources
            }

    def _collect(
        self, p: StartedRelease, stored: StoredBlobs, progress: Progress | None
    ) -> tuple[list[PublishedTrack], list[int]]:
        published: list[PublishedTrack] = []
        kept: list[int] = []
        for index, (track, future) in enumerate(zip(p.tracks, p.futures, strict=True)):
            try:
                encoded = future.result()
            except InvalidDelivery as exc:
                exc.file = exc.file or track.path.name
                if p.source.atomic:
                    raise
                p.refused.append((str(track.path), exc))
                continue
            finally:
                if progress:
                    progress(1)
            published.append(self._stored_track(p, stored, track, encoded))
            kept.append(index)
        if not published:
            raise p.refused[0][1] if p.refused else InvalidDelivery("no audio", code="no_audio")
        return published, kept

    def _stored_track(
        self, p: StartedRelease, stored: StoredBlobs, track: DescribedTrack, encoded: EncodedTrack
    ) -> PublishedTrack:
        if encoded.result is None or encoded.info is None:
            # the same bytes as a track already published: its figures and files are kept
            old, fmt = p.reusable[encoded.sha256]
            return PublishedTrack(
                track.spec, old.duration_ms, old.loudness, encoded.sha256, fmt, old.files
            )
        fmt = f"{encoded.info.container}/{encoded.info.codec}"
        files = stored.store_ladder(encoded.result)
        duration_ms = round(encoded.result.duration_s * 1000)
        return PublishedTrack(
            track.spec,
            duration_ms,
            encoded.result.loudness,
            encoded.sha256,
            fmt,
            files,
            encoded.result.tempo_bpm,
        )

    def _records(self, p: StartedRelease, kept: list[int]) -> list[LibraryRecord]:
        index_of = {p.tracks[i].path: n for n, i in enumerate(kept)}
        errors = {Path(path): exc for path, exc in p.refused}
        return [
            LibraryRecord(
                str(path),
                size,
                mtime,
                index_of.get(path),
                errors.get(path),
                p.source.album_key,
            )
            for path, (size, mtime) in p.source.records.items()
        ]

    def _take_back(self, stored: StoredBlobs) -> None:
        if not stored.created:
            return
        with self.t.uow() as uow:
            in_use = uow.catalog.blobs_in_use(stored.created)
        stored.take_back(in_use)


def _with_lrc(path: Path, tags: Tags) -> Tags:
    """An LRC file beside the audio says more than its tags: it is kept for the purpose."""
    lrc = lrc_beside(path)
    return replace(tags, lyrics=lrc) if lrc and lrc.strip() else tags


def _source_key(release: ReleaseSpec) -> str:
    """Which release a delivery is: its UPC, or failing that its main artists and title."""
    if release.upc:
        return f"upc:{release.upc}"
    return "album:" + short_key(
        f"{name_key(' & '.join(release.artists))}\x1f{name_key(release.title)}"
    )
