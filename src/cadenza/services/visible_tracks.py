"""Tracks as a listener may see them, with their releases, in the order asked: what the lists
the server makes (charts, Release Radar) show and play. A track taken down, out of the
listener's territory, not yet out, or explicit for a listener who filters that, is left out."""

from __future__ import annotations

from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.ports.unit_of_work import UnitOfWork

Picked = tuple[TrackView, ReleaseView]


def visible_tracks(uow: UnitOfWork, track_ids: list[int], viewer: Viewer) -> dict[int, Picked]:
    """Track id -> (track, release) for those of `track_ids` the viewer may play, in order."""
    if not track_ids:
        return {}
    tracks = {t.id: t for t in uow.catalog.tracks(track_ids)}
    releases = {
        r.id: r for r in uow.catalog.releases(list({t.release_id for t in tracks.values()}))
    }
    found: dict[int, Picked] = {}
    for track_id in track_ids:
        track = tracks.get(track_id)
        release = releases.get(track.release_id) if track else None
        if track is None or release is None or not release.visible_to(viewer):
            continue
        if viewer.distributor_id is None and not viewer.allow_explicit and track.explicit:
            continue
        found[track_id] = (track, release)
    return found
