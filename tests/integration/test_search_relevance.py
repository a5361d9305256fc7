"""Relevance: what a listener types finds what they meant, on SQLite and on PostgreSQL alike.

Mean reciprocal rank over the queries of tests/fixtures/search_catalog.py (exact names, folded
spellings, starts of names, typos, other scripts, "feat." and "&", field filters).
"""

from __future__ import annotations

from cadenza.bootstrap import App
from tests.fixtures.search_catalog import load, mean_reciprocal_rank, queries


def test_listeners_find_what_they_typed_first(app: App) -> None:
    load(app)
    mrr, missed = mean_reciprocal_rank(app)
    assert len(queries()) >= 200
    assert mrr >= 0.9, f"MRR {mrr:.3f}; not first: {missed}"
    print(f"MRR {mrr:.3f} over {len(queries())} queries; not first: {missed}")
