"""Search: what the listener typed, corrected and ranked, grouped by kind, only what they may see."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cadenza.domain.catalog import ArtistRef, ReleaseView, TrackView, Viewer
from cadenza.domain.playlists import Playlist
from cadenza.domain.podcasts import EpisodeSummary, ShowSummary
from cadenza.domain.search import (
    INDEXED_KINDS,
    Expansion,
    Kind,
    Scored,
    SearchQuery,
    close_words,
    edits_allowed,
    parse_query,
    rank,
)
from cadenza.ports.search import SearchIndex
from cadenza.ports.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
CANDIDATES = 40  # entries each of the engine's two sources hands over per kind, ranked here


@dataclass(frozen=True)
class Hit:
    kind: Kind
    id: int
    score: float
    artist: ArtistRef | None = None
    track: TrackView | None = None
    release: ReleaseView | None = None  # the release itself, or the track's release
    playlist: Playlist | None = None
    show: ShowSummary | None = None  # the show itself, or the episode's show
    episode: EpisodeSummary | None = None


@dataclass(frozen=True)
class Group:
    kind: Kind
    hits: list[Hit]
    limit: int
    offset: int
    more: bool


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    top: Hit | None
    groups: dict[Kind, Group]
    corrected: bool  # some typed word matched only as a close spelling


class SearchService:
    def __init__(
        self, uow: Callable[[], UnitOfWork], reads: Callable[[], UnitOfWork] | None = None
    ) -> None:
        self.uow = uow
        self.reads = reads or uow  # queries: a replica may answer them

    def search(
        self, raw: str, viewer: Viewer, kinds: list[Kind], limit: int = 20, offset: int = 0
    ) -> SearchResults:
        query = parse_query(raw)
        allowed = query.kinds_allowed()
        ranked: dict[Kind, list[Scored]] = {}
        with self.reads() as uow:
            expansion = expand(uow.search, query.terms)
            wanted = [
                kind
                for kind in kinds
                if kind in INDEXED_KINDS and kind in allowed and not query.empty
            ]
            window = max(CANDIDATES, offset + limit + 1)
            found = uow.search.candidates(wanted, expansion, query, viewer, window)
            for kind in kinds:
                ranked[kind] = rank(found.get(kind, []), query.terms, expansion, viewer.now)
            pages = {k: r[offset : offset + limit] for k, r in ranked.items()}
            hits = _hydrate(uow, pages)
            # It wrote nothing: ended by a commit, not a rollback, the connection keeps its
            # prepared statements (psycopg forgets them at every rollback) and their plans.
            uow.commit()
        groups = {
            kind: Group(kind, hits[kind], limit, offset, len(ranked[kind]) > offset + limit)
            for kind in kinds
        }
        firsts = [(r[0].score, hits[k][0]) for k, r in ranked.items() if r and hits[k]]
        top = max(firsts, key=lambda pair: pair[0])[1] if firsts and offset == 0 else None
        return SearchResults(query, top, groups, expansion.fuzzy)

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        with self.uow() as uow:
            done = uow.search.rebuild(progress)
            uow.commit()
            return done

    def roll_up_popularity(self, now: datetime) -> int:
        """Streams of the last 28 days per entry: ranking reads this daily rollup, so a query
        never counts plays."""
        with self.uow() as uow:
            rows = uow.search.roll_up_popularity(now)
            uow.commit()
        # The engine's upkeep apart, after the commit: a failure there loses no rollup.
        try:
            with self.uow() as uow:
                uow.search.tidy()
                uow.commit()
        except Exception:
            log.exception("search upkeep after the popularity rollup failed")
        return rows

    def recount_popularity(self, tracks: set[int], now: datetime, rank: bool = True) -> int:
        """The popularity of these tracks, their releases and their artists counted again from
        the counted plays (the `search-popularity` consumer, for a batch of counted plays): a
        count made again, never an addition, so a batch that comes twice counts nothing twice.
        Plays leaving the 28 days go at the daily rollup. `rank`: the most played of each kind
        ranked again too (it rewrites up to 500 entries' rows: not for every batch)."""
        with self.uow() as uow:
            rows = uow.search.roll_up_popularity(now, tracks, rank=rank)
            uow.commit()
        return rows

    def replace_popularity(self, rows: list[tuple[str, int, str, int]]) -> int:
        """The rollup counted by a batch engine over the archive (cadenza.batch), stored and
        ranked as roll_up_popularity's."""
        with self.uow() as uow:
            written = uow.search.replace_popularity(rows)
            uow.commit()
        return written

    def index_size(self) -> tuple[int, int]:
        with self.uow() as uow:
            return uow.search.size()

    def index_if_empty(self) -> bool:
        """A catalog published before search existed gets indexed once, at start-up."""
        catalog, entries = self.index_size()
        if catalog and not entries:
            self.reindex()
            return True
        return False


def expand(index: SearchIndex, terms: list[str]) -> Expansion:
    """Each typed word with the indexed spellings it may mean: itself when the index knows it,
    else the words within its typo budget (the last word is still being typed: a prefix)."""
    expanded: list[tuple[str, dict[str, int]]] = []
    for i, word in enumerate(terms):
        prefix = i == len(terms) - 1
        variants = {word: 0}
        if edits_allowed(word) and not index.is_known(word, prefix=prefix):
            similar = index.similar_words(word, prefix=prefix)
            close = close_words(word, similar, prefix=prefix)
            variants |= dict(sorted(close.items(), key=lambda kv: kv[1])[:12])
        expanded.append((word, variants))
    return Expansion(tuple(expanded))


def _hydrate(uow: UnitOfWork, pages: dict[Kind, list[Scored]]) -> dict[Kind, list[Hit]]:
    track_ids = [s.candidate.id for s in pages.get(Kind.TRACK, [])]
    release_ids = [s.candidate.id for s in pages.get(Kind.RELEASE, [])]
    tracks, releases = uow.search.page(track_ids, release_ids)
    playlists = uow.playlists.many([s.candidate.id for s in pages.get(Kind.PLAYLIST, [])])
    hits: dict[Kind, list[Hit]] = {}
    for kind, scored in pages.items():
        hits[kind] = []
        for s in scored:
            c = s.candidate
            if kind is Kind.ARTIST:
                hits[kind].append(Hit(kind, c.id, s.score, artist=ArtistRef(c.id, c.name)))
            elif kind is Kind.TRACK and c.id in tracks:
                track = tracks[c.id]
                release = releases.get(track.release_id)
                hits[kind].append(Hit(kind, c.id, s.score, track=track, release=release))
            elif kind is Kind.RELEASE and c.id in releases:
                hits[kind].append(Hit(kind, c.id, s.score, release=releases[c.id]))
            elif kind is Kind.PLAYLIST and c.id in playlists:
                hits[kind].append(Hit(kind, c.id, s.score, playlist=playlists[c.id]))
    return hits | _podcast_hits(uow, pages)


def _podcast_hits(uow: UnitOfWork, pages: dict[Kind, list[Scored]]) -> dict[Kind, list[Hit]]:
    """The page's shows and episodes (what a hit shows of them), in two reads; one gone since
    it was indexed is left out."""
    if not pages.get(Kind.SHOW) and not pages.get(Kind.EPISODE):
        return {kind: [] for kind in (Kind.SHOW, Kind.EPISODE) if kind in pages}
    shows, episodes = uow.podcasts.search_page(
        [s.candidate.id for s in pages.get(Kind.SHOW, [])],
        [s.candidate.id for s in pages.get(Kind.EPISODE, [])],
    )
    hits: dict[Kind, list[Hit]] = {}
    for kind in (Kind.SHOW, Kind.EPISODE):
        if kind not in pages:
            continue
        hits[kind] = []
        for s in pages[kind]:
            episode = episodes.get(s.candidate.id) if kind is Kind.EPISODE else None
            show = shows.get(episode.show_id if episode else s.candidate.id)
            if show is not None and (kind is Kind.SHOW or episode is not None):
                hits[kind].append(Hit(kind, s.candidate.id, s.score, show=show, episode=episode))
    return hits
