"""What a shared link shows before anyone opens it: the title, a line of description and the
cover that chat apps put in their preview. Seen as an anonymous visitor sees the catalog, so
a release not out yet, out of the default country or taken down, and any private playlist,
give no preview at all (the same answer as for an id that does not exist)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from cadenza.domain.catalog import ReleaseView, Viewer
from cadenza.domain.errors import NotFound
from cadenza.ports.clock import Clock
from cadenza.services.catalog import CatalogService
from cadenza.services.playlists import Playlists

PREVIEW_COVER_PX = 640


class Shared(StrEnum):
    TRACK = "track"
    RELEASE = "release"
    ARTIST = "artist"
    PLAYLIST = "playlist"


@dataclass(frozen=True)
class Preview:
    title: str
    description: str
    og_type: str  # music.song, music.album, music.playlist, profile
    cover: str | None  # the image blob's digest


class SharePreviews:
    def __init__(
        self,
        catalog: CatalogService,
        playlists: Playlists,
        clock: Clock,
        default_country: Callable[[], str | None],
    ) -> None:
        self.catalog, self.playlists = catalog, playlists
        self.clock, self.default_country = clock, default_country

    def preview(self, kind: Shared, item_id: int) -> Preview | None:
        """The preview of a shared page; None when an anonymous visitor may not see it."""
        viewer = Viewer(country=self.default_country(), now=self.clock.now())
        try:
            return self._preview(kind, item_id, viewer)
        except NotFound:
            return None

    def _preview(self, kind: Shared, item_id: int, viewer: Viewer) -> Preview:
        if kind is Shared.TRACK:
            track, release = self.catalog.track(item_id, viewer)
            artists = _names(a.name for a in (*track.artists, *track.featured_artists))
            return Preview(
                f"{track.title} · {artists}",
                f"Song · {artists} · {release.title}{_year(release)}",
                "music.song",
                _cover(release),
            )
        if kind is Shared.RELEASE:
            release = self.catalog.release(item_id, viewer)
            artists = _names(a.name for a in release.artists)
            songs = _count(len(release.tracks), "song")
            return Preview(
                f"{release.title} · {artists}",
                f"{release.release_type.value.capitalize()} · {artists}{_year(release)} · {songs}",
                "music.album",
                _cover(release),
            )
        if kind is Shared.ARTIST:
            artist = self.catalog.artist(item_id, viewer)
            newest = max(artist.releases, key=lambda r: r.release_at)
            releases = _count(len(artist.releases), "release")
            return Preview(artist.name, f"Artist · {releases}", "profile", _cover(newest))
        playlist, _ = self.playlists.get(item_id, None)  # public ones only: no one signed in
        items = self.playlists.items(item_id, None, viewer, 1, 0)
        first = items[0].card.release if items else None
        about = f"Playlist · by {playlist.owner_name} · {_count(playlist.total, 'song')}"
        if playlist.description:
            about += f" · {playlist.description}"
        return Preview(playlist.name, about, "music.playlist", _cover(first) if first else None)


def _names(names: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(names))


def _year(release: ReleaseView) -> str:
    return f" · {release.release_at.year}"


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n:,} {what}s"


def _cover(release: ReleaseView) -> str | None:
    """The 640 px cover, or the largest there is."""
    sizes = sorted(release.covers, reverse=True)
    size = PREVIEW_COVER_PX if PREVIEW_COVER_PX in release.covers else (sizes[0] if sizes else None)
    return release.covers[size] if size is not None else None
