"""A search query's candidates as one SQL statement written out, per engine.

Built as text rather than as SQLAlchemy expressions: building and compiling the expression tree
of a query (filters, visibility, the text index's subquery, the union, the popularity joins)
cost more than running it, several times over, at every query.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    Text,
    TextClause,
    bindparam,
    column,
    text,
)
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.selectable import TextualSelect

from cadenza.domain.catalog import Viewer, as_utc
from cadenza.domain.search import NEW_RELEASE_DAYS, Kind, SearchQuery, words
from cadenza.domain.territories import WORLDWIDE

_COLUMNS = "e.entity_id, e.name, e.name_words, e.artist_words, e.album_words, e.release_at"
_TYPED: list[ColumnClause[Any]] = [
    column("kind", Text),
    column("entity_id", Integer),
    column("name", Text),
    column("name_words", Text),
    column("artist_words", Text),
    column("album_words", Text),
    column("release_at", DateTime(timezone=True)),
    column("streams_country", Integer),
    column("streams", Integer),
]
_DATES = ("now", "new_since")
# Disjoint tiers of entries read in turn by PostgreSQL's text branch: the entries of the two
# sample indexes (migration 0019, their predicates written as there), then the rest.
SAMPLE_TIERS = (
    "(e.id % 256) = 0",
    "(e.id % 16) = 0 AND (e.id % 256) <> 0",
    "(e.id % 16) <> 0",
)


class CandidateSql:
    """Collects the branches (each a LIMITed SELECT over search_entries e) and their values."""

    def __init__(
        self,
        kind: Kind,
        query: SearchQuery,
        viewer: Viewer,
        postgres: bool,
        genre_apart: bool = False,
    ) -> None:
        self.postgres = postgres
        self.genre_apart = genre_apart
        self.kind = kind
        self.values: dict[str, Any] = {}
        self.branches: list[str] = []
        # The kind written out (one of three fixed words, never typed): PostgreSQL picks its
        # partial text index of that kind only when the plan sees which kind it is.
        where = f"e.kind = '{kind.value}' AND "
        self.where = where + self._visible(kind, viewer) + self._filters(query, viewer)
        # The name branch says "= 'WORLDWIDE'" too (the same entries): PostgreSQL estimates it
        # from the column's statistics, where the LIKE over an expression gets a guess of a few
        # rows, and it then sorted every name with the typed start (3,300 for "ba" at 100,000
        # tracks) instead of reading the name index in order up to the limit. Not the text
        # branch: there the planner, trusting that most entries are visible, read the table in
        # order until enough matched, slow for a word that few entries hold.
        worldwide = self._lists("everywhere")
        self.where_named = self.where.replace(
            worldwide, f"e.territories = '{WORLDWIDE}' OR {worldwide}", 1
        )

    def _visible(self, kind: Kind, viewer: Viewer) -> str:
        if kind is Kind.PLAYLIST:
            return self._playlist_visible(viewer)
        wrap = "%" if self.postgres else ""  # LIKE's pattern, or instr's text
        self.values |= {"now": as_utc(viewer.now), "everywhere": f"{wrap} {WORLDWIDE} {wrap}"}
        places = self._lists("everywhere")
        if viewer.country:
            self.values["here"] = f"{wrap} {viewer.country.upper()[:2]} {wrap}"
            places += f" OR {self._lists('here')}"
        allowed = f"(e.release_at <= :now AND ({places}))"
        if viewer.distributor_id is not None:
            self.values["distributor"] = viewer.distributor_id
            allowed = f"({allowed} OR e.distributor_id = :distributor)"
        if kind is Kind.TRACK and not viewer.allow_explicit:
            allowed = f"({allowed} AND NOT e.explicit)"
        return allowed

    def _lists(self, value: str) -> str:
        """The entry's territories hold this one (the value: the code between spaces, as a
        LIKE pattern on PostgreSQL). SQLite: instr(), not LIKE: a LIKE with a bound pattern
        makes SQLite prepare the whole statement again (parse and plan, every kind's every
        branch) at each execution, for the pattern might allow an index (a quarter of a
        common word's candidates statement on the bench)."""
        padded = "(' ' || e.territories || ' ')"
        if self.postgres:
            return f"{padded} LIKE :{value}"
        return f"instr({padded}, :{value}) > 0"

    def _playlist_visible(self, viewer: Viewer) -> str:
        """A public playlist for everyone; a private one for its owner and those who joined it
        through an invite: asked of the playlist itself, so a playlist made private or deleted
        leaves at once whatever its entry says."""
        playlist = "SELECT 1 FROM playlists p WHERE p.id = e.entity_id"
        if viewer.listener_id is None:
            return f"EXISTS ({playlist} AND p.public)"
        self.values["listener"] = viewer.listener_id
        invited = (
            "SELECT 1 FROM playlist_followers f WHERE f.playlist_id = p.id "
            "AND f.user_id = :listener AND f.invited"
        )
        return f"EXISTS ({playlist} AND (p.public OR p.owner_id = :listener OR EXISTS ({invited})))"

    def _filters(self, query: SearchQuery, viewer: Viewer) -> str:
        found = ""
        if query.isrc:
            found += " AND e.isrc = :isrc"
            self.values["isrc"] = query.isrc
        if query.upc:
            found += " AND e.upc = :upc"
            self.values["upc"] = query.upc
        if query.year_from is not None and query.year_to is not None:
            found += " AND e.year BETWEEN :year_from AND :year_to"
            self.values |= {"year_from": query.year_from, "year_to": query.year_to}
        if query.tag_new:
            found += " AND e.release_at >= :new_since"
            self.values["new_since"] = as_utc(viewer.now) - timedelta(days=NEW_RELEASE_DAYS)
        if self.genre_apart:  # each of the genre's words starts one of the entry's genre words
            for n, word in enumerate(words(query.genre)):
                found += f" AND instr(' ' || e.genre_words, :genre{n}) > 0"
                self.values[f"genre{n}"] = " " + word
        return found

    def newest(self, limit: int) -> None:
        """No words: the newest visible entries."""
        self._branch("", "ORDER BY e.release_at DESC, e.id", limit)

    def matching(self, match: str, limit: int, window: int | None) -> None:
        """Entries the text index finds, as they come (SQLite: the first `window` of them)."""
        self.values["match"] = match
        if self.postgres:
            # The samples' matches first (one entry in 256, then one in 16, each its own GIN
            # index), then the rest's, up to the limit: a common word stops in a sample, a
            # rare one reads them all (two more index scans, well under a millisecond).
            found = "AND e.document @@ to_tsquery('simple', :match)"
            self._branch(found, "", limit, tiers=[f"{self.where} AND {t}" for t in SAMPLE_TIERS])
            return
        self.values["window"] = window or -1  # LIMIT -1: no limit, on SQLite
        fts = "SELECT rowid AS id FROM search_fts WHERE search_fts MATCH :match LIMIT :window"
        self._branch("", "", limit, join=f"JOIN ({fts}) fts ON fts.id = e.id")

    def popular_matching(self, match: str, limit: int) -> None:
        """The most played entries (`popular_rank`, a few hundred a kind) that the text index
        finds, the most played first: a common word's first matches are otherwise any of its
        thousands. SQLite: the text index of those entries alone (migration 0057), where a
        common word's or a two-letter start's doclist is a few hundred rows, not a large part
        of the catalog stepped through up to each popular entry."""
        self.values["popular_match"] = match
        if self.postgres:  # the GIN index over the popular entries
            found = (
                "AND e.popular_rank IS NOT NULL "
                "AND e.document @@ to_tsquery('simple', :popular_match)"
            )
            self._branch(found, "ORDER BY e.popular_rank", limit)
            return
        fts = "SELECT rowid AS id FROM search_popular_fts WHERE search_popular_fts MATCH :popular_match"
        self._branch(
            "", "ORDER BY e.popular_rank", limit, join=f"JOIN ({fts}) fts ON fts.id = e.id"
        )

    def popular_named(self, limit: int) -> None:
        """The most played entries whose name starts with what was typed, the most played first
        (after named())."""
        starts = f"AND e.popular_rank IS NOT NULL AND {self._starts()}"
        self._branch(starts, "ORDER BY e.popular_rank", limit, where=self.where_named)

    def named(self, typed: str, limit: int) -> None:
        """Entries whose name is, or starts with, what was typed (a B-tree on name_key)."""
        key = typed[:200]
        # every name with this start sorts between the start and the start + the last code point
        self.values |= {"key": key, "key_end": key + "\U0010ffff"}
        # In the index's order, so that the scan stops at the limit (a name that is the typed
        # text exactly sorts first); on PostgreSQL the index (text_pattern_ops) serves its own
        # ~>=~ and ~<~, and a range, not a LIKE, so that a plan made once for every start
        # still reads the index by it.
        order = "ORDER BY e.name_key" + (" USING ~<~" if self.postgres else "")
        self._branch(f"AND {self._starts()}", order, limit, where=self.where_named)

    def _starts(self) -> str:
        """name_key starts with :key (between it and :key_end)."""
        if self.postgres:
            return "e.name_key ~>=~ :key AND e.name_key ~<~ :key_end"
        return "e.name_key >= :key AND e.name_key < :key_end"

    def _branch(
        self,
        condition: str,
        order: str,
        limit: int,
        join: str = "",
        where: str | None = None,
        tiers: list[str] | None = None,
    ) -> None:
        """One LIMITed SELECT; with `tiers` (WHERE clauses of disjoint entries), each tier's
        matches in turn up to the one limit: PostgreSQL reads a tier only if those before it
        fell short."""
        n = len(self.branches)
        self.values[f"limit{n}"] = limit
        select = f"SELECT {_COLUMNS} FROM search_entries e {join} "  # noqa: S608
        parts = [
            select + f"WHERE {w} {condition} {order} LIMIT :limit{n}"
            for w in tiers or [where or self.where]
        ]
        found = parts[0]
        if len(parts) > 1:
            each = " UNION ALL ".join(f"({p})" for p in parts)
            found = f"SELECT * FROM ({each}) a{n} LIMIT :limit{n}"  # noqa: S608
        self.branches.append(f"SELECT * FROM ({found}) b{n}")  # noqa: S608

    def found(self) -> str:
        """The branches' entries (fixed fragments; every value is bound)."""
        return " UNION ALL ".join(self.branches)


def statement(kinds: list[CandidateSql], viewer: Viewer) -> tuple[TextualSelect, dict[str, Any]]:
    """Every kind's entries in one statement (one round trip, one plan), each row with its
    kind and its streams as last rolled up (in the viewer's country, everywhere); the statement
    and its values apart, so that a statement of the same shape is built (and compiled) once.
    Each kind's values are named after it (":track_now")."""
    values: dict[str, Any] = {"country": (viewer.country or "-").upper()[:2]}
    shapes = []
    for each in kinds:
        tag = each.kind.value
        values |= {f"{tag}_{name}": value for name, value in each.values.items()}
        shapes.append((tag, each.found(), tuple(sorted(each.values))))
    return _prepared(tuple(shapes)), values


@lru_cache(maxsize=512)
def _prepared(shapes: tuple[tuple[str, str, tuple[str, ...]], ...]) -> TextualSelect:
    parts, dates = [], []
    for tag, found, names in shapes:
        own = set(names)
        found = _renamed(found, tag, own)
        # Each candidate's streams by its key (subqueries, not joins: a join planned while the
        # rollup's fresh rows had no statistics read every row of the kind per candidate).
        streams = (
            "(SELECT p.streams FROM search_popularity p WHERE p.kind = '{tag}' "
            "AND p.entity_id = f.entity_id AND p.country = {country})"
        )
        here = streams.format(tag=tag, country=":country")
        everywhere = streams.format(tag=tag, country="''")
        parts.append(f"SELECT '{tag}' AS kind, f.*, {here}, {everywhere} FROM ({found}) f")  # noqa: S608
        dates += [f"{tag}_{d}" for d in _DATES if d in own]
    clause: TextClause = text(" UNION ALL ".join(parts))
    if dates:
        clause = clause.bindparams(*[bindparam(d, type_=DateTime(timezone=True)) for d in dates])
    return clause.columns(*_TYPED)


def _renamed(sql: str, tag: str, names: set[str]) -> str:
    """The SQL with these values' placeholders named after the kind (":now" -> ":track_now")."""
    # a bound value's name, as SQLAlchemy's text() finds them (not a "::" cast, not escaped)
    return re.sub(
        r"(?<![:\w\\]):(\w+)(?!:)", lambda m: f":{tag}_{m[1]}" if m[1] in names else m[0], sql
    )
