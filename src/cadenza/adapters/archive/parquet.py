"""Listening events as Parquet (pyarrow): one file per day, a row group per page of events, so
the archiver holds one page in memory however long the day. Imported by the archive job and
`cadenza events archive` only: pyarrow never enters the HTTP process (issue 18).

The file's schema version is in its key-value metadata (`cadenza.archive.schema`):
1 (no key: files written before it): the events only;
2: each event also has its play's `source` and `market` (plays.source and plays.country as
   stored, null where the play recorded none). Readers take a version 1 file's plays as
   source unknown ("other") in the listener's country now, and say so (`schema_version`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cadenza.ports.event_archive import StoredEvent

SCHEMA_VERSION = 2
VERSION_KEY = b"cadenza.archive.schema"
# the columns each version added, null where an older file lacks them
ADDED = {2: (("source", pa.string()), ("market", pa.string()))}

SCHEMA = pa.schema(
    [
        ("event_id", pa.int64()),
        ("account_id", pa.int64()),
        ("client_id", pa.string()),
        ("play_id", pa.string()),
        ("kind", pa.string()),
        ("track_id", pa.int64()),
        ("device", pa.string()),
        ("position_ms", pa.int64()),
        ("seek_to_ms", pa.int64()),
        ("at", pa.timestamp("us", tz="UTC")),
        ("received_at", pa.timestamp("us", tz="UTC")),
        *ADDED[2],
    ],
    metadata={VERSION_KEY: str(SCHEMA_VERSION).encode()},
)


def schema_version(path: Path) -> int:
    """The archive schema a file was written with (its footer only is read)."""
    found = (pq.read_schema(path).metadata or {}).get(VERSION_KEY)
    return int(found) if found else 1


class ParquetEventFiles:
    def write(self, path: Path, pages: Iterable[list[StoredEvent]]) -> int:
        written = 0
        with pq.ParquetWriter(path, SCHEMA, compression="zstd") as out:
            for page in pages:
                columns = {
                    "event_id": [e.id for e in page],
                    "account_id": [e.account_id for e in page],
                    "client_id": [e.client_id for e in page],
                    "play_id": [e.play_id for e in page],
                    "kind": [e.kind for e in page],
                    "track_id": [e.track_id for e in page],
                    "device": [e.device for e in page],
                    "position_ms": [e.position_ms for e in page],
                    "seek_to_ms": [e.seek_to_ms for e in page],
                    "at": [e.at for e in page],
                    "received_at": [e.received_at for e in page],
                    "source": [e.source for e in page],
                    "market": [e.market for e in page],
                }
                out.write_table(pa.table(columns, schema=SCHEMA))
                written += len(page)
            if written == 0:  # a day without events is an empty file with the schema
                out.write_table(SCHEMA.empty_table())
        return written
