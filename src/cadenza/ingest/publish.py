"""Stage `publish`: the release, its tracks and their files in one transaction, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cadenza.domain.audio import release_loudness
from cadenza.domain.catalog import PublishedTrack, ReleaseSpec, TrackSpec
from cadenza.domain.errors import CadenzaError, Conflict, InvalidDelivery
from cadenza.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LibraryRecord:
    """A library file to remember as ingested (or refused) in the same transaction."""

    path: str
    size: int
    mtime_ns: int
    track_index: int | None  # index into the published tracks, None for non-track files
    error: CadenzaError | None = None
    album_key: str | None = None


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
    check_unique_isrcs([t.spec for t in pub.tracks])
    with uow_factory() as uow:
        existing = uow.catalog.release_by_source(pub.distributor_id, pub.source_key)
        existing_id = existing.id if existing else None
        check_owner(uow, pub.release, [t.spec for t in pub.tracks], existing_id)
        loudness = release_loudness([(t.loudness, t.duration_ms / 1000) for t in pub.tracks])
        release_id = uow.supply.save_release(
            pub.distributor_id, pub.source_key, pub.release, pub.covers, loudness
        )
        track_ids: list[int] = []
        for track in pub.tracks:
            track_ids.append(uow.supply.save_track(release_id, track, set(track_ids)))
        if pub.replace_tracks:
            uow.supply.remove_tracks_except(release_id, set(track_ids))
        uow.search.index_release(release_id)  # searchable the moment it is published
        for rec in pub.records:
            track_id = track_ids[rec.track_index] if rec.track_index is not None else None
            uow.library.record_file(
                rec.path, rec.size, rec.mtime_ns, track_id, rec.error, rec.album_key
            )
        uow.commit()
        return release_id, track_ids


def check_unique_isrcs(tracks: list[TrackSpec]) -> None:
    seen: set[str] = set()
    for t in tracks:
        if t.isrc and t.isrc in seen:
            raise InvalidDelivery(
                f"ISRC {t.isrc} is given to two tracks of this release", code="duplicate_isrc"
            )
        if t.isrc:
            seen.add(t.isrc)


def check_owner(
    uow: UnitOfWork, release: ReleaseSpec, tracks: list[TrackSpec], release_id: int | None
) -> None:
    """The UPC and ISRCs must not belong to another release."""
    if release.upc:
        owner = uow.supply.release_id_of_upc(release.upc)
        if owner is not None and owner != release_id:
            raise Conflict(
                f"UPC {release.upc} already belongs to release {owner}", code="upc_in_use"
            )
    for t in tracks:
        owner = uow.supply.release_id_of_isrc(t.isrc) if t.isrc else None
        if owner is not None and owner != release_id:
            raise Conflict(
                f"ISRC {t.isrc} ({t.title!r}) already belongs to release {owner}",
                code="isrc_in_use",
            )
