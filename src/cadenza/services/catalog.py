"""What listeners may see of the catalog: nothing before its date or outside its territories."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from cadenza.domain.audio import Quality
from cadenza.domain.catalog import ArtistView, ReleaseView, TrackToPlay, TrackView, Viewer
from cadenza.domain.errors import NotFound
from cadenza.domain.lyrics import Lyrics
from cadenza.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PlayableFile:
    """One quality of one track, as the stream endpoint serves it."""

    track_id: int
    quality: Quality
    blob: str
    size: int
    media_type: str
    explicit: bool = False
    duration_ms: int = 0


class CatalogService:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self.uow = uow

    def artist(self, artist_id: int, viewer: Viewer) -> ArtistView:
        with self.uow() as uow:
            artist = uow.catalog.artist(artist_id)
        if artist is None:
            raise NotFound(f"no artist {artist_id}")
        visible = tuple(r for r in artist.releases if r.visible_to(viewer))
        appears_on = tuple(r for r in artist.appears_on if r.visible_to(viewer))
        if not visible and not appears_on:  # known only by unreleased work: stays unknown
            raise NotFound(f"no artist {artist_id}")
        return replace(artist, releases=visible, appears_on=appears_on)

    def release(self, release_id: int, viewer: Viewer) -> ReleaseView:
        with self.uow() as uow:
            release = uow.catalog.release(release_id)
        if release is None or not release.visible_to(viewer):
            raise NotFound(f"no release {release_id}")
        return release.as_seen_by(viewer)

    def track(self, track_id: int, viewer: Viewer) -> tuple[TrackView, ReleaseView]:
        with self.uow() as uow:
            track = uow.catalog.track(track_id)
            # The release without its tracks: only its visibility is asked here.
            found = uow.catalog.releases([track.release_id]) if track else []
        release = found[0] if found else None
        if track is None or release is None or not release.visible_to(viewer):
            raise NotFound(f"no track {track_id}")
        if track.explicit and not viewer.allow_explicit:
            raise NotFound(f"no track {track_id}", code="explicit_content_filtered")
        return track, replace(release, tracks=())

    def lyrics(self, track_id: int, viewer: Viewer) -> Lyrics:
        """A track's lyrics, for a viewer who may see the track (404 `not_found` otherwise, as
        for the track itself); 404 `lyrics_not_found` when it has none."""
        self.track(track_id, viewer)
        with self.uow() as uow:
            lyrics = uow.catalog.lyrics(track_id)
        if lyrics is None:
            raise NotFound("this song has no lyrics yet", code="lyrics_not_found")
        return lyrics

    def tracks_to_play(self, track_ids: list[int], viewer: Viewer) -> list[TrackToPlay]:
        """The tracks as the player needs them, in one read, each checked as `track` checks
        it (release date, territories, takedown, explicit filter): 404 for the first one the
        viewer may not play."""
        with self.uow() as uow:
            found = uow.catalog.tracks_to_play(track_ids)
        return checked_to_play(found, track_ids, viewer)

    def release_tracks_to_play(self, release_id: int, viewer: Viewer) -> list[TrackToPlay]:
        """A release's tracks as the player needs them, in one read, checked as `release`
        checks them: 404 for a release the viewer may not see, explicit tracks left out for a
        viewer who filters them."""
        with self.uow() as uow:
            tracks = uow.catalog.release_tracks_to_play(release_id)
        if not tracks:  # no such release, or one without tracks: `release` tells which
            self.release(release_id, viewer)
            return []
        if not tracks[0].visible_to(viewer):  # one release: the same answer for every track
            raise NotFound(f"no release {release_id}")
        return [t for t in tracks if viewer.allow_explicit or not t.explicit]

    def new_releases(self, viewer: Viewer, limit: int = 20, offset: int = 0) -> list[ReleaseView]:
        with self.uow() as uow:
            return uow.catalog.new_releases(viewer, limit, offset)

    def distributor_releases(
        self, distributor_id: int, limit: int = 50, offset: int = 0
    ) -> list[ReleaseView]:
        with self.uow() as uow:
            return uow.catalog.distributor_releases(distributor_id, limit, offset)

    def playable(self, track_id: int, quality: Quality, viewer: Viewer) -> PlayableFile:
        return self.file_of(self.tracks_to_play([track_id], viewer)[0], quality)

    @staticmethod
    def file_of(track: TrackView | TrackToPlay, quality: Quality) -> PlayableFile:
        """The track's file at this quality (a track the viewer may see)."""
        track_id = track.id
        encoded = track.file(quality)
        if encoded is None:
            available = ", ".join(f.quality.value for f in track.files)
            raise NotFound(
                f"track {track_id} has no {quality.value} file (available: {available})",
                code="quality_unavailable",
            )
        return PlayableFile(
            track_id,
            quality,
            encoded.blob,
            encoded.size,
            quality.media_type,
            track.explicit,
            track.duration_ms,
        )


def checked_to_play(
    found: list[TrackToPlay], track_ids: list[int], viewer: Viewer
) -> list[TrackToPlay]:
    """`track_ids` as read (`found`), each checked as `track` checks it: 404 for the first one
    the viewer may not play."""
    by_id = {t.id: t for t in found}
    for track_id in track_ids:
        track = by_id.get(track_id)
        if track is None or not track.visible_to(viewer):
            raise NotFound(f"no track {track_id}")
        if track.explicit and not viewer.allow_explicit:
            raise NotFound(f"no track {track_id}", code="explicit_content_filtered")
    return [by_id[t] for t in track_ids]
