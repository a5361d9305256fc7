"""The search index: words, prefixes, typos and popularity."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Protocol

from cadenza.domain.catalog import ReleaseView, TrackView, Viewer
from cadenza.domain.search import Candidate, Expansion, Kind, SearchQuery


class SearchIndex(Protocol):
    """Entries for tracks, releases, artists and playlists in folded words; candidates for a
    query."""

    def index_release(self, release_id: int) -> None:
        """(Re)index a release, its tracks and artists, in the current transaction; entries of
        tracks it no longer has go."""
        ...

    def index_playlist(self, playlist_id: int) -> None:
        """(Re)index a playlist's name and description in the current transaction; a deleted
        playlist's entry goes."""
        ...

    def index_show(self, show_id: int) -> None:
        """(Re)index a podcast show and its episodes, in the caller's transaction."""
        ...

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Index the whole catalog again; progress is told of releases and artists done."""
        ...

    def size(self) -> tuple[int, int]:
        """(Releases plus artists the catalog holds, entries the index holds.)"""
        ...

    def roll_up_popularity(
        self, now: datetime, tracks: Collection[int] | None = None, *, rank: bool = True
    ) -> int:
        """Count each entry's streams of the 28 days before now again (per listeners'
        country and everywhere), and rank each kind's most played entries, searched first;
        returns the rows written. Ranking reads only these. With `tracks`: only these tracks'
        entries, their releases' and their artists' are counted again (then the ranking,
        unless `rank` is false: the counts alone)."""
        ...

    def replace_popularity(self, rows: list[tuple[str, int, str, int]]) -> int:
        """The same rollup counted elsewhere (a batch engine over the archive): (kind, entity,
        country or "" for everywhere, streams) replace the rows, then the ranking as above."""
        ...

    def tidy(self) -> None:
        """The engine's upkeep after a rollup (statistics, merged index lists), apart."""
        ...

    def is_known(self, word: str, *, prefix: bool) -> bool: ...

    def similar_words(self, word: str, limit: int = 120, *, prefix: bool = False) -> list[str]:
        """Indexed words a typo of which this one may be: candidates for close_words()."""
        ...

    def candidates(
        self,
        kinds: list[Kind],
        expansion: Expansion,
        query: SearchQuery,
        viewer: Viewer,
        limit: int,
    ) -> dict[Kind, list[Candidate]]:
        """Entries of each kind the viewer may see that match, best by text first, with their
        streams."""
        ...

    def page(
        self, track_ids: list[int], release_ids: list[int]
    ) -> tuple[dict[int, TrackView], dict[int, ReleaseView]]:
        """A page of hits read back from the catalog: these tracks, these releases and the
        tracks' releases, by id."""
        ...
