"""Artists' statistics: the 28-day dashboard of an artist with 10,000,000 streams among
100,000,000, read through the same service and SQL the API uses; and the roll-up job's speed.

Generated data, fixed (numpy, seed 0), written straight into the roll-up's tables (what the
`artist-stats` job would have made from --streams counted plays over the last 365 days):

- the big artist: --streams / 10 streams over 365 days (daily totals drawn around a rising
  trend), split exactly across 200 tracks (Zipf weights), 60 countries, 500 cities, the 8
  sources, the 7 age ranges and 4 genders, every (day, track) and (day, facet value) a row;
  distinct listeners per day about 40% of the day's streams; 1,500,000 listeners over the
  year by the day they last listened, split over the same facets; saves, playlist adds and
  follows per day;
- the other streams, spread evenly over --others artists (999 at full size), at coarser
  detail: 10 tracks, 10 countries, 10 cities and every source, age range and gender each;
- then --rollup-plays counted plays of the big artist's tracks by 50,000 new listeners in the
  last two days, in the plays table, rolled up by the real job (`rollup_s`).

    python bench/artist_stats.py [--streams 100000000] [--others 999] [--rollup-plays 200000]
                                 [--rounds 100] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from _results import write_results
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from cadenza.domain.artist_stats import AGE_RANGES, GENDERS, SOURCES

DAYS = 365
BIG_TRACKS = 200
BIG_LISTENERS = 1_500_000
PASSWORD = "bench statistics password 31"


def bulk(app: App, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Rows straight into a table: executemany on SQLite, COPY on PostgreSQL."""
    n = 0
    raw: Any = app.engine.raw_connection()
    try:
        if app.engine.dialect.name == "postgresql":
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            marks = ", ".join("?" for _ in columns)
            cursor = raw.cursor()
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 100_000:
                    cursor.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
                    )
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch
                )
                n += len(batch)
        raw.commit()
    finally:
        raw.close()
    return n


def split(totals: Any, weights: Any) -> Any:
    """Each total split over the weights exactly (the remainder to the first value)."""
    import numpy as np

    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    counts = np.floor(totals[:, None] * w[None, :]).astype(np.int64)
    counts[:, 0] += totals - counts.sum(axis=1)
    return counts


def zipf(n: int) -> Any:
    import numpy as np

    return 1.0 / np.arange(1, n + 1)


def catalog(app: App, artists: int) -> tuple[int, list[int]]:
    """The artists (the first is the big one), one release of 200 tracks for the big artist."""
    now = datetime.now(UTC).isoformat(sep=" ")
    with app.engine.begin() as db:
        db.execute(
            text("INSERT INTO distributors (id, name, created_at) VALUES (1, 'Bench', :t)"),
            {"t": now},
        )
    bulk(
        app,
        "artists",
        ("id", "name", "name_key", "created_at"),
        ((i, f"Artist {i}", f"artist {i}", now) for i in range(1, artists + 1)),
    )
    with app.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO releases (id, distributor_id, source_key, title, release_type, "
                "release_at, territories, explicit, copyright_lines, genres, created_at, "
                "updated_at) VALUES (1, 1, 'big', 'Big Album', 'album', :t, 'WORLDWIDE', "
                ":f, '[]', '[]', :t, :t)"
            ),
            {"t": now, "f": False},
        )
    bulk(
        app,
        "tracks",
        (
            "id",
            "release_id",
            "title",
            "disc_number",
            "track_number",
            "duration_ms",
            "explicit",
            "genres",
            "loudness_lufs",
            "true_peak_dbtp",
            "source_blob",
            "source_format",
        ),
        (
            (t, 1, f"Song {t}", 1, t, 200_000, False, "[]", -14.0, -1.0, f"{t:064d}", "flac")
            for t in range(1, BIG_TRACKS + 1)
        ),
    )
    bulk(
        app,
        "track_artists",
        ("track_id", "artist_id", "role", "position"),
        ((t, 1, "main", 0) for t in range(1, BIG_TRACKS + 1)),
    )
    return 1, list(range(1, BIG_TRACKS + 1))


