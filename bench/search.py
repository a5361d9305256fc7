"""Search speed and relevance on a generated catalog, on SQLite and on PostgreSQL.

    python bench/search.py [--tracks 1000000] [--artists 100000] [--releases 200000]
                           [--queries 400] [--engines sqlite,postgres] [--pg-url URL]
                           [--merge] [--reuse DIR]

1. Generates a catalog straight into the tables (bulk inserts, not the ingest pipeline): names
   of 1-5 words drawn from a Zipf-distributed vocabulary (common words shared by many names,
   a long tail of rare ones), artists of 1-3 words, release dates over 1960-2026.
   Streams of the last 28 days for a tenth of each kind, as the daily rollup leaves them.
2. Index build: `cadenza search reindex`'s code path (SearchIndex.rebuild), timed; it marks
   each kind's most played entries, which queries read first.
3. Latency of the search service (parse, typo expansion, candidates, ranking, the page of 10 per
   kind read back): 2-4 letter prefixes, full words, typos and filtered queries, p50 and p95.
4. Relevance: the MRR of the relevance suite (tests/fixtures/search_catalog.py) on each engine.

`--reuse DIR` (SQLite): steps 1 and 2 run once, into DIR, and later runs with the same sizes
measure that catalog again (its index build time is then not measured: with `--merge` the
stored figure stays), for a before/after of query changes without an hour of generating.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, bindparam, create_engine, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the relevance suite's data

from tests.fixtures.search_catalog import load, mean_reciprocal_rank

from _results import write_results
from cadenza.adapters.db.models import (
    ArtistRow,
    DistributorRow,
    ReleaseArtistRow,
    ReleaseRow,
    TrackArtistRow,
    TrackRow,
)
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.catalog import Viewer
from cadenza.domain.search import INDEXED_KINDS, words

COMMON = [
    "love",
    "night",
    "day",
    "heart",
    "time",
    "life",
    "world",
    "dream",
    "light",
    "fire",
    "rain",
    "girl",
    "boy",
    "baby",
    "home",
    "way",
    "road",
    "sun",
    "moon",
    "star",
    "city",
    "blue",
    "black",
    "white",
    "red",
    "gold",
    "summer",
    "winter",
    "song",
    "dance",
    "music",
    "soul",
    "blood",
    "rose",
    "river",
    "sea",
    "sky",
    "wild",
    "young",
    "old",
    "new",
    "lost",
    "free",
    "last",
    "first",
    "one",
    "two",
    "little",
    "big",
    "good",
    "bad",
    "high",
    "low",
    "sweet",
    "dark",
    "bright",
    "stay",
    "run",
    "fall",
    "rise",
    "break",
    "back",
    "down",
    "up",
    "out",
    "away",
    "together",
    "forever",
    "never",
    "always",
    "alone",
    "again",
    "tonight",
    "tomorrow",
    "yesterday",
    "midnight",
    "morning",
    "paradise",
    "heaven",
    "angel",
    "devil",
    "ghost",
    "shadow",
    "memory",
    "story",
    "letter",
    "promise",
    "secret",
    "silence",
    "thunder",
    "storm",
    "ocean",
    "mountain",
    "desert",
    "island",
    "garden",
    "window",
    "door",
    "street",
    "train",
    "highway",
    "radio",
    "television",
    "machine",
    "electric",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ne",
    "to",
    "su",
    "vi",
    "da",
    "re",
    "ko",
    "an",
    "el",
    "is",
    "or",
    "un",
    "ba",
    "ti",
    "mo",
    "ze",
    "ly",
    "qu",
    "ha",
    "fe",
    "gi",
]
GENRES = [
    "pop",
    "rock",
    "electronic",
    "hip-hop",
    "jazz",
    "folk",
    "classical",
    "metal",
    "soul",
    "reggae",
    "house",
    "techno",
]


def vocabulary(rng: random.Random, size: int) -> tuple[list[str], list[float]]:
    """Common words first, then invented ones; Zipf weights (rank^-1)."""
    words_ = list(COMMON)
    seen = set(words_)
    while len(words_) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words_.append(word)
    return words_, [1 / (rank + 1) for rank in range(len(words_))]


class Names:
    def __init__(self, rng: random.Random, size: int = 60_000) -> None:
        self.rng = rng
        self.words, weights = vocabulary(rng, size)
        self.cumulative = list(itertools.accumulate(weights))

    def __call__(self, low: int, high: int) -> str:
        count = self.rng.choice(range(low, high + 1))
        picked = self.rng.choices(self.words, cum_weights=self.cumulative, k=count)
        return " ".join(w.capitalize() for w in picked)


def chunks(total: int, size: int = 20_000) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


def generate(engine: Engine, args: argparse.Namespace, rng: random.Random) -> None:
    names = Names(rng)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(DistributorRow), [{"id": 1, "name": "Bench", "created_at": now}])
        for part in chunks(args.artists):
            conn.execute(
                insert(ArtistRow),
                [
                    {
                        "id": i + 1,
                        "name": f"{names(1, 3)}",
                        "name_key": f"artist-{i}",
                        "created_at": now,
                    }
                    for i in part
                ],
            )
        for part in chunks(args.releases):
            rows, links = [], []
            for i in part:
                released = datetime(1960, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 24_000))
                rows.append(
                    {
                        "id": i + 1,
                        "distributor_id": 1,
                        "source_key": f"r{i}",
                        "title": names(1, 4),
                        "release_type": "album",
                        "upc": None,
                        "label": None,
                        "release_at": released,
                        "territories": "WORLDWIDE",
                        "explicit": False,
                        "copyright_lines": [],
                        "genres": [rng.choice(GENRES)],
                        "loudness_lufs": None,
                        "true_peak_dbtp": None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                links.append(
                    {"release_id": i + 1, "artist_id": rng.randint(1, args.artists), "position": 0}
                )
            conn.execute(insert(ReleaseRow), rows)
            conn.execute(insert(ReleaseArtistRow), links)
        per_release = max(1, args.tracks // args.releases)
        for part in chunks(args.tracks):
            rows, links = [], []
            for i in part:
                release = i // per_release % args.releases + 1
                rows.append(
                    {
                        "id": i + 1,
                        "release_id": release,
                        "title": names(1, 5),
                        "isrc": None,
                        "disc_number": 1,
                        "track_number": i % per_release + 1,
                        "duration_ms": 200_000,
                        "explicit": rng.random() < 0.1,
                        "genres": [],
                        "loudness_lufs": -14.0,
                        "true_peak_dbtp": -1.0,
                        "source_blob": f"{i:064x}",
                        "source_format": "flac",
                    }
                )
                links.append(
                    {
                        "track_id": i + 1,
                        "artist_id": rng.randint(1, args.artists),
                        "role": "main",
                        "position": 0,
                    }
                )
            conn.execute(insert(TrackRow), rows)
            conn.execute(insert(TrackArtistRow), links)


def popularity(app: App, args: argparse.Namespace, rng: random.Random) -> None:
    """Streams of the last 28 days as a rollup leaves them (search_popularity: a tenth of each
    kind played, Pareto-distributed counts, everywhere and in GB), so that the index marks each
    kind's most played as a live catalog's are (the rebuild reads them)."""
    rows = []
    for kind, count in (
        ("track", args.tracks),
        ("release", args.releases),
        ("artist", args.artists),
    ):
        for entity in rng.sample(range(1, count + 1), count // 10):
            streams = int(rng.paretovariate(1.2) * 10)
            rows.append({"k": kind, "e": entity, "c": "", "s": streams})
            rows.append({"k": kind, "e": entity, "c": "GB", "s": streams // 4})
    insert_rows = text(
        "INSERT INTO search_popularity (kind, entity_id, country, streams) VALUES (:k, :e, :c, :s)"
    )
    with app.engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            conn.execute(insert_rows, rows[start : start + 20_000])


def typo(word: str, rng: random.Random) -> str:
    i = rng.randint(1, len(word) - 2)
    return word[:i] + rng.choice("aeiourstln") + word[i + 1 :]


def bench_queries(app: App, count: int, rng: random.Random) -> dict[str, list[str]]:
    """Queries drawn from names the catalog holds."""
    # drawn by the seed (not the engine's random()), so that runs on one catalog ask the same
    with app.engine.connect() as conn:
        names: list[list[str]] = []
        for table, column in (("tracks", "title"), ("artists", "name")):
            biggest = conn.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0
            ids = rng.sample(range(1, biggest + 1), min(2000, biggest))
            found = text(f"SELECT {column} FROM {table} WHERE id IN :ids ORDER BY id")
            names.append(
                list(conn.scalars(found.bindparams(bindparam("ids", expanding=True)), {"ids": ids}))
            )
        tracks, artists = names
    per = max(1, count // 4)
    long_words = [w for name in tracks + artists for w in words(name) if len(w) >= 5]
    return {
        "prefix": [words(rng.choice(tracks))[0][: rng.randint(2, 4)] for _ in range(per)],
        "words": [rng.choice(tracks).lower() for _ in range(per)],
        "typo": [typo(rng.choice(long_words), rng) for _ in range(per)],
        "filtered": [
            rng.choice(
                [
                    f'artist:"{rng.choice(artists)}"',
                    f"year:{rng.randint(1960, 2020)}-{rng.randint(2021, 2026)} {words(rng.choice(tracks))[0]}",
                    f"genre:{rng.choice(GENRES)} {words(rng.choice(tracks))[0][:3]}",
                ]
            )
            for _ in range(per)
        ],
    }


def latencies(
    app: App, asked: dict[str, list[str]], cpu: list[float] | None = None
) -> dict[str, list[float]]:
    """Wall-clock ms per query, by category; cpu gets this process's CPU ms per query (on
    SQLite all the work, a figure that a busy machine inflates less than the wall clock)."""
    viewer = Viewer(country="GB", now=datetime.now(UTC))
    kinds = list(INDEXED_KINDS)
    for q in next(iter(asked.values()))[:10]:  # warm the caches
        app.search.search(q, viewer, kinds, limit=10)
    found: dict[str, list[float]] = {}
    for category, qs in asked.items():
        found[category] = []
        for q in qs:
            start, start_cpu = time.perf_counter(), time.process_time()
            app.search.search(q, viewer, kinds, limit=10)
            found[category].append((time.perf_counter() - start) * 1000)
            if cpu is not None:
                cpu.append((time.process_time() - start_cpu) * 1000)
    return found


def mrr(app: App) -> float:
    load(app)
    return mean_reciprocal_rank(app)[0]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_engine(
    name: str,
    url: str | None,
    args: argparse.Namespace,
    out: dict[str, float],
    notes: dict[str, str],
) -> None:
    rng = random.Random(args.seed)
    with FreshDatabase(url) as db_url:
        reuse: Path | None = args.reuse if name == "sqlite" else None
        work = reuse or Path(tempfile.mkdtemp(prefix=f"cadenza-bench-search-{name}-"))
        built = reuse is not None and (reuse / "built.json").exists()
        settings = Settings(data_dir=work, database_url=db_url, billing_interval_s=0)
        app = bootstrap(settings)
        try:
            if built:
                assert reuse is not None
                made = json.loads((reuse / "built.json").read_text())
                if made != {"tracks": args.tracks, "artists": args.artists, "seed": args.seed}:
                    raise SystemExit(f"{reuse} holds another catalog: {made}")
                print(f"{name}: the catalog and index in {reuse}, built before", flush=True)
            else:
                build = make_catalog(app, args, rng, name)
                out[f"index_build_s_{name}"] = build
                if reuse is not None:
                    made = {"tracks": args.tracks, "artists": args.artists, "seed": args.seed}
                    (reuse / "built.json").write_text(json.dumps(made))
            load_before = os.getloadavg()[0]
            cpu: list[float] = []
            found = latencies(app, bench_queries(app, args.queries, rng), cpu)
            # the machine's load (other work on it) while the latencies were measured
            out[f"{name}_loadavg_1m"] = max(load_before, os.getloadavg()[0])
            notes[f"{name}_loadavg_1m"] = "1-minute load average around the queries (higher of two)"
            every = [ms for values in found.values() for ms in values]
            out[f"{name}_p50_ms"] = percentile(every, 50)
            out[f"{name}_p95_ms"] = percentile(every, 95)
            out[f"{name}_client_cpu_p50_ms"] = percentile(cpu, 50)
            out[f"{name}_client_cpu_p95_ms"] = percentile(cpu, 95)
            notes[f"{name}_client_cpu_p50_ms"] = "the bench process's CPU time per query"
            for category, values in found.items():
                out[f"{name}_{category}_p50_ms"] = percentile(values, 50)
                out[f"{name}_{category}_p95_ms"] = percentile(values, 95)
                notes[f"{name}_{category}_p50_ms"] = f"{len(values)} {category} queries"
        finally:
            app.close()
    with FreshDatabase(url) as db_url:  # the relevance suite on an empty database of this engine
        work = Path(tempfile.mkdtemp(prefix=f"cadenza-bench-mrr-{name}-"))
        app = bootstrap(Settings(data_dir=work, database_url=db_url, billing_interval_s=0))
        try:
            out[f"mrr_{name}"] = mrr(app)
        finally:
            app.close()


def make_catalog(app: App, args: argparse.Namespace, rng: random.Random, name: str) -> float:
    """Generates the catalog, its popularity and the index; the index build's seconds."""
    start = time.perf_counter()
    generate(app.engine, args, rng)
    print(f"{name}: generated the catalog in {time.perf_counter() - start:.1f} s", flush=True)
    popularity(app, args, rng)
    start = time.perf_counter()
    entries = app.search.reindex()
    build = time.perf_counter() - start
    print(f"{name}: indexed {entries} releases and artists in {build:.1f} s", flush=True)
    with app.engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # statistics, as a running server has them
    return build


