"""The search index's tables: one entry per track, release and artist, in folded words.

The engine's own text index sits beside them and is not mapped here: an FTS5 table on SQLite,
a tsvector column with a GIN index (and pg_trgm on the words) on PostgreSQL; see migration 0006.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db.models import Base


class SearchEntryRow(Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "entity_id", name="uq_search_entry"),
        Index("ix_search_entries_release", "release_id"),
        Index("ix_search_entries_isrc", "isrc"),
        Index("ix_search_entries_upc", "upc"),
        Index(
            "ix_search_entries_name",
            "kind",
            "name_key",
            postgresql_ops={"name_key": "text_pattern_ops"},  # LIKE 'start%' on any collation
        ),
        Index(  # the most played entries' names by their start (migration 0019)
            "ix_search_entries_popular_name",
            "kind",
            "name_key",
            postgresql_ops={"name_key": "text_pattern_ops"},
            postgresql_where=text("popular_rank IS NOT NULL"),
            sqlite_where=text("popular_rank IS NOT NULL"),
        ),
        Index(  # the most played in their order: a common word's matches walked by it
            "ix_search_entries_popular_rank",
            "kind",
            "popular_rank",
            postgresql_where=text("popular_rank IS NOT NULL"),
            sqlite_where=text("popular_rank IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # track | release | artist
    entity_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)  # as shown
    name_words: Mapped[str] = mapped_column(Text)  # folded (domain.search.fold)
    name_key: Mapped[str] = mapped_column(String(200))  # its start, indexed: names by their start
    artist_words: Mapped[str] = mapped_column(Text)
    album_words: Mapped[str] = mapped_column(Text)
    genre_words: Mapped[str] = mapped_column(Text)
    isrc: Mapped[str | None] = mapped_column(String(12))
    upc: Mapped[str | None] = mapped_column(String(14))
    # Visibility of tracks and releases (artists: through their releases, at query time).
    release_id: Mapped[int | None] = mapped_column(Integer)
    release_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    year: Mapped[int | None] = mapped_column(Integer)
    territories: Mapped[str] = mapped_column(Text, default="")
    explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    distributor_id: Mapped[int | None] = mapped_column(Integer)
    # Its place among its kind's most played of the last 28 days (1 the most; set at the
    # popularity rollup, None beyond the first POPULAR_PER_KIND): searched first, in this
    # order, so that a common word's candidates hold what people play.
    popular_rank: Mapped[int | None] = mapped_column(Integer)


class SearchWordRow(Base):
    """Every folded word the index holds: where typos are looked up (trigrams)."""

    __tablename__ = "search_words"
    word: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Entries that use it (counted as they are indexed, again at a rebuild): the word being typed
    # is looked up as its most used completions, the engines' prefix scans cost too much.
    entries: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class SearchPopularityRow(Base):
    """Counted streams of the last 28 days per track, release and artist, per listeners'
    country ("" for everywhere): rolled up daily, read for the few entries a query ranks."""

    __tablename__ = "search_popularity"
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    streams: Mapped[int] = mapped_column(Integer)