def generate(app: App, streams: int, others: int, today: date) -> dict[str, int]:
    """The roll-up's tables, as the job would have filled them."""
    import numpy as np

    rng = np.random.default_rng(0)
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    iso = [d.isoformat() for d in days]
    big = streams // 10
    trend = np.linspace(0.6, 1.4, DAYS) * rng.uniform(0.85, 1.15, DAYS)
    big_days = split(np.array([big]), trend)[0]
    countries = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)]
    cities = [f"City {i}, {countries[i % 60]}" for i in range(500)]
    big_facets = {
        "country": countries,
        "city": cities,
        "source": list(SOURCES),
        "age": list(AGE_RANGES),
        "gender": list(GENDERS),
    }
    made: dict[str, int] = {}

    def day_rows() -> Iterable[tuple[Any, ...]]:
        listeners = (big_days * 0.4).astype(np.int64)
        extra = rng.integers(0, 50, (DAYS, 3))
        for i in range(DAYS):
            yield (1, iso[i], int(big_days[i]), int(listeners[i]), *map(int, extra[i]))

    made["stats_artist_days"] = bulk(
        app,
        "stats_artist_days",
        ("artist_id", "day", "streams", "listeners", "saves", "playlist_adds", "follows"),
        day_rows(),
    )

    def track_rows() -> Iterable[tuple[Any, ...]]:
        counts = split(big_days, zipf(BIG_TRACKS))
        for i in range(DAYS):
            for t in range(BIG_TRACKS):
                yield (1, iso[i], t + 1, int(counts[i, t]))

    made["stats_track_days"] = bulk(
        app, "stats_track_days", ("artist_id", "day", "track_id", "streams"), track_rows()
    )

    def facet_rows() -> Iterable[tuple[Any, ...]]:
        for facet, values in big_facets.items():
            counts = split(big_days, zipf(len(values)))
            for i in range(DAYS):
                for v, value in enumerate(values):
                    yield (1, iso[i], facet, value, int(counts[i, v]))

    made["stats_facet_days"] = bulk(
        app,
        "stats_facet_days",
        ("artist_id", "day", "facet", "value", "streams"),
        sorted_rows(facet_rows()),
    )

    def recency_rows() -> Iterable[tuple[Any, ...]]:
        last = split(np.array([BIG_LISTENERS]), np.linspace(0.2, 3.0, DAYS) ** 2)[0]
        yield from ((1, iso[i], "all", "", int(last[i])) for i in range(DAYS))
        for facet, values in big_facets.items():
            if facet == "source":
                continue
            counts = split(last, zipf(len(values)))
            for i in range(DAYS):
                for v, value in enumerate(values):
                    yield (1, iso[i], facet, value, int(counts[i, v]))

    made["stats_recency"] = bulk(
        app,
        "stats_recency",
        ("artist_id", "last_day", "facet", "value", "listeners"),
        sorted_rows(recency_rows()),
    )
    made_others = others_in_sql(app, streams - big, others, iso, big_facets)
    made = {table: made[table] + made_others[table] for table in made}
    return made | months_in_sql(app)


def months_in_sql(app: App) -> dict[str, int]:
    """The monthly roll-ups from the daily ones (as the job keeps them, and migration 0044
    makes them on an upgrade)."""
    month = (
        "CAST(date_trunc('month', {0}) AS DATE)"
        if app.engine.dialect.name == "postgresql"
        else "date({0}, 'start of month')"
    )
    made = {}
    with app.engine.begin() as db:
        for table, source, day, keys, count in (
            ("stats_track_months", "stats_track_days", "day", "track_id", "streams"),
            ("stats_facet_months", "stats_facet_days", "day", "facet, value", "streams"),
            ("stats_recency_months", "stats_recency", "last_day", "facet, value", "listeners"),
        ):
            made[table] = db.execute(
                text(
                    f"INSERT INTO {table} (artist_id, month, {keys}, {count}) "
                    f"SELECT artist_id, {month.format(day)}, {keys}, SUM({count}) FROM {source} "
                    f"GROUP BY artist_id, {month.format(day)}, {keys} "
                    f"ORDER BY artist_id, {month.format(day)}, {keys}"
                )
            ).rowcount
    return made