class FreshDatabase:
    """A fresh PostgreSQL database for the run (dropped after), or SQLite in the work dir."""

    def __init__(self, url: str | None) -> None:
        self.url, self.name = url, f"cadenza_bench_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> str | None:
        if self.url is None:
            return None
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return make_url(self.url).set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *exc: object) -> None:
        if self.url is None:
            return
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def _merged(figures: dict[str, float], engines: list[str]) -> dict[str, float]:
    """This run's figures over the stored ones of the engines it did not run (same sizes)."""
    stored = Path(__file__).parent / "results" / "search.json"
    if not stored.exists():
        return figures
    old: dict[str, float] = json.loads(stored.read_text())["figures"]
    if any(old.get(k) != figures[k] for k in ("tracks", "artists", "releases")):
        return figures

    def ours(key: str) -> bool:
        return any(key.startswith(f"{e}_") or key.endswith(f"_{e}") for e in engines)

    def stale(key: str) -> bool:  # an index build a --reuse run did not measure again stays
        return ours(key) and not (key.startswith("index_build_s_") and key not in figures)

    kept = {k: v for k, v in old.items() if not stale(k) and k != "index_build_s"}
    return kept | figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--artists", type=int, default=100_000)
    parser.add_argument("--releases", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=400, help="per engine, four kinds")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        help="SQLite: build the catalog in this folder once, and measure it again on later runs",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other engines' figures of bench/results/search.json (engines run apart)",
    )
    args = parser.parse_args()
    figures: dict[str, float] = {
        "tracks": args.tracks,
        "artists": args.artists,
        "releases": args.releases,
    }
    notes = {
        "sqlite_p50_ms": "all four kinds of query, search service, 10 per kind",
        "index_build_s": "rebuild of the whole index (the slower engine)",
        "mrr_sqlite": "relevance suite (tests/fixtures/search_catalog.py)",
    }
    for engine in args.engines.split(","):
        run_engine(engine, None if engine == "sqlite" else args.pg_url, args, figures, notes)
    if args.merge:
        figures = _merged(figures, args.engines.split(","))
    builds = [v for k, v in figures.items() if k.startswith("index_build_s_")]
    figures["index_build_s"] = max(builds)
    write_results("search", figures, notes)


if __name__ == "__main__":
    main()
