"""Recommendations from seeds, as Spotify's `/recommendations` takes them: up to five artists,
tracks and genres together. Each seed draws a pool from the recommendation engine (a track's
similar songs, an artist's top tracks and those of the artists their fans also like, a genre's
songs), and the pools take turns, so every seed is heard."""

from __future__ import annotations

from dataclasses import dataclass

from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.search import Kind
from cadenza.services.recommendations import Recommendations
from cadenza.services.search import SearchService

MAX_SEEDS = 5
RELATED_SEEDS = 4  # artists fans also like, per artist seed
Picked = tuple[TrackView, ReleaseView]


@dataclass(frozen=True)
class Seed:
    kind: str  # artist, track, genre
    id: str
    pool: int  # tracks it drew before the others' turns


@dataclass(frozen=True)
class Recommended:
    seeds: list[Seed]
    tracks: list[Picked]


class SeededRecommendations:
    def __init__(self, recs: Recommendations, search: SearchService) -> None:
        self.recs, self.search = recs, search

    def recommend(
        self,
        viewer: Viewer,
        artists: list[int],
        tracks: list[int],
        genres: list[str],
        limit: int,
    ) -> Recommended:
        count = len(artists) + len(tracks) + len(genres)
        if not 1 <= count <= MAX_SEEDS:
            raise InvalidRequest(
                f"give 1 to {MAX_SEEDS} seeds in all (seed_artists, seed_tracks, seed_genres)",
                code="invalid_seeds",
            )
        pools: list[tuple[Seed, list[Picked]]] = []
        for artist_id in artists:
            pool = self._artist_pool(artist_id, viewer, limit)
            pools.append((Seed("artist", str(artist_id), len(pool)), pool))
        for track_id in tracks:
            pool = self.recs.similar_tracks(track_id, viewer, limit).tracks
            pools.append((Seed("track", str(track_id), len(pool)), pool))
        for genre in genres:
            pool = self._genre_pool(genre, viewer, limit)
            pools.append((Seed("genre", genre, len(pool)), pool))
        return Recommended([s for s, _ in pools], _in_turns([p for _, p in pools], tracks, limit))

    def _artist_pool(self, artist_id: int, viewer: Viewer, limit: int) -> list[Picked]:
        own = self.recs.top_tracks(artist_id, viewer, limit).tracks
        related = self.recs.related_artists(artist_id, viewer).artists[:RELATED_SEEDS]
        others = [self.recs.top_tracks(a, viewer, limit).tracks for a, _ in related]
        return _in_turns([own, *others], [], limit * 2)

    def _genre_pool(self, genre: str, viewer: Viewer, limit: int) -> list[Picked]:
        words = genre.replace('"', " ").replace("-", " ").strip()
        if not words:
            raise InvalidRequest("a genre seed names nothing", code="invalid_seeds")
        found = self.search.search(f'genre:"{words}"', viewer, [Kind.TRACK], min(limit, 50))
        return [
            (h.track, h.release)
            for h in found.groups[Kind.TRACK].hits
            if h.track is not None and h.release is not None
        ]


def _in_turns(pools: list[list[Picked]], leave_out: list[int], limit: int) -> list[Picked]:
    """One from each pool in turn, each track once, none of `leave_out`."""
    seen = set(leave_out)
    chosen: list[Picked] = []
    for round_ in range(max((len(p) for p in pools), default=0)):
        for pool in pools:
            if round_ < len(pool) and pool[round_][0].id not in seen:
                seen.add(pool[round_][0].id)
                chosen.append(pool[round_])
                if len(chosen) >= limit:
                    return chosen
    return chosen