def others_in_sql(
    app: App, streams: int, others: int, iso: list[str], facets: dict[str, list[str]]
) -> dict[str, int]:
    """The other artists' rows, made by the database itself (cross joins of small tables),
    in primary key order: the same figures every day, split over 10 tracks and 10 values of
    each facet."""
    import numpy as np

    per = streams // max(others, 1) // DAYS
    small = {f: v[:10] for f, v in facets.items()}
    with app.engine.begin() as db:
        for ddl in (
            "CREATE TEMPORARY TABLE b_days (day DATE)",
            "CREATE TEMPORARY TABLE b_tracks (n INTEGER, streams BIGINT)",
            "CREATE TEMPORARY TABLE b_facets (facet VARCHAR(8), value VARCHAR(120), "
            "streams BIGINT, listeners BIGINT)",
        ):
            db.execute(text(ddl))
        db.execute(text("INSERT INTO b_days VALUES (:d)"), [{"d": d} for d in iso])
        tracks = split(np.array([per]), zipf(10))[0]
        db.execute(
            text("INSERT INTO b_tracks VALUES (:n, :s)"),
            [{"n": n, "s": int(tracks[n])} for n in range(10)],
        )
        rows = [{"f": "all", "v": "", "s": 0, "l": 40}]
        for facet, values in small.items():
            shares = split(np.array([per]), zipf(len(values)))[0]
            rows += [
                {"f": facet, "v": value, "s": int(shares[i]), "l": 0 if facet == "source" else 4}
                for i, value in enumerate(values)
            ]
        db.execute(text("INSERT INTO b_facets VALUES (:f, :v, :s, :l)"), rows)
        others_of = f"SELECT id FROM artists WHERE id BETWEEN 2 AND {others + 1}"
        made = {}
        made["stats_artist_days"] = db.execute(
            text(
                "INSERT INTO stats_artist_days (artist_id, day, streams, listeners, saves, "
                f"playlist_adds, follows) SELECT a.id, d.day, {per}, {int(per * 0.4)}, 1, 1, 0 "
                f"FROM ({others_of}) a CROSS JOIN b_days d ORDER BY a.id, d.day"
            )
        ).rowcount
        made["stats_track_days"] = db.execute(
            text(
                "INSERT INTO stats_track_days (artist_id, day, track_id, streams) "
                "SELECT a.id, d.day, 1000 + a.id * 10 + t.n, t.streams "
                f"FROM ({others_of}) a CROSS JOIN b_days d CROSS JOIN b_tracks t "
                "ORDER BY a.id, d.day, t.n"
            )
        ).rowcount
        made["stats_facet_days"] = db.execute(
            text(
                "INSERT INTO stats_facet_days (artist_id, day, facet, value, streams) "
                "SELECT a.id, d.day, f.facet, f.value, f.streams "
                f"FROM ({others_of}) a CROSS JOIN b_days d CROSS JOIN b_facets f "
                "WHERE f.facet <> 'all' ORDER BY a.id, d.day, f.facet, f.value"
            )
        ).rowcount
        made["stats_recency"] = db.execute(
            text(
                "INSERT INTO stats_recency (artist_id, last_day, facet, value, listeners) "
                "SELECT a.id, d.day, f.facet, f.value, f.listeners "
                f"FROM ({others_of}) a CROSS JOIN b_days d CROSS JOIN b_facets f "
                "WHERE f.facet <> 'source' ORDER BY a.id, d.day, f.facet, f.value"
            )
        ).rowcount
    return made


