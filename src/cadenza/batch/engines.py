"""The two engines the batch jobs run on. Each is given the archive's day files and the small
side tables, and answers SQL (archive_sql.py) as rows of plain tuples.

`EmbeddedEngine`: DuckDB in this process (the default). `SparkEngine`: a SparkSession on the
`master` given (`local[2]`, `spark://host:7077`, `yarn` ...); pyspark is imported here only,
when an operator chose the engine, never by the HTTP process."""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

# the side tables: name -> (columns with their SQL types, rows)
SIDE_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "accounts": (("account_id", "BIGINT"), ("country", "STRING")),
    "set_aside": (("account_id", "BIGINT"), ("play_id", "STRING"), ("flagged", "BOOLEAN")),
    "track_owners": (("track_id", "BIGINT"), ("kind", "STRING"), ("entity_id", "BIGINT")),
}
Rows = Sequence[tuple[Any, ...]]
# the archive's columns of schema 2 (adapters/archive/parquet.py): null in a file of schema 1
ADDED_COLUMNS = ("source", "market")


class BatchEngine(Protocol):
    name: str
    us: str  # the engine's function: a timestamp -> microseconds since the epoch

    def load(self, files: Sequence[Path], side: dict[str, Rows]) -> None:
        """The archive's files as `events` and the side tables (absent ones empty)."""
        ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def keep(self, name: str, sql: str) -> None:
        """The query's rows as table `name`, computed once for the queries that follow."""
        ...

    def close(self) -> None: ...


class EmbeddedEngine:
    name = "embedded"
    us = "epoch_us"

    def __init__(self, threads: int | None = None) -> None:
        import duckdb

        self.db = duckdb.connect()
        if threads:
            self.db.execute(f"SET threads = {int(threads)}")

    def load(self, files: Sequence[Path], side: dict[str, Rows]) -> None:
        listed = ", ".join(f"'{_quoted(p)}'" for p in files)
        if files:
            # by name: a file of the archive's schema 1 has no source and market (NULL)
            self.db.execute(
                "CREATE OR REPLACE VIEW archive_files AS SELECT * "  # noqa: S608 (the files' paths, quoted)
                f"FROM read_parquet([{listed}], union_by_name = true)"
            )
            found = {
                d[0] for d in self.db.execute("SELECT * FROM archive_files LIMIT 0").description
            }
            kept = [
                "event_id", "account_id", "play_id", "kind", "track_id", "position_ms",
                "seek_to_ms", '"at" AS at_ts',
            ] + [c if c in found else f"CAST(NULL AS VARCHAR) AS {c}" for c in ADDED_COLUMNS]  # fmt: skip
            view = f"CREATE OR REPLACE VIEW events AS SELECT {', '.join(kept)} FROM archive_files"  # noqa: S608 (our column names)
            self.db.execute(view)
        else:
            self.db.execute(
                "CREATE OR REPLACE TABLE events (event_id BIGINT, account_id BIGINT, "
                "play_id VARCHAR, kind VARCHAR, track_id BIGINT, position_ms BIGINT, "
                "seek_to_ms BIGINT, at_ts TIMESTAMPTZ, source VARCHAR, market VARCHAR)"
            )
        import pyarrow as pa

        kinds = {"BIGINT": pa.int64(), "STRING": pa.string(), "BOOLEAN": pa.bool_()}
        for table, columns in SIDE_TABLES.items():
            rows = list(side.get(table, ()))
            arrow = pa.table(
                {c: pa.array([r[i] for r in rows], kinds[t]) for i, (c, t) in enumerate(columns)}
            )
            self.db.register("side_rows", arrow)  # read in one statement, not row by row
            self.db.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM side_rows")  # noqa: S608
            self.db.unregister("side_rows")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.db.execute(sql).fetchall()]

    def keep(self, name: str, sql: str) -> None:
        self.db.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def close(self) -> None:
        self.db.close()


class SparkEngine:
    name = "spark"
    us = "unix_micros"

    def __init__(self, master: str, session: Any = None, driver_memory: str = "2g") -> None:
        self.owned = session is None  # made here: close() stops it; given: its owner does
        self.spark = (
            spark_session(master, driver_memory=driver_memory) if session is None else session
        )

    def load(self, files: Sequence[Path], side: dict[str, Rows]) -> None:
        spark = self.spark
        if files:
            # mergeSchema: a file of the archive's schema 1 has no source and market (null)
            read = spark.read.option("mergeSchema", "true").parquet(*[str(p) for p in files])
            for column in ADDED_COLUMNS:
                if column not in read.columns:  # every file of schema 1
                    read = read.selectExpr("*", f"CAST(NULL AS STRING) AS {column}")
            read.withColumnRenamed("at", "at_ts").createOrReplaceTempView("events")
        else:
            spark.sql(
                "SELECT CAST(NULL AS BIGINT) event_id, CAST(NULL AS BIGINT) account_id, "
                "CAST(NULL AS STRING) play_id, CAST(NULL AS STRING) kind, "
                "CAST(NULL AS BIGINT) track_id, CAST(NULL AS BIGINT) position_ms, "
                "CAST(NULL AS BIGINT) seek_to_ms, CAST(NULL AS TIMESTAMP) at_ts, "
                "CAST(NULL AS STRING) source, CAST(NULL AS STRING) market WHERE FALSE"
            ).createOrReplaceTempView("events")
        for table, columns in SIDE_TABLES.items():
            schema = ", ".join(f"{c} {t}" for c, t in columns)
            frame = spark.createDataFrame(list(side.get(table, ())), schema)
            frame.createOrReplaceTempView(table)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def keep(self, name: str, sql: str) -> None:
        if self.spark.catalog.tableExists(name):
            self.spark.catalog.uncacheTable(name)
        self.spark.sql(sql).cache().createOrReplaceTempView(name)

    def close(self) -> None:
        if self.owned:
            stop_session(self.spark)


def spark_session(master: str, app: str = "cadenza-batch", driver_memory: str = "2g") -> Any:
    """A SparkSession in UTC with adaptive execution; fewer shuffle partitions for
    `local[N]`. The driver's memory is set here as Spark reads it only at the JVM's start
    (spark-defaults.conf and SPARK_CONF_DIR are honoured for the rest)."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.driver.memory", driver_memory)
    )
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "8")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def stop_session(session: Any) -> None:
    """Stop a SparkSession and give Ctrl-C back to Python: pyspark's own SIGINT handler, left
    behind after a stop, fails on the stopped context before it interrupts."""
    session.stop()
    if threading.current_thread() is threading.main_thread():
        handler = signal.getsignal(signal.SIGINT)
        if getattr(handler, "__module__", "").startswith("pyspark"):
            signal.signal(signal.SIGINT, signal.default_int_handler)


def make_engine(engine: str, master: str | None) -> BatchEngine:
    if engine == "embedded":
        return EmbeddedEngine()
    if engine == "spark":
        return SparkEngine(master or "local[*]")
    raise ValueError(f"no engine {engine!r}: embedded or spark")


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
