"""Cadenza's catalog in Subsonic's shapes: songs (`Child`), albums (`AlbumID3`), artists
(`ArtistID3`), playlists. Ids carry their kind (`tr-`, `al-`, `ar-`, `pl-`): one id space for
star, getCoverArt and the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cadenza.api.subsonic.render import Node
from cadenza.domain.audio import Quality
from cadenza.domain.catalog import ReleaseType, ReleaseView, TrackView
from cadenza.domain.playlists import Playlist

SONG, ALBUM, ARTIST, PLAYLIST = "tr-", "al-", "ar-", "pl-"


@dataclass
class Marks:
    """What the listener starred (liked, saved, followed: when) and rated, for the items shown."""

    starred: dict[str, dict[int, datetime]] = field(default_factory=dict)
    rated: dict[str, dict[int, int]] = field(default_factory=dict)

    def star(self, kind: str, item: int) -> datetime | None:
        return self.starred.get(kind, {}).get(item)

    def rating(self, kind: str, item: int) -> int | None:
        return self.rated.get(kind, {}).get(item)


def _names(artists: tuple[object, ...]) -> str:
    return ", ".join(a.name for a in artists)  # type: ignore[attr-defined]


def song(track: TrackView, release: ReleaseView, marks: Marks, quality: Quality) -> Node:
    file = track.file(quality) or (track.files[0] if track.files else None)
    served = file.quality if file is not None else quality
    first = track.artists[0] if track.artists else None
    genres = track.genres or release.genres
    gain = track.loudness.gain_db()
    return {
        "id": f"{SONG}{track.id}",
        "parent": f"{ALBUM}{release.id}",
        "isDir": False,
        "title": track.title,
        "album": release.title,
        "artist": _names(track.artists + track.featured_artists),
        "track": track.track_number,
        "year": release.release_at.year,
        "genre": genres[0] if genres else None,
        "coverArt": f"{ALBUM}{release.id}" if release.covers else None,
        "size": file.size if file is not None else None,
        "contentType": served.media_type,
        "suffix": served.extension,
        "duration": round(track.duration_ms / 1000),
        "bitRate": (file.bitrate_kbps if file is not None else None) or served.bitrate_kbps,
        "discNumber": track.disc_number,
        "created": release.release_at,
        "albumId": f"{ALBUM}{release.id}",
        "artistId": f"{ARTIST}{first.id}" if first else None,
        "type": "music",
        "mediaType": "song",
        "isVideo": False,
        "starred": marks.star("track", track.id),
        "userRating": marks.rating("track", track.id),
        "isrc": [track.isrc] if track.isrc else [],
        "explicitStatus": "explicit" if track.explicit else "",
        "genres": [{"name": g} for g in genres],
        "artists": [{"id": f"{ARTIST}{a.id}", "name": a.name} for a in track.artists],
        "displayArtist": _names(track.artists + track.featured_artists),
        "replayGain": {"trackGain": gain, "trackPeak": _peak(track.loudness.true_peak_dbtp)},
    }


def _peak(dbtp: float) -> float:
    return round(10 ** (dbtp / 20), 6)


def album(release: ReleaseView, songs: int, duration_ms: int, marks: Marks) -> Node:
    first = release.artists[0] if release.artists else None
    return {
        "id": f"{ALBUM}{release.id}",
        "name": release.title,
        "artist": _names(release.artists),
        "artistId": f"{ARTIST}{first.id}" if first else None,
        "coverArt": f"{ALBUM}{release.id}" if release.covers else None,
        "songCount": songs,
        "duration": round(duration_ms / 1000),
        "created": release.release_at,
        "year": release.release_at.year,
        "genre": release.genres[0] if release.genres else None,
        "starred": marks.star("release", release.id),
        "userRating": marks.rating("release", release.id),
        "isCompilation": release.release_type is ReleaseType.COMPILATION,
        "releaseTypes": [release.release_type.value.capitalize()],
        "recordLabels": [{"name": release.label}] if release.label else [],
        "genres": [{"name": g} for g in release.genres],
        "artists": [{"id": f"{ARTIST}{a.id}", "name": a.name} for a in release.artists],
        "displayArtist": _names(release.artists),
        "explicitStatus": "explicit" if release.explicit else "",
        "releaseDate": {
            "year": release.release_at.year,
            "month": release.release_at.month,
            "day": release.release_at.day,
        },
    }


def artist(artist_id: int, name: str, albums: int, marks: Marks, cover: bool = True) -> Node:
    return {
        "id": f"{ARTIST}{artist_id}",
        "name": name,
        "coverArt": f"{ARTIST}{artist_id}" if cover else None,
        "albumCount": albums,
        "starred": marks.star("artist", artist_id),
        "userRating": marks.rating("artist", artist_id),
    }


def playlist(found: Playlist, duration_ms: int, owner: str) -> Node:
    return {
        "id": f"{PLAYLIST}{found.id}",
        "name": found.name,
        "comment": found.description or None,
        "owner": owner,
        "public": found.public,
        "songCount": found.total,
        "duration": round(duration_ms / 1000),
        "created": found.created_at,
        "changed": found.updated_at,
        "readonly": False,
    }
