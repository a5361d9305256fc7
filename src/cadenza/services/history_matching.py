"""Matching past plays to the catalog: by ISRC, by a Spotify URI the catalog knows, then by
artist and title folded (domain/history_matching.py) and compared with rapidfuzz, the duration
agreeing where both are known. Only confident matches; the same song asked again is answered
from memory (a history repeats its favourites thousands of times)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from cadenza.domain.history_matching import (
    CONFIDENT,
    PastPlay,
    artist_key,
    artist_keys,
    durations_agree,
    fold,
    title_key,
)
from cadenza.ports.history import CatalogTrack

ARTIST_CANDIDATES = 3  # the nearest artist names whose tracks are compared


@dataclass(frozen=True)
class _Entry:
    track_id: int
    title: str  # title_key
    duration_ms: int
    release: str  # folded


@dataclass
class CatalogIndex:
    """The catalog, arranged for matching (built once per import, or per few minutes)."""

    by_isrc: dict[str, int] = field(default_factory=dict)
    by_uri: dict[str, int] = field(default_factory=dict)
    by_artist: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    durations: dict[int, int] = field(default_factory=dict)
    artist_names: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, tracks: Iterable[CatalogTrack], uris: dict[str, int]) -> CatalogIndex:
        index = cls(by_uri=dict(uris))
        for track in tracks:
            if track.isrc:
                index.by_isrc[track.isrc.upper()] = track.id
            entry = _Entry(
                track.id, title_key(track.title), track.duration_ms, fold(track.release_title)
            )
            keys = {fold(a) for a in track.artists}
            if track.artists:
                keys.add(artist_key(", ".join(track.artists)))
            for key in keys - {""}:
                index.by_artist[key].append(entry)
            index.durations[track.id] = track.duration_ms
        index.by_uri = {u: t for u, t in index.by_uri.items() if t in index.durations}
        index.artist_names = sorted(index.by_artist)
        return index


class Matcher:
    """Past plays to track ids (None: no confident match), remembering each answer."""

    def __init__(self, index: CatalogIndex) -> None:
        from rapidfuzz import fuzz, process  # loaded by the first import or scrobble

        self.index, self._ratio, self._extract = index, fuzz.ratio, process.extract
        self._memo: dict[tuple[object, ...], int | None] = {}
        self.learned: dict[str, int] = {}  # Spotify URIs newly tied to a track

    def match(self, play: PastPlay) -> int | None:
        key = (play.isrc, play.spotify_uri, play.artist, play.title, play.album, play.duration_ms)
        if key in self._memo:
            return self._memo[key]
        found = self._match(play)
        self._memo[key] = found
        if found is not None and play.spotify_uri and play.spotify_uri not in self.index.by_uri:
            self.learned[play.spotify_uri] = found
            self.index.by_uri[play.spotify_uri] = found
        return found

    def _match(self, play: PastPlay) -> int | None:
        index = self.index
        if play.isrc and (track := index.by_isrc.get(play.isrc)) is not None:
            return track
        if play.spotify_uri and (track := index.by_uri.get(play.spotify_uri)) is not None:
            return track
        keys, title = artist_keys(play.artist), title_key(play.title)
        if not keys or not title:
            return None
        artists: list[tuple[str, float]] = [(k, 100.0) for k in keys if k in index.by_artist]
        if not artists:
            for key in keys:
                near = self._extract(
                    key,
                    index.artist_names,
                    scorer=self._ratio,
                    score_cutoff=CONFIDENT,
                    limit=ARTIST_CANDIDATES,
                )
                artists += [(name, float(score)) for name, score, _ in near]
        album = fold(play.album)
        best: tuple[float, int, int, int] | None = None  # (score, album agrees, -off, -id)
        for name, artist_score in artists:
            for entry in index.by_artist[name]:
                title_score = 100.0 if entry.title == title else self._ratio(title, entry.title)
                if title_score < CONFIDENT or not durations_agree(
                    play.duration_ms, entry.duration_ms
                ):
                    continue
                off = abs((play.duration_ms or entry.duration_ms) - entry.duration_ms)
                rank = (
                    min(artist_score, title_score),
                    int(bool(album) and album == entry.release),
                    -off,
                    -entry.track_id,
                )
                if best is None or rank > best:
                    best = rank
        return -best[3] if best is not None else None

    def duration(self, track_id: int) -> int:
        return self.index.durations.get(track_id, 0)
