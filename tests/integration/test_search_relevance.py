"""Relevance: what a listener types finds what they meant, on SQLite and on PostgreSQL alike.

Mean reciprocal rank over the queries of tests/fixtures/search_catalog.py (exact names, folded
spellings, starts of names, typos, other scripts, "feat." and "&", field filters).
"""

from __future__ import annotations

from cadenza.bootstrap import App
from tests.fixtures.search_catalog import load, mean_reciprocal_rank, queries, reciprocal_rank


def test_listeners_find_what_they_typed_first(app: App) -> None:
    load(app)
    mrr, missed = mean_reciprocal_rank(app)
    assert len(queries()) >= 200
    assert mrr >= 0.9, f"MRR {mrr:.3f}; not first: {missed}"
    print(f"MRR {mrr:.3f} over {len(queries())} queries; not first: {missed}")


def test_a_genre_beside_words_keeps_only_that_genre_and_may_be_typed_in_part(app: App) -> None:
    """On SQLite the genre is checked on the entries the words find rather than in the text
    index; it must mean the same: a start of one of the entry's genre words."""
    load(app)
    assert reciprocal_rank(app, "genre:afrobeat zombie", "release", "Zombie") == 1
    assert reciprocal_rank(app, "genre:afro zombie", "release", "Zombie") == 1  # typed in part
    assert reciprocal_rank(app, "genre:beat zombie", "release", "Zombie") == 0  # not a start
    assert reciprocal_rank(app, "genre:grunge zombie", "release", "Zombie") == 0  # another genre
