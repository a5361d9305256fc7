"""Podcast feeds and podcast search, on SQLite.

    python bench/podcasts.py [--feeds 1000] [--episodes 100000] [--queries 300] [--search-only]

1. Refresh: `--feeds` RSS feeds (20 episodes each) served from a threaded HTTP server on
   loopback (tests/fixtures/feeds.py), added once (first fetch, parse, artwork generated,
   episodes kept and indexed), then every feed made due and refreshed by the server's clock
   code (Podcasts.refresh_due) with conditional requests: each answers 304 Not Modified.
   Then a tenth of the feeds gain an episode and all are refreshed again.
2. Search: `--episodes` episodes (1,000 shows; titles and descriptions drawn from a Zipf-weighted
   vocabulary of about 5,000 words) written straight into the tables, the index
   rebuilt by `cadenza search reindex`'s code path, then the search service's latency for
   `type=show,episode` (words, prefixes, typos): p50 and p95 of wall-clock time and of the
   process's CPU time (time.process_time around the service call: on a shared, loaded machine
   the CPU figures are the ones to compare), with the 1-minute load average at the start.
   `--search-only` skips part 1 and prints the search figures without writing
   bench/results/podcasts.json (kept from a full run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' feed server

from tests.fixtures.feeds import FeedHost, Item, feed_host, rss

from _results import write_results
from cadenza.adapters.db.models_podcasts import PodcastEpisodeRow, PodcastShowRow
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.catalog import Viewer
from cadenza.domain.search import Kind

WORDS = [
    "history",
    "science",
    "garden",
    "money",
    "music",
    "football",
    "cooking",
    "travel",
    "health",
    "comedy",
    "crime",
    "news",
    "politics",
    "startup",
    "design",
    "climate",
    "ocean",
    "space",
    "robots",
    "language",
    "poetry",
    "film",
    "books",
    "chess",
    "running",
    "coffee",
    "wine",
    "bread",
    "jazz",
    "opera",
    "cycling",
    "hiking",
    "birds",
    "volcano",
    "physics",
    "myth",
]


def vocabulary(rng: random.Random, size: int = 5000) -> tuple[list[str], list[float]]:
    """Topic words first, then made-up words; Zipf weights (a few words in many titles, a long
    tail of rare ones), as in bench/search.py."""
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "shi", "dan", "pe", "ru", "gal", "neo"]
    made = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    found = WORDS + sorted(made - set(WORDS))
    return found, [1 / (rank + 1) for rank in range(len(found))]


def settings(work: Path) -> Settings:
    return Settings(
        data_dir=work,
        billing_interval_s=0,
        search_popularity_interval_s=0,
        podcast_clock_interval_s=0,
        feeds_allow_private=True,
        transcode_workers=1,
    )


def feed_items(show: int, count: int) -> list[Item]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        Item(f"Show {show} episode {i}", f"s{show}-e{i}", published=start + timedelta(days=i))
        for i in range(count)
    ]


def refresh(app: App, host: FeedHost, feeds: int) -> dict[str, float]:
    for n in range(feeds):
        host.put(f"/feed/{n}.xml", rss(f"Feed {n}", feed_items(n, 20)))
    started = time.perf_counter()
    for n in range(feeds):
        app.podcasts.add(host.url(f"/feed/{n}.xml"))
    added = time.perf_counter() - started

    def all_due() -> None:
        with app.db_sessions() as db:
            db.execute(update(PodcastShowRow).values(next_fetch_at=None))
            db.commit()

    all_due()
    asked = len(host.asked)
    started = time.perf_counter()
    done = app.podcasts.refresh_due()
    unchanged = time.perf_counter() - started
    assert len(done) == feeds and not any(r.changed for r in done), "expected 304s"
    assert all(tag is not None for _, tag in host.asked[asked:]), "expected conditional requests"

    for n in range(0, feeds, 10):
        host.put(f"/feed/{n}.xml", rss(f"Feed {n}", feed_items(n, 21)))
    all_due()
    started = time.perf_counter()
    again = app.podcasts.refresh_due()
    mixed = time.perf_counter() - started
    assert sum(r.new_episodes for r in again) == len(range(0, feeds, 10))
    return {
        "feeds": feeds,
        "feeds_added_per_s": round(feeds / added, 1),
        "feeds_per_s": round(feeds / unchanged, 1),
        "feeds_tenth_changed_per_s": round(feeds / mixed, 1),
    }


def search(app: App, episodes: int, queries: int, rng: random.Random) -> dict[str, float]:
    vocab, weights = vocabulary(rng)
    now = datetime.now(UTC)
    built = build(app, episodes, rng, vocab, weights, now)
    asked = bench_queries(rng, queries, vocab, weights)
    return built | measure(app, asked, now)


def build(
    app: App,
    episodes: int,
    rng: random.Random,
    vocab: list[str],
    weights: list[float],
    now: datetime,
) -> dict[str, float]:
    """The bench's shows and episodes written into the tables, and the index rebuilt."""
    shows = 1000
    per_show = max(1, episodes // shows)

    def some(count: int) -> str:
        return " ".join(rng.choices(vocab, weights, k=count))

    with app.db_sessions() as db:
        show_rows = [
            {
                "id": 100_000 + s,
                "feed_url": f"http://127.0.0.1:1/bench/{s}.xml",
                "owner_id": None,
                "title": f"{some(2).title()} Hour",
                "publisher": f"{some(1).title()} Media",
                "description_html": f"<p>About {some(6)}</p>",
                "link": None,
                "language": "en",
                "explicit": False,
                "artwork_blob": None,
                "artwork_generated": True,
                "podcast_guid": None,
                "categories": [],
                "persons": [],
                "etag": None,
                "last_modified": None,
                "failures": 0,
                "next_fetch_at": now + timedelta(days=1),
                "last_fetched_at": now,
                "last_error": None,
                "created_at": now,
            }
            for s in range(shows)
        ]
        db.execute(insert(PodcastShowRow), show_rows)
        batch: list[dict[str, object]] = []
        for s in range(shows):
            for e in range(per_show):
                batch.append(
                    {
                        "show_id": 100_000 + s,
                        "guid": f"b{s}-{e}",
                        "title": " ".join(
                            rng.choice(WORDS) for _ in range(rng.randint(2, 5))
                        ).capitalize(),
                        "description_html": "<p>"
                        + " ".join(rng.choice(WORDS) for _ in range(20))
                        + "</p>",
                        "published_at": now - timedelta(days=e),
                        "duration_ms": 1_800_000,
                        "explicit": False,
                        "season": None,
                        "number": e + 1,
                        "enclosure_url": None,
                        "enclosure_type": None,
                        "enclosure_length": None,
                        "chapters_url": None,
                        "transcript_url": None,
                        "transcript_type": None,
                        "chapters": [],
                        "transcript": [],
                        "persons": [],
                        "audio": "pending",
                        "audio_error": None,
                        "ladder": {},
                        "gain_db": 0.0,
                        "created_at": now,
                    }
                )
                if len(batch) >= 10_000:
                    db.execute(insert(PodcastEpisodeRow), batch)
                    batch = []
        if batch:
            db.execute(insert(PodcastEpisodeRow), batch)
        db.commit()
    started = time.perf_counter()
    app.search.reindex()
    indexed = time.perf_counter() - started
    return {"episodes_indexed": shows * per_show, "index_build_s": round(indexed, 1)}


def bench_queries(
    rng: random.Random, queries: int, vocab: list[str], weights: list[float]
) -> list[str]:
    """Words, prefixes and typos drawn from the bench vocabulary, as listeners would type."""
    asked = []
    for _ in range(queries):
        word = rng.choices(vocab, weights)[0]
        kind = rng.random()
        if kind < 0.3:
            asked.append(word[: rng.randint(2, 4)])
        elif kind < 0.5 and len(word) > 4:
            cut = rng.randrange(1, len(word) - 1)
            asked.append(word[:cut] + word[cut + 1] + word[cut] + word[cut + 2 :])
        else:
            asked.append(f"{word} {rng.choices(vocab, weights)[0]}")
    return asked


def latencies(app: App, asked: list[str], now: datetime) -> list[tuple[float, float, str]]:
    """(wall ms, CPU ms, query) of each query through the search service."""
    viewer = Viewer(country="US", now=now + timedelta(minutes=1))
    found = []
    for q in asked:
        started, used = time.perf_counter(), time.process_time()
        app.search.search(q, viewer, [Kind.SHOW, Kind.EPISODE], limit=10)
        cpu = (time.process_time() - used) * 1000
        found.append(((time.perf_counter() - started) * 1000, cpu, q))
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(len(ordered) * 0.95) - 1]


