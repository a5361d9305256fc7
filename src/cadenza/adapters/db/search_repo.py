"""The search index in SQL: entries kept beside the catalog, one text index per engine.

SQLite: an FTS5 table (unicode61) for words and prefixes, an FTS5 trigram table over the
vocabulary for typos. PostgreSQL: a weighted tsvector with a GIN index, pg_trgm over the
vocabulary. Both read the same entries and answer the same candidates; ranking is the domain's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from cadenza.adapters.db import search_page_sql as page_sql
from cadenza.adapters.db import search_sql as sql
from cadenza.adapters.db.search_entries import SearchEntries
from cadenza.adapters.db.search_page_sql import page_statement
from cadenza.adapters.db.search_sql import CandidateSql
from cadenza.adapters.db.search_vocabulary import _KIND_WORD, _quote
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
from cadenza.domain.search import Candidate, Expansion, Kind, SearchQuery, words

WINDOW = 3  # text matches taken per candidate asked for (visibility drops some)
FILTERED_WINDOW = 8  # times as many under a year or tag:new filter

# Weights/columns: the name, the artists, the album (of a track), the genres.
_PG_WEIGHT = {"name": "A", "artists": "B", "album": "C", "genres": "D", "kind": "D"}
_TEXT_COLUMNS = ("name", "artists", "album")


class SqlSearchIndex(SearchEntries):
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
                    # an artist's date says when its music came out, not that the artist is new;
                    # a playlist's, when it was made
                    released_at=as_utc(r[6])
                    if r[6] is not None and kind not in (Kind.ARTIST, Kind.PLAYLIST, Kind.SHOW)
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
        # SQLite: a genre beside typed words is checked on the entries the words find, not in
        # the text index, where its prefix ("genre:soul" is soul*) made FTS5 gather every
        # entry of the genre, for each kind and branch: 30 ms a query at 1,000,000 tracks.
        genre_apart = bool(query.genre and expansion.words and not self.postgres)
        candidate_sql = CandidateSql(kind, query, viewer, self.postgres, genre_apart)
        clauses = _text_clauses(kind, expansion, query, self._typed_start, genre_apart)
        if not clauses:
            candidate_sql.newest(limit)
            return candidate_sql
        if not self.postgres and kind is not Kind.TRACK:  # PostgreSQL: one index per kind
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
        if query.year_from is not None or query.tag_new or genre_apart:
            window = limit * WINDOW * FILTERED_WINDOW
        if query.isrc or query.upc:
            window = None
        match = _pg_query(clauses) if self.postgres else _fts_query(clauses, kind)
        candidate_sql.matching(match, limit, window)
        if not (query.isrc or query.upc):  # those name one entry, found above
            candidate_sql.popular_matching(match, limit // 2)
        return candidate_sql

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
        for r in parts[page_sql.TRACK_ARTIST]:
            track_artists[r.owner].append((r.n2, r.t1, ArtistRef(r.n1, r.t2)))
        files: dict[int, list[EncodedAudio]] = defaultdict(list)
        for r in parts[page_sql.FILE]:
            files[r.owner].append(EncodedAudio(Quality(r.t1), r.t2, r.n1, r.n2))
        order = list(Quality)
        tracks = {}
        for r in parts[page_sql.TRACK]:
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
        for r in parts[page_sql.RELEASE_ARTIST]:
            release_artists[r.owner].append((r.n2, ArtistRef(r.n1, r.t2)))
        covers: dict[int, dict[int, str]] = defaultdict(dict)
        for r in parts[page_sql.COVER]:
            covers[r.owner][r.n1] = r.t2
        releases = {}
        for r in parts[page_sql.RELEASE]:
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


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def _text_clauses(
    kind: Kind,
    expansion: Expansion,
    query: SearchQuery,
    typed_start: Callable[[str], list[tuple[str, bool]]],
    genre_apart: bool = False,
) -> list[tuple[str, list[tuple[str, bool]]]]:
    """(columns, [(word, prefix)]) groups, all of which must match: a typed word (any of its
    spellings) in the name, artists or album; each filter's words in its own column (the
    genre's not, when `genre_apart`: CandidateSql checks it)."""
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
        ("" if genre_apart else query.genre, "genres"),
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


def _fts_query(clauses: list[tuple[str, list[tuple[str, bool]]]], kind: Kind | None = None) -> str:
    """The clauses for FTS5; with Kind.TRACK, tracks only, as the entries of no other kind.

    Every FTS row's kind column holds its kind's word, so both say the same rows; but FTS5
    answers an AND by stepping every phrase's doclist to the others' rowids, and `kindtrack`'s
    holds most of the catalog (1,000,000 rows on the bench): a few common words whose names in
    common are few ("red night life girl") stepped through it at 13 ms, against 8 ms through
    the other kinds' (docs/search-common-words.md)."""
    parts = []
    for columns, options in clauses:
        alternatives = " OR ".join(_quote(w) + ("*" if prefix else "") for w, prefix in options)
        parts.append("{" + columns + "} : (" + alternatives + ")")
    found = " AND ".join(parts)
    if kind is not Kind.TRACK:
        return found
    others = " OR ".join(_quote(_KIND_WORD + k.value) for k in Kind if k is not Kind.TRACK)
    return f"({found}) NOT {{kind}} : ({others})"


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
