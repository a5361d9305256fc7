"""Stage `publish`: the release, its tracks and their files in one transaction, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cadenza.domain.audio import release_loudness
from cadenza.domain.catalog import PublishedTrack, ReleaseSpec
from cadenza.domain.errors import CadenzaError, Conflict, InvalidDelivery
from cadenza.ports import UnitOfWork


@dataclass(frozen=True)
class LibraryRecord:
    """A library file to remember as ingested (or refused) in the same transaction."""

    path: str
    size: int
    mtime_ns: int
    track_index: int | None  # index into the published tracks, None for non-track files
    error: CadenzaError | None = None


@dataclass
class Publication:
    distributor_id: int
    source_key: str
    release: ReleaseSpec
    covers: dict[int, str]
    tracks: list[PublishedTrack]
    replace_tracks: bool  # a delivery replaces the tracklist; a library scan adds to it
    records: list[LibraryRecord] = field(default_factory=list)


def publish(uow_factory: Callable[[], UnitOfWork], pub: Publication) -> tuple[int, list[int]]:
    _check_unique_isrcs(pub.tracks)
    with uow_factory() as uow:
        existing = uow.catalog.release_by_source(pub.distributor_id, pub.source_key)
        existing_id = existing.id if existing else None
        _check_owner(uow, pub, existing_id)
        loudness = release_loudness([(t.loudness, t.duration_ms / 1000) for t in pub.tracks])
        release_id = uow.catalog.save_release(
            pub.distributor_id, pub.source_key, pub.release, pub.covers, loudness
        )
        track_ids = [uow.catalog.save_track(release_id, t) for t in pub.tracks]
        if pub.replace_tracks:
            uow.catalog.remove_tracks_except(release_id, set(track_ids))
        for rec in pub.records:
            track_id = track_ids[rec.track_index] if rec.track_index is not None else None
            uow.library.record_file(rec.path, rec.size, rec.mtime_ns, track_id, rec.error)
        uow.commit()
        return release_id, track_ids


def _check_unique_isrcs(tracks: list[PublishedTrack]) -> None:
    seen: set[str] = set()
    for t in tracks:
        if t.spec.isrc and t.spec.isrc in seen:
            raise InvalidDelivery(
                f"ISRC {t.spec.isrc} is given to two tracks of this release", code="duplicate_isrc"
            )
        if t.spec.isrc:
            seen.add(t.spec.isrc)


def _check_owner(uow: UnitOfWork, pub: Publication, release_id: int | None) -> None:
    if pub.release.upc:
        owner = uow.catalog.release_id_of_upc(pub.release.upc)
        if owner is not None and owner != release_id:
            raise Conflict(
                f"UPC {pub.release.upc} already belongs to release {owner}", code="upc_in_use"
            )
    for t in pub.tracks:
        owner = uow.catalog.release_id_of_isrc(t.spec.isrc) if t.spec.isrc else None
        if owner is not None and owner != release_id:
            raise Conflict(
                f"ISRC {t.spec.isrc} ({t.spec.title!r}) already belongs to release {owner}",
                code="isrc_in_use",
            )
