"""What recommendations learn from and serve with: every listening signal the server keeps
(read in bulk by training), a listener's own taste (read per answer), and the trained model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class TrackFeatures:
    """What a track is, for content signals: a track nobody played yet still has these."""

    track_id: int
    artist_ids: tuple[int, ...]
    genres: tuple[str, ...]  # folded
    year: int | None
    loudness_lufs: float | None
    tempo_bpm: float | None = None  # measured at ingest; None: no clear pulse, or not measured


@dataclass(frozen=True)
class SessionPlay:
    track_id: int
    started_at: datetime
    counted: bool
    skipped_early: bool  # skipped before it counted (30 s)


@dataclass(frozen=True)
class StoredWeek:
    """A listener's Discover Weekly, made once for the week."""

    week_start: datetime
    basis: str  # model | popular
    tracks: list[tuple[int, str]]  # (track id, reason)


class TasteSignals(Protocol):
    """Everyone's signals, for training (each yields rows as they are read)."""

    def counted_plays(self) -> Iterator[tuple[int, int, int]]:
        """(listener, track, counted plays)."""
        ...

    def imported_plays(self) -> Iterator[tuple[int, int, int]]:
        """(listener, track, plays of their imported or scrobbled history): history, as
        counted plays are, though never streams."""
        ...

    def early_skips(self) -> Iterator[tuple[int, int, int]]:
        """(listener, track, plays skipped before they counted)."""
        ...

    def liked(self) -> Iterator[tuple[int, int]]: ...

    def saved_release_tracks(self) -> Iterator[tuple[int, int]]: ...

    def followed_artist_tracks(self) -> Iterator[tuple[int, int]]: ...

    def playlist_adds(self) -> Iterator[tuple[int, int]]:
        """(listener who added, track)."""
        ...

    def track_features(self) -> Iterator[TrackFeatures]:
        """Every track of the catalog (taken down or not: serving filters what a listener may
        see)."""
        ...


class ListenerTaste(Protocol):
    """One listener's taste and the catalog's popularity, per answer."""

    def heard(self, user_id: int) -> set[int]:
        """Tracks the listener played (at all), liked, or saved with a release."""
        ...

    def history(self, user_id: int, limit: int) -> dict[int, float]:
        """Track -> confidence (counted plays, a like counting as some) of their most played."""
        ...

    def followed_artists(self, user_id: int) -> set[int]: ...

    def counted_plays_reach(self, count: int) -> bool:
        """Whether the server has counted at least this many streams (all listeners)."""
        ...

    def popular(self, country: str | None, since: datetime, limit: int) -> list[int]:
        """Tracks by counted streams since then, of listeners of this country (None: all)."""
        ...

    def top_tracks(self, artist_id: int, country: str | None, limit: int) -> list[int]:
        """An artist's tracks by counted streams of this country's listeners, then everyone's."""
        ...

    def track_artists(self, track_ids: list[int]) -> dict[int, tuple[int, ...]]:
        """Track -> its artists (main first, then featured)."""
        ...

    def artist_tracks(self, artist_id: int, limit: int) -> list[int]: ...

    def session(self, user_id: int, since: datetime, limit: int) -> list[SessionPlay]:
        """The listener's plays since then, newest first."""
        ...

    def liked_since(self, user_id: int, since: datetime) -> list[int]: ...

    def stored_week(self, user_id: int) -> StoredWeek | None: ...

    def store_week(self, user_id: int, week: StoredWeek) -> None: ...


@dataclass(frozen=True)
class ModelInfo:
    version: str
    trained_at: datetime
    listeners: int
    tracks: int
    counted_plays: int


class TasteModel(Protocol):
    """The model in service (files in the data dir, read lazily, a newer one picked up)."""

    def info(self) -> ModelInfo | None:
        """The model in service, without loading its vectors; None before the first."""
        ...

    def for_listener(
        self, user_id: int, history: dict[int, float], count: int, exclude: set[int]
    ) -> list[tuple[int, float]]:
        """(track, score) best first: the listener's vector, or one folded in from `history`."""
        ...

    def similar(self, track_ids: list[int], count: int) -> list[tuple[int, float]]:
        """Tracks nearest to these (to their mean), with cosine similarity, best first; none of
        the seeds themselves."""
        ...

    def closest(self, track_id: int, among: list[int]) -> int | None:
        """Which of `among` is most like this track (for the reason it is recommended)."""
        ...

    def clusters(self, track_ids: list[int], count: int) -> list[list[int]]:
        """These tracks in up to `count` groups of alike ones (k-means on their vectors),
        largest first; tracks the model does not know are left out."""
        ...
