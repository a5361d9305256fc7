"""Batch jobs at scale: one month of listening events (50,000,000 by default) from the Parquet
archive through both engines on this machine: the embedded one (DuckDB in this process, all
cores) and Apache Spark in local mode (`local[2]`: this machine's two cores). Each engine counts
what a royalty close reads (streams per market, listener and track; flagged per market; per
track over 12 months) and the search popularity rollup (per entry and country, and
everywhere); the figures are the seconds each took (`embedded_s`, `spark_local_s`, Spark's
start included) and `same_results` (1: both counted exactly the same).

The month is generated straight as Parquet (cadenza.batch.synthetic, numpy + pyarrow,
vectorised), a file per day in the archive's schema, once: a second run reuses the folder
(`--data`). Parameters (seed 17): --events (3 per play: start, progress or a seek forward,
end or skip), 200,000 listeners in 8 markets and 100,000 tracks of 10,000 artists, each drawn
Zipf-like (exponent 1.1); a third of plays stop before 30 s; one in ten seeks.

    python bench/batch_scale.py [--events 50000000] [--data /tmp/cadenza-batch-bench]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from _results import write_results
from cadenza.batch.engines import EmbeddedEngine, SparkEngine
from cadenza.batch.month import ArchiveCounts
from cadenza.batch.synthetic import MonthShape, side_tables, write_month
from cadenza.domain import royalties as rules_


def count(counts: ArchiveCounts, month: str) -> tuple[object, ...]:
    since, until = rules_.month_bounds(month)
    return (*counts.month(month), counts.popularity(since, until))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/cadenza-batch-bench"))
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    shape = MonthShape(events=args.events)
    folder = args.data / f"{shape.month}-{shape.events}-{shape.seed}"
    started = time.perf_counter()
    done = folder / "complete"
    if done.exists():
        files = sorted(folder.glob("listening-*.parquet"))
        generate_s = 0.0
    else:
        files = write_month(shape, folder)
        done.touch()
        generate_s = time.perf_counter() - started
    side = side_tables(shape)
    size = sum(f.stat().st_size for f in files)

    started = time.perf_counter()
    embedded = count(ArchiveCounts(EmbeddedEngine(), files, side), shape.month)
    embedded_s = time.perf_counter() - started

    started = time.perf_counter()
    spark = SparkEngine(args.master, driver_memory="4g")
    on_spark = count(ArchiveCounts(spark, files, side), shape.month)
    spark.close()
    spark_local_s = time.perf_counter() - started

    listens = embedded[0]
    streams = sum(r.streams for r in listens)  # type: ignore[attr-defined]
    write_results(
        "batch_scale" if args.events == 50_000_000 else "batch_scale_partial",
        {
            "events": float(args.events),
            "parquet_mb": size / 1e6,
            "generate_s": generate_s,
            "embedded_s": embedded_s,
            "spark_local_s": spark_local_s,
            "streams": float(streams),
            "same_results": 1.0 if embedded == on_spark else 0.0,
            "cores": float(os.cpu_count() or 0),
        },
        {
            "events": "listening events in the month (3 per play)",
            "parquet_mb": "the month's archive: 30 or 31 files, zstd",
            "generate_s": "writing the archive (0: reused from --data)",
            "embedded_s": "DuckDB in this process: royalty aggregates + popularity",
            "spark_local_s": f"Spark {args.master}: the same, its start included",
            "streams": "counted, unflagged streams of the month",
            "same_results": "1: both engines counted exactly the same",
            "cores": "this machine's",
        },
        script="batch_scale",
    )


if __name__ == "__main__":
    main()
