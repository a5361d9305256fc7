"""Blends: a playlist two listeners share (Duo and Family Mixes: 2 to 6), balancing their
tastes, each track marked with whose taste it comes from, and how well the tastes match.

A member's taste scores here come from what the server counts (plays, likes, follows, genres,
popularity); `counted_taste` is the one function a learned model replaces."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from cadenza.domain.catalog import as_utc

BLEND_LENGTH = 50
MAX_MEMBERS = 6
INVITE_DAYS = 7  # an invite link works this long, once
REFRESH = timedelta(days=1)
K = TypeVar("K", int, str)
MAX_BLENDS = 100  # Blends one listener may be in
ARTIST_TRACKS = 60  # tracks read per favourite artist (most streamed first)
TOP_ARTISTS = 20


@dataclass(frozen=True)
class TasteSignals:
    """What the server knows of one listener's taste, without a model."""

    plays: Mapping[int, int] = field(default_factory=dict)  # track -> counted plays
    liked: frozenset[int] = frozenset()
    followed_artists: frozenset[int] = frozenset()
    # Every track above and every candidate: its artists, genres and counted streams.
    artists_of: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    genres_of: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    streams: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BlendTrack:
    track_id: int
    member_id: int | None  # whose taste put it there (None: that member left)


@dataclass(frozen=True)
class Member:
    user_id: int
    display_name: str


@dataclass(frozen=True)
class Blend:
    id: int
    members: tuple[Member, ...]
    match_score: int
    created_at: datetime
    refreshed_at: datetime

    def name(self) -> str:
        return " + ".join(m.display_name for m in self.members)


def artist_affinity(signals: TasteSignals) -> dict[int, float]:
    """How much the listener cares for each artist: plays (dampened), likes, follows."""
    found: defaultdict[int, float] = defaultdict(float)
    for track, n in signals.plays.items():
        for artist in signals.artists_of.get(track, ()):
            found[artist] += math.log1p(n)
    for track in signals.liked:
        for artist in signals.artists_of.get(track, ()):
            found[artist] += 1
    for artist in signals.followed_artists:
        found[artist] += 2
    return dict(found)


def genre_affinity(signals: TasteSignals) -> dict[str, float]:
    found: defaultdict[str, float] = defaultdict(float)
    for track, n in signals.plays.items():
        for genre in signals.genres_of.get(track, ()):
            found[genre] += math.log1p(n)
    for track in signals.liked:
        for genre in signals.genres_of.get(track, ()):
            found[genre] += 1
    return dict(found)


def counted_taste(signals: TasteSignals) -> dict[int, float]:
    """Track -> how much the listener would like it: their own plays and likes first, then the
    tracks of the artists and genres they favour, popularity breaking ties. Every known track
    (played, liked or a candidate in `artists_of`) gets a score."""
    artists = _unit(artist_affinity(signals))
    genres = _unit(genre_affinity(signals))
    loudest = max(signals.streams.values(), default=0)
    scores: dict[int, float] = {}
    for track, track_artists in signals.artists_of.items():
        own = 3 * math.log1p(signals.plays.get(track, 0)) + (2.0 if track in signals.liked else 0)
        artist = max((artists.get(a, 0.0) for a in track_artists), default=0.0)
        genre = max((genres.get(g, 0.0) for g in signals.genres_of.get(track, ())), default=0.0)
        popular = math.log1p(signals.streams.get(track, 0)) / math.log1p(loudest) if loudest else 0
        scores[track] = own + 1.5 * artist + 0.5 * genre + 0.2 * popular
    return scores


def match_score(tastes: list[TasteSignals]) -> int:
    """0 to 100: how alike the members' tastes are, by their artists and genres (the mean of
    each pair's cosine similarity, artists weighing twice genres)."""
    if len(tastes) < 2:
        return 100
    artists = [artist_affinity(t) for t in tastes]
    genres = [genre_affinity(t) for t in tastes]
    pairs = []
    for i in range(len(tastes)):
        for j in range(i + 1, len(tastes)):
            by_artist = _cosine(artists[i], artists[j])
            by_genre = _cosine(genres[i], genres[j])
            pairs.append((2 * by_artist + by_genre) / 3)
    return max(0, min(100, round(100 * math.sqrt(sum(pairs) / len(pairs)))))


def is_stale(refreshed_at: datetime, now: datetime) -> bool:
    """A Blend is made again once a day (at the first look after midnight UTC)."""
    return as_utc(refreshed_at).date() < as_utc(now).date()


def invite_usable(created_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    return used_at is None and as_utc(now) - as_utc(created_at) <= timedelta(days=INVITE_DAYS)


def _unit(weights: dict[K, float]) -> dict[K, float]:
    top = max(weights.values(), default=0.0)
    return {k: v / top for k, v in weights.items()} if top > 0 else {}


def _cosine(a: dict[K, float], b: dict[K, float]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0
