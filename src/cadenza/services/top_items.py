"""A listener's top artists and tracks over a time range (the last 4 weeks, 6 months or
year, as Spotify's short, medium and long term), from what they heard for 30 s or more."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.catalog import ArtistRef, ReleaseView, TrackView, Viewer
from cadenza.domain.errors import NotFound
from cadenza.services.catalog import CatalogService
from cadenza.services.listening import ListeningService

PAGE = 1000
MAX_PLAYS = 20_000  # the most recent plays a ranking reads
MAX_RANKED = 50


class TimeRange(StrEnum):
    SHORT = "short_term"
    MEDIUM = "medium_term"
    LONG = "long_term"

    @property
    def length(self) -> timedelta:
        return {"short_term": timedelta(weeks=4), "medium_term": timedelta(days=182)}.get(
            self.value, timedelta(days=365)
        )


@dataclass(frozen=True)
class TopItems:
    tracks: list[tuple[TrackView, ReleaseView]]  # most played first, those the viewer may see
    artists: list[tuple[ArtistRef, tuple[str, ...]]]  # with the genres of their played tracks


class TopRanking:
    def __init__(self, listening: ListeningService, catalog: CatalogService) -> None:
        self.listening, self.catalog = listening, catalog

    def top(self, account_id: int, viewer: Viewer, span: TimeRange, now: datetime) -> TopItems:
        since = now - span.length
        plays: Counter[int] = Counter()
        read = 0
        while read < MAX_PLAYS:
            page = self.listening.recently_played(account_id, PAGE, read)
            recent = [p for p in page if p.played_at >= since]
            plays.update(p.track_id for p in recent)
            read += len(page)
            if len(page) < PAGE or len(recent) < len(page):
                break
        tracks: list[tuple[TrackView, ReleaseView]] = []
        artist_plays: Counter[int] = Counter()
        names: dict[int, ArtistRef] = {}
        genres: dict[int, list[str]] = {}
        for track_id, count in plays.most_common():
            try:
                track, release = self.catalog.track(track_id, viewer)
            except NotFound:  # gone, or not for this listener now: not shown
                continue
            tracks.append((track, release))
            for artist in track.artists:
                artist_plays[artist.id] += count
                names[artist.id] = artist
                genres.setdefault(artist.id, []).extend((*track.genres, *release.genres))
            if len(tracks) >= MAX_RANKED * 4:
                break
        artists = [
            (names[a], tuple(dict.fromkeys(genres[a]))) for a, _ in artist_plays.most_common()
        ]
        return TopItems(tracks[:MAX_RANKED], artists[:MAX_RANKED])