def sorted_rows(rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
    """By primary key within each artist (inserts in key order keep the B-trees compact)."""
    current: list[tuple[Any, ...]] = []
    artist = None
    for row in rows:
        if row[0] != artist and current:
            yield from sorted(current)
            current = []
        artist = row[0]
        current.append(row)
    yield from sorted(current)


def plays_to_roll(app: App, tracks: list[int], plays: int, now: datetime) -> None:
    """50,000 new listeners, and their counted plays of the big artist in the last two days."""
    import numpy as np

    rng = np.random.default_rng(1)
    listeners = 50_000
    first = 10_000_000
    stamp = now.isoformat(sep=" ")
    bulk(
        app,
        "users",
        (
            "id",
            "email",
            "password_hash",
            "display_name",
            "country",
            "birth_date",
            "roles",
            "plan",
            "created_at",
            "credentials_version",
            "time_zone",
            "city",
            "gender",
        ),
        (
            (
                first + u,
                f"bench{u}@example.org",
                "x",
                f"Bench {u}",
                "FR" if u % 3 else "DE",
                date(1970 + u % 40, 1 + u % 12, 1).isoformat(),
                '["listener"]',
                "free",
                stamp,
                0,
                "UTC",
                f"City {u % 50}" if u % 4 else None,
                GENDERS[u % 4] if u % 5 else None,
            )
            for u in range(listeners)
        ),
    )
    who = rng.integers(0, listeners, plays)
    what = rng.integers(0, len(tracks), plays)
    when = rng.integers(0, 2 * 86_400, plays)
    bulk(
        app,
        "plays",
        (
            "user_id",
            "play_id",
            "track_id",
            "device",
            "started_at",
            "listened_ms",
            "counted",
            "finished",
            "skipped",
            "source",
            "flagged_artificial",
            "stats_rolled",
        ),
        (
            (
                first + int(who[i]),
                f"bench-{i}",
                tracks[int(what[i])],
                "bench",
                (now - timedelta(seconds=int(when[i]))).isoformat(sep=" "),
                60_000,
                True,
                True,
                False,
                SOURCES[i % len(SOURCES)],
                False,
                False,
            )
            for i in range(plays)
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=100_000_000)
    parser.add_argument("--others", type=int, default=None, help="default: streams / 100,000")
    parser.add_argument("--rollup-plays", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    others = args.others if args.others is not None else max(1, args.streams // 100_000 - 1)
    work = Path(tempfile.mkdtemp(prefix="cadenza-bench-stats-"))
    settings = Settings(
        data_dir=work,
        database_url=args.postgres,
        billing_interval_s=0,
        charts_interval_s=0,
        search_popularity_interval_s=0,
        artist_stats_interval_s=0,
        session_prune_interval_s=0,
        blob_sweep_interval_s=0,
        recs_train_hours=0,
    )
    app = bootstrap(settings)
    try:
        now = datetime.now(UTC)
        artist, tracks = catalog(app, others + 1)
        started = time.perf_counter()
        made = generate(app, args.streams, others, now.date())
        generate_s = time.perf_counter() - started
        with app.engine.begin() as db:
            db.execute(text("ANALYZE"))
            total = db.execute(text("SELECT SUM(streams) FROM stats_artist_days")).scalar()
            mine = db.execute(
                text("SELECT SUM(streams) FROM stats_artist_days WHERE artist_id = 1")
            ).scalar()
        admin = app.accounts.create("admin@example.org", PASSWORD, roles=[Role.ADMIN]).id

        def dashboard_ms(range_name: str, rounds: int) -> tuple[list[float], list[float]]:
            """Wall and CPU milliseconds of each read, sorted (SQLite runs in this process:
            its CPU time is the read's work, whatever else the machine is doing)."""
            app.artist_stats.dashboard(admin, artist, range_name)  # warm
            wall, cpu = [], []
            for _ in range(rounds):
                start, used = time.perf_counter(), time.process_time()
                app.artist_stats.dashboard(admin, artist, range_name)
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - used) * 1000)
            return sorted(wall), sorted(cpu)

        month, month_cpu = dashboard_ms("28d", args.rounds)
        year, _ = dashboard_ms("12m", max(5, args.rounds // 2))
        ever, _ = dashboard_ms("all", max(5, args.rounds // 2))
        load = os.getloadavg()[0]
        plays_to_roll(app, tracks, args.rollup_plays, now)
        started = time.perf_counter()
        rolled = app.artist_stats.roll_up()
        rollup_s = time.perf_counter() - started
        after = app.artist_stats.dashboard(admin, artist, "28d")
        figures: dict[str, float] = {
            "dashboard_p95_ms": month[int(len(month) * 0.95) - 1],
            "dashboard_p50_ms": statistics.median(month),
            "dashboard_cpu_p95_ms": month_cpu[int(len(month_cpu) * 0.95) - 1],
            "load_average": load,
            "dashboard_12m_p50_ms": statistics.median(year),
            "dashboard_12m_p95_ms": year[int(len(year) * 0.95) - 1],
            "dashboard_all_p50_ms": statistics.median(ever),
            "dashboard_all_p95_ms": ever[int(len(ever) * 0.95) - 1],
            "streams_total": float(total or 0),
            "artist_streams": float(mine or 0),
            "aggregate_rows": float(sum(made.values())),
            "generate_s": generate_s,
            "rollup_s": rollup_s,
            "rollup_streams_per_s": rolled.streams / rollup_s if rollup_s else 0.0,
            "artist_28d_streams_after": float(after.streams),
        }
        engine = "postgresql" if args.postgres else "sqlite"
        notes = {
            "dashboard_p95_ms": f"28-day dashboard of the big artist, {args.rounds} reads "
            f"(ArtistStats.dashboard, as GET /api/v1/artists/{{id}}/stats; {engine})",
            "dashboard_p50_ms": "the same, median",
            "dashboard_cpu_p95_ms": "the same reads' CPU time, p95 (SQLite: in this process)",
            "load_average": f"the machine's 1-minute load average then ({os.cpu_count()} cores)",
            "dashboard_12m_p50_ms": "12-month dashboard (per month: whole months from the "
            "monthly roll-ups, the first partial month from the days), median",
            "dashboard_12m_p95_ms": "the same, p95",
            "dashboard_all_p50_ms": "all-time dashboard (months only), median",
            "dashboard_all_p95_ms": "the same, p95",
            "streams_total": "streams in the generated figures (all artists)",
            "artist_streams": "of which the big artist's",
            "aggregate_rows": ", ".join(f"{k} {v:,}" for k, v in made.items()),
            "generate_s": "writing those rows (bench only; the job builds them as plays come)",
            "rollup_s": f"the artist-stats job over {args.rollup_plays:,} new counted plays "
            "(50,000 listeners)",
            "rollup_streams_per_s": "counted plays rolled up a second",
            "artist_28d_streams_after": "the big artist's 28-day streams after the roll-up",
        }
        name = "artist_stats" if engine == "sqlite" else f"artist_stats_{engine}"
        write_results(name, figures, notes, script="artist_stats")
    finally:
        app.close()
        shutil.rmtree(work, ignore_errors=True)  # gigabytes at full size


if __name__ == "__main__":
    main()
