"""The batch jobs over the Parquet archive of listening events, on an engine chosen per run:
DuckDB in this process (`embedded`) or Apache Spark (`spark`, a cluster or `local[N]`). The
same SQL runs on both (archive_sql.py); the money and the ranks come from the domain's pure
functions, so both engines give the same results. Never imported by the HTTP process: pyspark
and duckdb are imported when an engine is made (docs/batch-engines.md)."""
