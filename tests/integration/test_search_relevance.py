"""Relevance: what a listener types finds what they meant, on SQLite and on PostgreSQL alike.

Mean reciprocal rank over the queries of tests/fixtures/search_catalog.py (exact names, folded
spellings, starts of names, typos, other scripts, "feat." and "&", field filters).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadenza.bootstrap import App
from cadenza.domain.catalog import Viewer
from cadenza.domain.search import INDEXED_KINDS
from cadenza.services.search import Hit
from tests.fixtures.catalog import put_release
from tests.fixtures.search_catalog import ALBUMS, NEW_ALBUM, NOW, queries


def load(app: App) -> None:
    for album in ALBUMS:
        put_release(
            app,
            album.title,
            album.artists,
            album.songs,
            released=datetime(album.year, 6, 1, tzinfo=UTC),
            genres=album.genres,
            upc=album.upc,
        )
    put_release(
        app, NEW_ALBUM.title, NEW_ALBUM.artists, NEW_ALBUM.songs, released=NOW - timedelta(days=3)
    )


def name_of(hit: Hit) -> str:
    if hit.artist is not None:
        return hit.artist.name
    if hit.track is not None:
        return hit.track.title
    assert hit.release is not None
    return hit.release.title


def reciprocal_rank(app: App, query: str, kind: str, name: str) -> float:
    viewer = Viewer(country="FR", now=NOW)
    results = app.search.search(query, viewer, list(INDEXED_KINDS), limit=10)
    merged = sorted(
        (hit for group in results.groups.values() for hit in group.hits), key=lambda h: -h.score
    )
    for position, hit in enumerate(merged, 1):
        if hit.kind.value == kind and name_of(hit) == name:
            return 1 / position
    return 0.0


def test_listeners_find_what_they_typed_first(app: App) -> None:
    load(app)
    asked = queries()
    ranks = {(q, kind, name): reciprocal_rank(app, q, kind, name) for q, kind, name in asked}
    mrr = sum(ranks.values()) / len(ranks)
    missed = sorted((r, q, f"{kind}:{name}") for (q, kind, name), r in ranks.items() if r < 1)
    assert len(asked) >= 200
    assert mrr >= 0.9, f"MRR {mrr:.3f}; not first: {missed}"
    print(f"MRR {mrr:.3f} over {len(asked)} queries; not first: {missed}")
