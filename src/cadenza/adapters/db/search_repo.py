"""The search index in SQL: entries kept beside the catalog, one text index per engine.

SQLite: an FTS5 table (unicode61) for words and prefixes, an FTS5 trigram table over the
vocabulary for typos. PostgreSQL: a weighted tsvector with a GIN index, pg_trgm over the
vocabulary. Both read the same entries and answer the same candidates; ranking is the domain's.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from cadenza.adapters.db import search_sql as sql
from cadenza.adapters.db.models import (
    ArtistRow,
    ReleaseArtistRow,
    ReleaseRow,
    TrackArtistRow,
    TrackRow,
)
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.adapters.db.models_search import SearchEntryRow, SearchPopularityRow, SearchWordRow
from cadenza.adapters.db.search_sql import CandidateSql, page_statement
from cadenza.domain.audio import Loudness, Quality
from cadenza.domain.catalog import (
    ArtistRef,
    EncodedAudio,
    ReleaseType,
    ReleaseView,
    TrackView,
    Viewer,
    as_utc,
)
from cadenza.domain.search import (
    POPULAR_WINDOW,
    Candidate,
    Expansion,
    Kind,
    SearchQuery,
    fold,
    words,
)
from cadenza.domain.territories import WORLDWIDE

E = SearchEntryRow
P = SearchPopularityRow
BATCH = 2000
COMPLETIONS = 16  # words a word being typed stands for in the text index
WINDOW = 3  # text matches taken per candidate asked for (visibility drops some)
FILTERED_WINDOW = 8  # times as many under a year or tag:new filter
_KIND_WORD = "kind"  # "kindtrack": a word in the kind column, so the text index filters kinds
_POPULAR_WORD = "kindpopular"  # and in a popular entry's (SQLite)
_POPULAR_CLAUSE = ("kind", [(_POPULAR_WORD, False)])
POPULAR_PER_KIND = 500  # the most played entries of each kind, searched first (in that order)
# Weights/columns: the name, the artists, the album (of a track), the genres.
_PG_WEIGHT = {"name": "A", "artists": "B", "album": "C", "genres": "D", "kind": "D"}
_TEXT_COLUMNS = ("name", "artists", "album")
# What an entry needs of a release and of a track (Core rows: ORM objects cost more to load).
_RELEASE_COLUMNS = (
    ReleaseRow.id,
    ReleaseRow.title,
    ReleaseRow.genres,
    ReleaseRow.upc,
    ReleaseRow.explicit,
    ReleaseRow.release_at,
    ReleaseRow.territories,
    ReleaseRow.distributor_id,
    ReleaseRow.taken_down_at,
)
_TRACK_COLUMNS = (
    TrackRow.id,
    TrackRow.release_id,
    TrackRow.title,
    TrackRow.genres,
    TrackRow.isrc,
    TrackRow.explicit,
)
_PG_CLEAN_GIN = text(
    "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
    "WHERE a.amname = 'gin' AND i.indrelid IN ('search_entries'::regclass, "
    "'search_words'::regclass)"
)
# A search's settings, for its transaction (set before its first statement that needs them):
# - no plan reads a whole table. Estimates made without the values (a plan kept for a statement
#   prepared on this connection), or wrong ones (`:w <% word` is expected to match a handful of
#   words, so the planner read all 45,000, 90 ms under load, rather than their trigram index),
#   never turn into a full scan.
# - the word similarity that `<%` accepts, for typos.
_PG_SEARCH_SETTINGS = text(
    "SELECT set_config('enable_seqscan', 'off', true), "
    "set_config('pg_trgm.word_similarity_threshold', '0.3', true)"
)


class _Completions:
    """The completions of typed starts, shared by one process's queries on one database:
    bounded, emptied whenever this process changes the vocabulary (and again when that change
    commits or rolls back), and each kept a second only, for other processes' changes (`cadenza
    ingest` or `cadenza search reindex` beside a running server)."""

    SIZE = 4096
    KEEP_S = 1.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.found: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()
        self.generation = 0

    def get(self, start: str) -> tuple[list[str] | None, int]:
        """The completions if still fresh, and the generation to put new ones under."""
        with self.lock:
            kept = self.found.get(start)
            if kept is not None and time.monotonic() - kept[0] < self.KEEP_S:
                self.found.move_to_end(start)
                return kept[1], self.generation
            return None, self.generation

    def put(self, start: str, completions: list[str], generation: int, at: float) -> None:
        with self.lock:
            if generation != self.generation:  # the vocabulary changed while they were read
                return
            self.found[start] = (at, completions)
            self.found.move_to_end(start)
            if len(self.found) > self.SIZE:
                self.found.popitem(last=False)

    def changed(self, *_: object) -> None:
        with self.lock:
            self.generation += 1
            self.found.clear()


_COMPLETIONS: WeakKeyDictionary[Engine, _Completions] = WeakKeyDictionary()
_COMPLETIONS_LOCK = threading.Lock()


def _completions_of(engine: Engine) -> _Completions:
    with _COMPLETIONS_LOCK:
        cache = _COMPLETIONS.get(engine)
        if cache is None:
            cache = _COMPLETIONS[engine] = _Completions()
        return cache


class SqlSearchIndex:
    def __init__(self, session: Session) -> None:
        self.s = session
        bind = session.get_bind()
        self.postgres = bind.dialect.name == "postgresql"
        self._completions = _completions_of(bind.engine)
        self._watching = False
        self._settled = False  # this transaction has the search's settings (PostgreSQL)
        self._rebuilding: Counter[str] | None = None  # a rebuild's words, counted as it goes

    # -- keeping the index current ----------------------------------------------------------
    def index_release(self, release_id: int) -> None:
        """(Re)index a release, its tracks and its artists, in the caller's transaction."""
        artist_ids = self._index_releases([release_id])
        self._index_artists(sorted(artist_ids))

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Empty the index and index the whole catalog; progress gets entries done."""
        self._clear()
        done = 0
        self._rebuilding = Counter()  # the words' uses, written once at the end
        try:
            for table, index in (
                (ReleaseRow, self._index_releases),
                (ArtistRow, self._index_artists),
            ):
                ids = list(self.s.scalars(select(table.id).order_by(table.id)))
                for start in range(0, len(ids), BATCH):
                    batch = ids[start : start + BATCH]
                    index(batch)
                    done += len(batch)
                    if progress:
                        progress(len(batch))
            self._add_words(self._rebuilding, fresh=True)
        finally:
            self._rebuilding = None
        self.mark_popular()  # as the last rollup counted
        if self.postgres:
            # Rows added to a GIN index wait in its pending list, read in full by every
            # search, until a vacuum: at 100,000 tracks a two-letter query took 25 ms in the
            # text index instead of 3 until they were merged. And fresh statistics.
            self.tidy()
        else:  # FTS5's segments, left by the batches, merged into one b-tree per table
            self.s.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
            self.s.execute(
                text("INSERT INTO search_words_tri(search_words_tri) VALUES ('optimize')")
            )
        return done

    def size(self) -> tuple[int, int]:
        """Releases plus artists in the catalog (what a rebuild walks), entries in the index."""
        releases = self.s.scalar(select(func.count()).select_from(ReleaseRow)) or 0
        artists = self.s.scalar(select(func.count()).select_from(ArtistRow)) or 0
        entries = self.s.scalar(select(func.count()).select_from(E)) or 0
        return releases + artists, entries

    def _settle(self) -> None:
        """The search's settings in this transaction (PostgreSQL), once."""
        if not self.postgres or self._settled:
            return
        self.s.execute(_PG_SEARCH_SETTINGS)
        self._settled = True
        event.listen(self.s, "after_transaction_end", self._unsettle, once=True)

    def _unsettle(self, *_: object) -> None:
        self._settled = False

    def _vocabulary_changed(self) -> None:
        """Forget the completions now, and again once this transaction ends."""
        self._completions.changed()
        if not self._watching:
            self._watching = True
            event.listen(self.s, "after_commit", self._completions.changed, once=True)
            event.listen(self.s, "after_rollback", self._completions.changed, once=True)

    def _clear(self) -> None:
        self._vocabulary_changed()
        self.s.execute(delete(E))
        self.s.execute(delete(SearchWordRow))
        if not self.postgres:
            self.s.execute(text("DELETE FROM search_fts"))
            self.s.execute(text("DELETE FROM search_words_tri"))

    def _index_releases(self, release_ids: list[int]) -> set[int]:
        """Entries for these releases and their tracks; returns the artists they name."""
        releases = list(
            self.s.execute(select(*_RELEASE_COLUMNS).where(ReleaseRow.id.in_(release_ids)))
        )
        release_artists = self._names(
            select(ReleaseArtistRow.release_id, ArtistRow.id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == ReleaseArtistRow.artist_id)
            .where(ReleaseArtistRow.release_id.in_(release_ids))
            .order_by(ReleaseArtistRow.release_id, ReleaseArtistRow.position)
        )
        tracks = list(  # in their order: a release's entries keep it
            self.s.execute(
                select(*_TRACK_COLUMNS)
                .where(TrackRow.release_id.in_(release_ids))
                .order_by(TrackRow.id)
            )
        )
        track_artists = self._names(
            select(TrackArtistRow.track_id, ArtistRow.id, ArtistRow.name)
            .join(ArtistRow, ArtistRow.id == TrackArtistRow.artist_id)
            .join(TrackRow, TrackRow.id == TrackArtistRow.track_id)
            .where(TrackRow.release_id.in_(release_ids))
            .order_by(TrackArtistRow.track_id, TrackArtistRow.position)
        )
        old = select(E.id, E.kind, E.entity_id, E.popular_rank).where(
            or_(
                and_(E.kind == Kind.RELEASE.value, E.entity_id.in_(release_ids)),
                and_(E.kind == Kind.TRACK.value, E.release_id.in_(release_ids)),
            )
        )
        ranks: dict[tuple[str, int], int] = {}
        if self._rebuilding is None:  # a rebuild starts from an empty index
            ranks = self._replace(old)
        releases = [r for r in releases if r.taken_down_at is None]  # taken down: no entries
        by_id = {r.id: r for r in releases}
        rows: list[dict[str, Any]] = []
        for r in releases:
            names = [n for _, n in release_artists[r.id]]
            rows.append(
                _entry(Kind.RELEASE, r.id, r.title, names, "", r.genres, r)
                | {"upc": r.upc, "explicit": r.explicit}
            )
        for t in tracks:
            if t.release_id not in by_id:
                continue
            release = by_id[t.release_id]
            names = [n for _, n in track_artists[t.id]]
            genres = list(t.genres) + list(release.genres)
            rows.append(
                _entry(Kind.TRACK, t.id, t.title, names, release.title, genres, release)
                | {"isrc": t.isrc, "explicit": t.explicit}
            )
        self._add([r | {"popular_rank": ranks.get((r["kind"], r["entity_id"]))} for r in rows])
        artist_ids = {a for refs in release_artists.values() for a, _ in refs}
        return artist_ids | {a for refs in track_artists.values() for a, _ in refs}

    def _index_artists(self, artist_ids: list[int]) -> set[int]:
        """Entries for the artists that have a release or a track not taken down; each carries
        when and where its music is out (its first release, every territory), so a query checks
        an artist's visibility on its own entry."""
        if not artist_ids:
            return set()
        ranks: dict[tuple[str, int], int] = {}
        if self._rebuilding is None:
            old = select(E.id, E.kind, E.entity_id, E.popular_rank).where(
                E.kind == Kind.ARTIST.value, E.entity_id.in_(artist_ids)
            )
            ranks = self._replace(old)
        live = ReleaseRow.taken_down_at.is_(None)
        own = (
            select(ReleaseArtistRow.artist_id, ReleaseRow.release_at, ReleaseRow.territories)
            .add_columns(ReleaseRow.genres)
            .join(ReleaseRow, ReleaseRow.id == ReleaseArtistRow.release_id)
            .where(ReleaseArtistRow.artist_id.in_(artist_ids), live)
        )
        on_tracks = (
            select(TrackArtistRow.artist_id, ReleaseRow.release_at, ReleaseRow.territories)
            .add_columns(literal(None).label("genres"))
            .join(TrackRow, TrackRow.id == TrackArtistRow.track_id)
            .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .where(TrackArtistRow.artist_id.in_(artist_ids), live)
            .distinct()
        )
        out: dict[int, list[Any]] = {}  # artist -> [first release, territories, genres]
        for statement in (own, on_tracks):
            for artist_id, released, territories, release_genres in self.s.execute(statement):
                seen = out.setdefault(artist_id, [as_utc(released), set(), set()])
                seen[0] = min(seen[0], as_utc(released))
                seen[1].update(territories.split())
                seen[2].update(release_genres or [])
        artists = self.s.execute(
            select(ArtistRow.id, ArtistRow.name).where(ArtistRow.id.in_(list(out)))
        )
        rows = []
        for artist_id, name in artists:
            first, places, genres = out[artist_id]
            where = WORLDWIDE if WORLDWIDE in places else " ".join(sorted(places))
            row = _entry(Kind.ARTIST, artist_id, name, [], "", sorted(genres), None)
            rank = ranks.get((Kind.ARTIST.value, artist_id))
            rows.append(row | {"release_at": first, "territories": where, "popular_rank": rank})
        self._add(rows)
        return set(artist_ids)

    def _replace(self, old: Any) -> dict[tuple[str, int], int]:
        """Remove these entries (id, kind, entity_id, popular_rank); returns the ranked ones'
        ranks by (kind, entity_id): indexed again, they keep them (until the next rollup)."""
        found = list(self.s.execute(old))
        self._remove([r.id for r in found])
        return {(r.kind, r.entity_id): r.popular_rank for r in found if r.popular_rank}

    def _names(self, query: Any) -> dict[int, list[tuple[int, str]]]:
        found: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for owner, artist_id, name in self.s.execute(query):
            found[owner].append((artist_id, name))
        return found

    def _remove(self, entry_ids: list[int]) -> None:
        for start in range(0, len(entry_ids), BATCH):
            batch = entry_ids[start : start + BATCH]
            self.s.execute(delete(E).where(E.id.in_(batch)))
            if not self.postgres:
                marks = ",".join(str(int(i)) for i in batch)
                self.s.execute(text(f"DELETE FROM search_fts WHERE rowid IN ({marks})"))  # noqa: S608

    def _add(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        entries = self.s.connection()  # Core executemany: the ORM's bulk insert cost more
        if self.postgres:
            entries.execute(insert(E), rows)
        else:
            # Ids chosen here, for the FTS rows: safe, as the publishing transaction already
            # holds SQLite's one write lock (and a rebuild takes it with its first delete).
            first = (self.s.scalar(select(func.max(E.id))) or 0) + 1
            rows = [r | {"id": first + n} for n, r in enumerate(rows)]
            entries.execute(insert(E), rows)
            entries.execute(
                text(
                    "INSERT INTO search_fts(rowid, name, artists, album, genres, kind) "
                    "VALUES (:id, :name_words, :artist_words, :album_words, :genre_words, "
                    ":kind_word)"
                ),
                [r | {"kind_word": _kind_words(r)} for r in rows],
            )
        uses: Counter[str] = Counter()
        for r in rows:
            text_words = f"{r['name_words']} {r['artist_words']} {r['album_words']}".split()
            uses.update({w for w in text_words if len(w) <= 200})
        if self._rebuilding is not None:
            self._rebuilding.update(uses)
        else:
            self._add_words(uses)

    def _add_words(self, uses: Counter[str], *, fresh: bool = False) -> None:
        """Add the new words to the vocabulary (and SQLite's trigram table), count the uses;
        fresh: the vocabulary is empty (a rebuild), every word is new."""
        vocabulary = sorted(uses)
        self._vocabulary_changed()
        if not vocabulary:  # an executemany of no rows would insert one empty row
            return
        if fresh:
            words_ = self.s.connection()
            words_.execute(
                insert(SearchWordRow),
                [{"word": w, "entries": uses[w]} for w in vocabulary],
            )
            if not self.postgres:
                words_.execute(
                    text("INSERT INTO search_words_tri(word) VALUES (:word)"),
                    [{"word": w} for w in vocabulary],
                )
            return
        for start in range(0, len(vocabulary), 500):
            chunk = [{"word": w, "entries": uses[w]} for w in vocabulary[start : start + 500]]
            if self.postgres:
                upsert = pg_insert(SearchWordRow).values(chunk)
                self.s.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[SearchWordRow.word],
                        set_={"entries": SearchWordRow.entries + upsert.excluded.entries},
                    )
                )
                continue
            lite = sqlite_insert(SearchWordRow).values(chunk)
            counted = lite.on_conflict_do_update(
                index_elements=[SearchWordRow.word],
                set_={"entries": SearchWordRow.entries + lite.excluded.entries},
            ).returning(SearchWordRow.word, SearchWordRow.entries)
            # A word is new when its count is only this batch's uses.
            new = [w for w, n in self.s.execute(counted) if n == uses[w]]
            if new:
                self.s.execute(
                    text("INSERT INTO search_words_tri(word) VALUES (:word)"),
                    [{"word": w} for w in new],
                )

    # -- typos -------------------------------------------------------------------------------
    def is_known(self, word: str, *, prefix: bool) -> bool:
        """Whether the index holds this word (a word starting with it, when prefix)."""
        if prefix:
            return bool(self.completions(word))
        return self.s.scalar(select(literal(1)).where(SearchWordRow.word == word)) is not None

    def completions(self, start: str) -> list[str]:
        """The most used indexed words that begin with what is being typed (itself first, when
        it is a word): what the word being typed stands for in the text index."""
        found, generation = self._completions.get(start)
        if found is not None:
            return found
        at = time.monotonic()
        begins: ColumnElement[bool]
        if self.postgres:
            begins = SearchWordRow.word.like(_like_prefix(start), escape="\\")
        else:
            begins = and_(SearchWordRow.word >= start, SearchWordRow.word < start + "\U0010ffff")
        query = (
            select(SearchWordRow.word)
            .where(begins)
            .order_by((SearchWordRow.word == start).desc(), SearchWordRow.entries.desc())
            .limit(COMPLETIONS)
        )
        found = list(self.s.scalars(query))
        self._completions.put(start, found, generation, at)
        return found

    def _typed_start(self, start: str) -> list[tuple[str, bool]]:
        """What the word being typed asks the text index for: SQLite's prefix index answers
        two or three letters as they come; longer starts (and PostgreSQL's, which merge every
        word's matches before the first one is read) become their most used words."""
        if not self.postgres and len(start) <= 3:
            return [(start, True)]
        return [(w, False) for w in self.completions(start)] or [(start, False)]

    def similar_words(self, word: str, limit: int = 120) -> list[str]:
        """Indexed words sharing trigrams with this one, or its first letter and about its
        length (a short word's typo leaves few trigrams intact): candidates for a correction."""
        around = (
            select(SearchWordRow.word)
            .where(
                SearchWordRow.word >= word[0],
                SearchWordRow.word < word[0] + "\U0010ffff",
                func.length(SearchWordRow.word).between(len(word) - 1, len(word) + 1),
            )
            .order_by(SearchWordRow.entries.desc())  # the most used first
            .limit(limit)
        )
        return list(
            dict.fromkeys([*self._trigram_neighbours(word, limit), *self.s.scalars(around)])
        )

    def _trigram_neighbours(self, word: str, limit: int) -> list[str]:
        if self.postgres:
            self._settle()
            query = text(
                "SELECT word FROM search_words WHERE :w <% word ORDER BY :w <<-> word LIMIT :n"
            )
            return list(self.s.scalars(query, {"w": word, "n": limit}))
        grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        if not grams:
            return []
        match = " OR ".join(_quote(g) for g in grams)
        query = text(
            "SELECT word FROM search_words_tri WHERE search_words_tri MATCH :m "
            "ORDER BY rank LIMIT :n"
        )
        return list(self.s.scalars(query, {"m": match, "n": limit}))

    # -- finding ------------------------------------------------------------------------------
    def candidates(
        self,
        kinds: list[Kind],
        expansion: Expansion,
        query: SearchQuery,
        viewer: Viewer,
        limit: int,
    ) -> dict[Kind, list[Candidate]]:
        """Visible entries of each kind that match the words and the filters, best by text
        first, with their counted streams of the last 28 days (as last rolled up): every kind
        in one statement."""
        if not kinds:
            return {}
        asked = [self._candidate_sql(kind, expansion, query, viewer, limit) for kind in kinds]
        found: dict[Kind, dict[int, Any]] = {kind: {} for kind in kinds}
        statement, values = sql.statement(asked, viewer)
        self._settle()
        for row in self.s.connection().execute(statement, values):
            found[Kind(row[0])].setdefault(row[1], row)
        return {
            kind: [
                Candidate(
                    kind=kind,
                    id=r[1],
                    name=r[2],
                    name_words=r[3],
                    other_words=f"{r[4]} {r[5]}".strip(),
                    # an artist's date says when its music came out, not that the artist is new
                    released_at=as_utc(r[6])
                    if r[6] is not None and kind is not Kind.ARTIST
                    else None,
                    streams_country=r[7] or 0,
                    streams=r[8] or 0,
                )
                for r in rows.values()
            ]
            for kind, rows in found.items()
        }

    def _candidate_sql(
        self, kind: Kind, expansion: Expansion, query: SearchQuery, viewer: Viewer, limit: int
    ) -> CandidateSql:
        candidate_sql = CandidateSql(kind, query, viewer, self.postgres)
        clauses = _text_clauses(kind, expansion, query, self._typed_start)
        if not clauses:
            candidate_sql.newest(limit)
            return candidate_sql
        if not self.postgres:  # PostgreSQL: one text index per kind
            clauses.append(("kind", [(_KIND_WORD + kind.value, False)]))
        # Ranking every match costs as much as there are matches ("lo" finds a third of a
        # catalog), so the engine hands over matches as they come, and names that are or
        # start with what was typed are looked up by their start, in an index.
        if query.terms and not (query.artist or query.album or query.track or query.genre):
            candidate_sql.named(" ".join(query.terms), limit)
            candidate_sql.popular_named(limit // 2)
        # SQLite reads the first matches of the text index, then filters them; a filter
        # outside it (a year, tag:new) drops more, so more are read, but not all: "love
        # year:2013-2026" read every "love" of 1,000,000 tracks (450 ms). ISRC and UPC
        # name one entry: every match is read.
        window: int | None = limit * WINDOW
        if query.year_from is not None or query.tag_new:
            window = limit * WINDOW * FILTERED_WINDOW
        if query.isrc or query.upc:
            window = None
        match = _pg_query(clauses) if self.postgres else _fts_query(clauses)
        candidate_sql.matching(match, limit, window)
        if not (query.isrc or query.upc):  # those name one entry, found above
            popular = match if self.postgres else _fts_query([*clauses, _POPULAR_CLAUSE])
            candidate_sql.popular_matching(popular, limit // 2)
        return candidate_sql

    # -- the page, read back from the catalog -------------------------------------------------
    def page(
        self, track_ids: list[int], release_ids: list[int]
    ) -> tuple[dict[int, TrackView], dict[int, ReleaseView]]:
        """The page's tracks and releases (the hits' and the tracks' own), in one statement."""
        if not track_ids and not release_ids:
            return {}, {}
        parts: dict[int, list[Any]] = defaultdict(list)
        rows = self.s.connection().execute(
            page_statement(self.postgres), {"track_ids": track_ids, "release_ids": release_ids}
        )
        for row in rows:
            parts[row[0]].append(row)
        track_artists: dict[int, list[tuple[int, str, ArtistRef]]] = defaultdict(list)
        for r in parts[sql.TRACK_ARTIST]:
            track_artists[r.owner].append((r.n2, r.t1, ArtistRef(r.n1, r.t2)))
        files: dict[int, list[EncodedAudio]] = defaultdict(list)
        for r in parts[sql.FILE]:
            files[r.owner].append(EncodedAudio(Quality(r.t1), r.t2, r.n1, r.n2))
        order = list(Quality)
        tracks = {}
        for r in parts[sql.TRACK]:
            named = [(role, a) for _, role, a in sorted(track_artists[r.owner], key=_first)]
            tracks[r.owner] = TrackView(
                id=r.owner,
                release_id=r.n1,
                title=r.t1,
                isrc=r.t2,
                artists=tuple(a for role, a in named if role == "main"),
                featured_artists=tuple(a for role, a in named if role == "featured"),
                disc_number=r.n2,
                track_number=r.n3,
                duration_ms=r.n4,
                explicit=bool(r.b1),
                genres=tuple(r.j1),
                loudness=Loudness(r.f1, r.f2),
                files=tuple(sorted(files[r.owner], key=lambda f: order.index(f.quality))),
            )
        release_artists: dict[int, list[tuple[int, ArtistRef]]] = defaultdict(list)
        for r in parts[sql.RELEASE_ARTIST]:
            release_artists[r.owner].append((r.n2, ArtistRef(r.n1, r.t2)))
        covers: dict[int, dict[int, str]] = defaultdict(dict)
        for r in parts[sql.COVER]:
            covers[r.owner][r.n1] = r.t2
        releases = {}
        for r in parts[sql.RELEASE]:
            releases[r.owner] = ReleaseView(
                id=r.owner,
                distributor_id=r.n1,
                title=r.t1,
                release_type=ReleaseType(r.t2),
                upc=r.t3,
                label=r.t4,
                release_at=as_utc(r.d1),
                territories=tuple(r.t5.split()),
                explicit=bool(r.b1),
                copyright_lines=tuple(r.j2),
                genres=tuple(r.j1),
                artists=tuple(a for _, a in sorted(release_artists[r.owner], key=_first)),
                covers=covers[r.owner],
                loudness=Loudness(r.f1, r.f2) if r.f1 is not None and r.f2 is not None else None,
                taken_down_at=as_utc(r.d2) if r.d2 else None,
            )
        return tracks, releases

    # -- popularity, rolled up daily -------------------------------------------------------------
    def roll_up_popularity(self, now: datetime) -> int:
        """Count the last 28 days' counted streams again, per entry and listeners' country."""
        self.s.execute(delete(P))
        since = as_utc(now) - POPULAR_WINDOW
        owners: list[tuple[Kind, Any, Any]] = [
            (Kind.TRACK, PlayRow.track_id, None),
            (Kind.RELEASE, TrackRow.release_id, TrackRow.id == PlayRow.track_id),
            (Kind.ARTIST, TrackArtistRow.artist_id, TrackArtistRow.track_id == PlayRow.track_id),
        ]
        columns = ["kind", "entity_id", "country", "streams"]
        for kind, owner, on in owners:
            for country in (UserRow.country, literal("")):
                query = select(literal(kind.value), owner, country, func.count()).select_from(
                    PlayRow
                )
                if on is not None:
                    query = query.join(owner.table, on)
                query = query.join(UserRow, UserRow.id == PlayRow.user_id).where(
                    PlayRow.counted.is_(True), PlayRow.started_at >= since
                )
                if country is UserRow.country:  # per country; "" below: everywhere
                    query = query.where(UserRow.country != "").group_by(owner, country)
                else:
                    query = query.group_by(owner)
                self.s.execute(insert(P).from_select(columns, query))
        self.mark_popular()
        return self.s.scalar(select(func.count()).select_from(P)) or 0

    def mark_popular(self) -> None:
        """Rank each kind's most played entries (everywhere, as last rolled up) in
        `popular_rank`, and no other; on SQLite the FTS rows of those ranked now and not before
        (or before and not now) say so too. One pass in the entries' order (as a publication
        removes them), so that a publication at the same moment waits rather than deadlocks."""
        wanted: dict[int, int] = {}
        for kind in (Kind.TRACK, Kind.RELEASE, Kind.ARTIST):
            top = (
                select(E.id)
                .join(P, and_(P.kind == E.kind, P.entity_id == E.entity_id, P.country == ""))
                .where(E.kind == kind.value)
                .order_by(P.streams.desc(), E.id)
                .limit(POPULAR_PER_KIND)
            )
            wanted |= {entry: n for n, entry in enumerate(self.s.scalars(top), 1)}
        ranked = select(E.id, E.popular_rank).where(E.popular_rank.is_not(None))
        now: dict[int, int | None] = {entry: rank for entry, rank in self.s.execute(ranked)}
        changed = sorted(e for e in wanted.keys() | now.keys() if wanted.get(e) != now.get(e))
        for start in range(0, len(changed), BATCH):
            batch = changed[start : start + BATCH]
            self.s.connection().execute(
                update(E).where(E.id == bindparam("entry")).values(popular_rank=bindparam("rank")),
                [{"entry": e, "rank": wanted.get(e)} for e in batch],
            )
            if not self.postgres:  # ranked now or no more: the FTS row's kind column says it
                self._rewrite_fts([e for e in batch if (e in wanted) != (e in now)])

    def tidy(self) -> None:
        """PostgreSQL, after a rollup or a rebuild: the planner learns how few entries are
        ranked (guessing a third of them, the plans it keeps for prepared statements read
        every match of a common word: 600 ms at p95 for prefixes on the 1,000,000-track bench
        until an ANALYZE) and the rollup's fresh rows; the changed entries, which went into
        every GIN index's pending list that each search reads in full (13 ms more a query
        after 30,000 changes), are merged into the indexes."""
        if self.postgres:
            self.s.execute(text("ANALYZE search_entries, search_popularity"))
            self.s.execute(_PG_CLEAN_GIN)

    def _rewrite_fts(self, entry_ids: list[int]) -> None:
        """SQLite: these entries' FTS rows again, from the entries."""
        if not entry_ids:
            return
        marks = ",".join(str(int(i)) for i in entry_ids)
        self.s.execute(text(f"DELETE FROM search_fts WHERE rowid IN ({marks})"))  # noqa: S608
        rows = self.s.execute(
            select(
                E.id,
                E.kind,
                E.popular_rank,
                E.name_words,
                E.artist_words,
                E.album_words,
                E.genre_words,
            ).where(E.id.in_(entry_ids))
        )
        self.s.connection().execute(
            text(
                "INSERT INTO search_fts(rowid, name, artists, album, genres, kind) "
                "VALUES (:id, :name_words, :artist_words, :album_words, :genre_words, "
                ":kind_word)"
            ),
            [r._asdict() | {"kind_word": _kind_words(r._asdict())} for r in rows],
        )


def _kind_words(entry: dict[str, Any]) -> str:
    """What SQLite's FTS row holds in its kind column: the kind, and whether it is ranked among
    the most played."""
    kind = _KIND_WORD + entry["kind"]
    return f"{kind} {_POPULAR_WORD}" if entry.get("popular_rank") is not None else kind


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def _entry(
    kind: Kind,
    entity_id: int,
    name: str,
    artists: Iterable[str],
    album: str,
    genres: Iterable[str],
    release: Any,
) -> dict[str, Any]:
    """An entry's row; release: the release's row (a Core row of _RELEASE_COLUMNS, or its ORM
    row), None for an artist."""
    folded, joined = _folded(name)
    released = as_utc(release.release_at) if release is not None else None
    return {
        "kind": kind.value,
        "entity_id": entity_id,
        "name": name,
        "name_words": folded + joined,
        "name_key": folded[:200],
        "artist_words": " ".join(_name_words(a) for a in artists),
        "album_words": _folded(album)[0],
        "genre_words": fold(" ".join(genres)),
        "isrc": None,
        "upc": None,
        "release_id": release.id if release is not None else None,
        "release_at": released,
        "year": released.year if released is not None else None,
        "territories": release.territories if release is not None else "",
        "explicit": False,
        "distributor_id": release.distributor_id if release is not None else None,
        "popular_rank": None,
    }


@lru_cache(maxsize=65536)
def _folded(name: str) -> tuple[str, str]:
    """The folded name, and its words run together (" acdc") when they are short: "AC/DC" and
    "Jay-Z" are found as "acdc" and "jayz" too. Cached: an artist or album name recurs on
    every track."""
    parts = words(name)
    joined = "".join(parts)
    if 1 < len(parts) <= 4 and len(joined) <= 24 and all(len(p) <= 4 for p in parts):
        return " ".join(parts), " " + joined
    return " ".join(parts), ""


def _name_words(name: str) -> str:
    folded, joined = _folded(name)
    return folded + joined


def _text_clauses(
    kind: Kind,
    expansion: Expansion,
    query: SearchQuery,
    typed_start: Callable[[str], list[tuple[str, bool]]],
) -> list[tuple[str, list[tuple[str, bool]]]]:
    """(columns, [(word, prefix)]) groups, all of which must match: a typed word (any of its
    spellings) in the name, artists or album; each filter's words in its own column."""
    clauses: list[tuple[str, list[tuple[str, bool]]]] = []
    last = len(expansion.words) - 1
    for i, (typed, variants) in enumerate(expansion.words):
        typing = expansion.last_is_prefix and i == last
        options = typed_start(typed) if typing else [(typed, False)]
        # close spellings are whole indexed words
        options += [(v, False) for v in variants if v != typed and (v, False) not in options]
        clauses.append((" ".join(_TEXT_COLUMNS), options))
    name_column = "name"
    artist_column = "name" if kind is Kind.ARTIST else "artists"
    album_column = "name" if kind is Kind.RELEASE else "album"
    for value, column in (
        (query.artist, artist_column),
        (query.album, album_column),
        (query.track, name_column),
        (query.genre, "genres"),
    ):
        given = words(value)
        for i, word in enumerate(given):
            if column == "genres":  # genres are few words, not in the vocabulary: as typed
                clauses.append((column, [(word, True)]))
            elif i == len(given) - 1:  # the filter's last word may still be being typed
                clauses.append((column, typed_start(word)))
            else:  # its words before the last are whole
                clauses.append((column, [(word, False)]))
    return clauses


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _fts_query(clauses: list[tuple[str, list[tuple[str, bool]]]]) -> str:
    parts = []
    for columns, options in clauses:
        alternatives = " OR ".join(_quote(w) + ("*" if prefix else "") for w, prefix in options)
        parts.append("{" + columns + "} : (" + alternatives + ")")
    return " AND ".join(parts)


def _pg_query(clauses: list[tuple[str, list[tuple[str, bool]]]]) -> str:
    parts = []
    for columns, options in clauses:
        weights = "".join(_PG_WEIGHT[c] for c in columns.split())
        alternatives = " | ".join(
            "'" + w.replace("'", "''") + "':" + ("*" if prefix else "") + weights
            for w, prefix in options
        )
        parts.append("(" + alternatives + ")")
    return " & ".join(parts)


def _like_prefix(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