def measure(app: App, asked: list[str], now: datetime) -> dict[str, float]:
    load = os.getloadavg()[0]
    found = latencies(app, asked, now)
    wall = [w for w, _, _ in found]
    cpu = [c for _, c, _ in found]
    return {
        "search_load_1min": round(load, 2),
        "search_p50_ms": round(statistics.median(wall), 2),
        "search_p95_ms": round(p95(wall), 2),
        "search_cpu_p50_ms": round(statistics.median(cpu), 2),
        "search_cpu_p95_ms": round(p95(cpu), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--search-only", action="store_true", help="skip the feeds' refresh (part 1)"
    )
    args = parser.parse_args()
    rng = random.Random(0)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder, feed_host() as host:
        app = bootstrap(settings(Path(folder)))
        try:
            if not args.search_only:
                figures = refresh(app, host, args.feeds)
            figures |= search(app, args.episodes, args.queries, rng)
        finally:
            app.close()
    if args.search_only:
        print(json.dumps(figures, indent=2))
        return
    write_results(
        "podcasts",
        figures,
        {
            "feeds_added_per_s": "first fetch: parse, generated cover, episodes kept and indexed",
            "feeds_per_s": "scheduled refresh, every feed unchanged (304 on If-None-Match)",
            "feeds_tenth_changed_per_s": "the same with one feed in ten grown by an episode",
            "index_build_s": "search index rebuild with every show and episode",
            "search_load_1min": "the machine's 1-minute load average as the queries start",
            "search_p50_ms": "type=show,episode through the search service (wall)",
            "search_p95_ms": "type=show,episode through the search service (wall)",
            "search_cpu_p50_ms": "the same, CPU time of the process per query",
            "search_cpu_p95_ms": "the same, CPU time of the process per query",
        },
    )


if __name__ == "__main__":
    main()
