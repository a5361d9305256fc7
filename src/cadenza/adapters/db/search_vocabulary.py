"""The search index's vocabulary in SQL: words and their uses, completions of a word being
typed, typos by trigrams; the popularity rollup; the settings a search runs with."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
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
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import dialect_insert
from cadenza.adapters.db.models import TrackArtistRow, TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.adapters.db.models_search import SearchEntryRow, SearchPopularityRow, SearchWordRow
from cadenza.adapters.db.search_completions import completions_of
from cadenza.domain.catalog import as_utc
from cadenza.domain.search import POPULAR_WINDOW, Kind, spelling_keys, typo_keys

E = SearchEntryRow
P = SearchPopularityRow
BATCH = 2000
COMPLETIONS = 16  # words a word being typed stands for in the text index
_KIND_WORD = "kind"  # "kindtrack": a word in the kind column, so the text index filters kinds
_POPULAR_WORD = "kindpopular"  # and in a popular entry's (SQLite)
_POPULARITY_LOCK = 0x43414450  # PostgreSQL's advisory lock of the popularity rollups
POPULAR_PER_KIND = 500  # the most played entries of each kind, searched first (in that order)
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


class SearchVocabulary:
    def __init__(self, session: Session) -> None:
        self.s = session
        bind = session.get_bind()
        self.postgres = bind.dialect.name == "postgresql"
        self._completions = completions_of(bind.engine)
        self._watching = False
        self._settled = False  # this transaction has the search's settings (PostgreSQL)
        self._rebuilding: Counter[str] | None = None  # a rebuild's words, counted as it goes

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
                self._add_spellings(vocabulary)
            return
        for start in range(0, len(vocabulary), 500):
            chunk = [{"word": w, "entries": uses[w]} for w in vocabulary[start : start + 500]]
            if self.postgres:
                upsert = dialect_insert("postgresql", SearchWordRow).values(chunk)
                self.s.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[SearchWordRow.word],
                        set_={"entries": SearchWordRow.entries + upsert.excluded.entries},
                    )
                )
                continue
            lite = dialect_insert("sqlite", SearchWordRow).values(chunk)
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
                self._add_spellings(new)

    def _add_spellings(self, new: list[str]) -> None:
        """SQLite: new words under their spelling keys (typo candidates, similar_words)."""
        insert_keys = text("INSERT OR IGNORE INTO search_spellings(key, word) VALUES (:k, :w)")
        connection = self.s.connection()
        rows: list[dict[str, str]] = []
        for word in new:
            rows += [{"k": k, "w": word} for k in spelling_keys(word)]
            if len(rows) >= 20_000:
                connection.execute(insert_keys, rows)
                rows = []
        if rows:
            connection.execute(insert_keys, rows)

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

    def similar_words(self, word: str, limit: int = 120, *, prefix: bool = False) -> list[str]:
        """Candidates for a correction. SQLite: the indexed words kept under one of the typed
        word's spelling keys (its start with letters deleted: domain.search.typo_keys), every
        word one typo away; PostgreSQL: words sharing trigrams with this one, or its first
        letter and about its length (a short word's typo leaves few trigrams intact)."""
        if not self.postgres:
            return self._spelled_alike(word, prefix=prefix)
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

    def _spelled_alike(self, word: str, *, prefix: bool) -> list[str]:
        keys = sorted(typo_keys(word, prefix=prefix))
        if not keys:
            return []
        query = text("SELECT DISTINCT word FROM search_spellings WHERE key IN :keys").bindparams(
            bindparam("keys", expanding=True)
        )
        return list(self.s.scalars(query, {"keys": keys}))

    def _trigram_neighbours(self, word: str, limit: int) -> list[str]:
        """PostgreSQL: the indexed words most like this one by pg_trgm's word similarity."""
        self._settle()
        query = text(
            "SELECT word FROM search_words WHERE :w <% word ORDER BY :w <<-> word LIMIT :n"
        )
        return list(self.s.scalars(query, {"w": word, "n": limit}))

    def roll_up_popularity(
        self, now: datetime, tracks: Collection[int] | None = None, *, rank: bool = True
    ) -> int:
        """The 28 days' streams counted again per entry and country (ports/search.py)."""
        self._lock_popularity()
        since = as_utc(now) - POPULAR_WINDOW
        owners: list[tuple[Kind, Any, Any]] = [
            (Kind.TRACK, PlayRow.track_id, None),
            (Kind.RELEASE, TrackRow.release_id, TrackRow.id == PlayRow.track_id),
            (Kind.ARTIST, TrackArtistRow.artist_id, TrackArtistRow.track_id == PlayRow.track_id),
        ]
        only = None if tracks is None else self._entities_of(sorted(set(tracks)))
        if only is None:
            self.s.execute(delete(P))
        columns = ["kind", "entity_id", "country", "streams"]
        for kind, owner, on in owners:
            if only is not None:
                self.s.execute(delete(P).where(P.kind == kind.value, P.entity_id.in_(only[kind])))
            for country in (UserRow.country, literal("")):
                query = select(literal(kind.value), owner, country, func.count()).select_from(
                    PlayRow
                )
                if on is not None:
                    query = query.join(owner.table, on)
                query = query.join(UserRow, UserRow.id == PlayRow.user_id).where(
                    PlayRow.counted.is_(True), PlayRow.started_at >= since
                )
                if only is not None:
                    query = query.where(owner.in_(only[kind]))
                if country is UserRow.country:  # per country; "" below: everywhere
                    query = query.where(UserRow.country != "").group_by(owner, country)
                else:
                    query = query.group_by(owner)
                self.s.execute(insert(P).from_select(columns, query))
        self.mark_popular() if rank else None
        rows = select(func.count()).select_from(P)
        if only is not None:
            rows = rows.where(
                or_(*(and_(P.kind == k.value, P.entity_id.in_(ids)) for k, ids in only.items()))
            )
        return self.s.scalar(rows) or 0

    def _entities_of(self, tracks: list[int]) -> dict[Kind, list[int]]:
        """These tracks, their releases and their artists, as the rollup counts them."""
        releases = select(TrackRow.release_id).where(TrackRow.id.in_(tracks)).distinct()
        artists = select(TrackArtistRow.artist_id).where(TrackArtistRow.track_id.in_(tracks))
        return {
            Kind.TRACK: tracks,
            Kind.RELEASE: sorted(self.s.scalars(releases)),
            Kind.ARTIST: sorted(set(self.s.scalars(artists))),
        }

    def _lock_popularity(self) -> None:
        """One rollup at a time, from its first statement (two recounting an entry at once
        would both insert its rows): a transaction's lock on PostgreSQL, the write lock on
        SQLite (a write takes it; this one changes nothing)."""
        if self.postgres:
            self.s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POPULARITY_LOCK})
        else:
            self.s.execute(delete(P).where(P.streams < 0))

    def replace_popularity(self, rows: list[tuple[str, int, str, int]]) -> int:
        self._lock_popularity()
        self.s.execute(delete(P))
        columns = ("kind", "entity_id", "country", "streams")
        for i in range(0, len(rows), 5_000):
            chunk = [dict(zip(columns, row, strict=True)) for row in rows[i : i + 5_000]]
            self.s.execute(insert(P), chunk)
        self.mark_popular()
        return len(rows)

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
        self._delete_fts(entry_ids)
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
        entries = [r._asdict() for r in rows]
        self.s.connection().execute(
            text(
                "INSERT INTO search_fts(rowid, name, artists, album, genres, kind) "
                "VALUES (:id, :name_words, :artist_words, :album_words, :genre_words, "
                ":kind_word)"
            ),
            [r | {"kind_word": _kind_words(r)} for r in entries],
        )
        self._add_popular_fts([r for r in entries if r["popular_rank"] is not None])

    def _delete_fts(self, entry_ids: list[int]) -> None:
        """SQLite: these entries' rows out of both text indexes."""
        marks = ",".join(str(int(i)) for i in entry_ids)
        for fts in ("search_fts", "search_popular_fts"):
            self.s.execute(text(f"DELETE FROM {fts} WHERE rowid IN ({marks})"))  # noqa: S608

    def _add_popular_fts(self, entries: list[dict[str, Any]]) -> None:
        """SQLite: the most played entries (ranked) into their own text index as well, which
        the popular branch of a query asks (search_sql.CandidateSql.popular_matching): a
        common word's or a short start's doclist there is a few hundred rows, where in
        `search_fts` it is a large part of the catalog."""
        if not entries:
            return
        self.s.connection().execute(
            text(
                "INSERT INTO search_popular_fts(rowid, name, artists, album, genres, kind) "
                "VALUES (:id, :name_words, :artist_words, :album_words, :genre_words, "
                ":kind_word)"
            ),
            [r | {"kind_word": _KIND_WORD + str(r["kind"])} for r in entries],
        )


def _kind_words(entry: dict[str, Any]) -> str:
    """What SQLite's FTS row holds in its kind column: the kind, and whether it is ranked among
    the most played (of its kind: "kindpopulartrack", a doclist of a few hundred rows that
    the popular branch asks for alone, where "kindtrack AND kindpopular" stepped through the
    kind's whole doclist; "kindpopular" stays for an index written before, migration 0054)."""
    name = str(entry["kind"])
    if entry.get("popular_rank") is None:
        return _KIND_WORD + name
    return f"{_KIND_WORD}{name} {_POPULAR_WORD} {_POPULAR_WORD}{name}"


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _like_prefix(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
