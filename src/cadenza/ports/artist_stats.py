"""The artists' statistics as stored: the roll-up of counted streams into daily figures, and
the dashboard's reads of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cadenza.domain.artist_stats import DayFigures
from cadenza.domain.catalog import ArtistRef

DayKey = tuple[int, date]  # artist, day
FacetKey = tuple[int, date, str, str]  # artist, day, facet, value


@dataclass(frozen=True)
class StreamToRoll:
    """A counted stream not rolled up yet, once per artist of its track, with its listener."""

    play_row: int
    artist_id: int
    user_id: int
    track_id: int
    started_at: datetime
    country: str  # the play's market, else the listener's country
    source: str | None
    city: str | None
    gender: str | None
    birth_date: date


@dataclass(frozen=True)
class Audience:
    """Who a listener was on the last day they streamed an artist (the audience figures)."""

    last_day: date
    country: str
    city: str  # "" when not given
    age: str
    gender: str  # "" when not given


class StatsUnroll(Protocol):
    """The roll-up's way back: streams in the figures that were flagged artificial since are
    taken out (in the same transaction as their marks); a cleared flag's streams are simply
    not rolled up yet again (StatsRollup.streams_to_roll finds them)."""

    def streams_to_unroll(self, limit: int) -> list[StreamToRoll]:
        """Up to `limit` rolled-up streams (by play) flagged artificial since, oldest first."""
        ...

    def count_to_unroll(self) -> int: ...

    def mark_unrolled(self, play_rows: list[int]) -> None: ...

    def still_listened(self, keys: set[tuple[int, date, int]]) -> set[tuple[int, date, int]]:
        """Those of (artist, day, listener) with a stream still in the figures that day."""
        ...

    def latest_streams(self, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], StreamToRoll]:
        """Each (artist, listener)'s latest stream still in the figures, where there is one."""
        ...

    def drop_listener_days(self, keys: set[tuple[int, date, int]]) -> None: ...

    def drop_audiences(self, pairs: set[tuple[int, int]]) -> None: ...

    def drop_empty(self, keys: set[tuple[int, date]]) -> None:
        """Forget the (artist, day)s' track and facet rows left with no stream, and the day
        itself where nothing is left."""
        ...


class StatsRebuild(Protocol):
    """The figures rebuilt whole from counts made elsewhere (a batch engine over the archive),
    in the roll-up's transaction."""

    def forget_figures(self) -> None:
        """Every stored figure gone (the roll-up's state kept)."""
        ...

    def mark_all_rolled(self, until: datetime) -> None:
        """Plays started before `until` marked as the rebuilt figures hold them: counted and
        unflagged ones rolled up, flagged ones not (nothing to take out)."""
        ...


class StatsRollup(Protocol):
    """The roll-up job's writes; each batch is one transaction: figures and marks together."""

    @property
    def unroll(self) -> StatsUnroll:
        """The way back, in the same transaction (streams flagged artificial since)."""
        ...

    @property
    def rebuild(self) -> StatsRebuild:
        """The figures rebuilt whole, in the same transaction."""
        ...

    def begin_run(self) -> None:
        """Hold the roll-up's lock until commit: two runs never roll up the same stream."""
        ...

    def streams_to_roll(self, limit: int) -> list[StreamToRoll]:
        """Up to `limit` counted streams (by play) not rolled up yet, oldest first."""
        ...

    def count_to_roll(self) -> int:
        """How many counted streams (plays) are not rolled up yet."""
        ...

    def mark_rolled(self, play_rows: list[int]) -> None: ...

    def first_listens(self, seen: set[tuple[int, date, int]]) -> dict[DayKey, int]:
        """Record (artist, day, listener) triples; how many were new per artist and day."""
        ...

    def add_streams(
        self,
        days: dict[DayKey, tuple[int, int]],
        tracks: dict[tuple[int, date, int], int],
        facets: dict[FacetKey, int],
    ) -> None:
        """Add streams and new listeners per artist and day, streams per track and per facet."""
        ...

    def audiences(self, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Audience]:
        """The stored audience of these (artist, listener) pairs."""
        ...

    def save_audiences(self, audiences: dict[tuple[int, int], Audience]) -> None: ...

    def add_recency(self, deltas: dict[FacetKey, int]) -> None:
        """Add to the listeners per artist, last day, facet and value (negative: moved on)."""
        ...

    def recount_engagement(self, since: date, until: date) -> int:
        """Saves, playlist adds and follows per artist for the days from `since` to `until`
        counted again from the collections; returns the artist-days written."""
        ...

    def forget_listener_days(self, before: date) -> None: ...

    def finish_run(self, at: datetime) -> None: ...


class ArtistStatsRepository(Protocol):
    """The dashboard's reads: a few hundred rows per artist and day at most."""

    def artist(self, artist_id: int) -> ArtistRef | None: ...

    def delivers(self, account_id: int, artist_id: int) -> bool:
        """Whether the distributor of this account delivered a release of the artist (as a
        release artist or on one of its tracks)."""
        ...

    def delivered_artists(self, account_id: int) -> list[ArtistRef]: ...

    def days(self, artist_id: int, since: date | None) -> list[DayFigures]: ...

    # `months_from` (a month's first day): whole months from it on are read from the monthly
    # roll-ups, the days from `since` to it from the daily ones (None: days only).
    def top_tracks(
        self, artist_id: int, since: date | None, limit: int, months_from: date | None = None
    ) -> list[tuple[int, str, int]]:
        """(track, title, streams), most streamed first."""
        ...

    def facet_streams(
        self, artist_id: int, since: date | None, months_from: date | None = None
    ) -> list[tuple[str, str, int]]: ...

    def facet_listeners(
        self, artist_id: int, since: date | None, months_from: date | None = None
    ) -> list[tuple[str, str, int]]:
        """Distinct listeners per facet value whose last day is `since` or later (facet "all":
        every listener)."""
        ...

    def rolled_at(self) -> datetime | None: ...
