"""A synthetic month of listening events written straight into the archive's Parquet layout
(one file per day, the archive's schema), vectorised with numpy and pyarrow: the bench's
50,000,000 events and the tests' few thousand come from the same generator.

Each play is three events: `start` at position 0, then `progress` (or, for one play in ten,
a `seek` forward by 5 s) halfway, then `end` (or `skip` when it stopped under 30 s) at the
end, each at the wall time matching its position. Listeners and tracks are drawn from Zipf-
like distributions (a few are played much more); a third of plays stop before 30 s. Each play
has a source (one in nine none) and a market (one in five none: the listener's country
counts; else mostly one per account, one in ten another: a listener abroad), unless the files
are written in the archive's first schema (`legacy_days`), which has neither."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

EVENTS_PER_PLAY = 3
MARKETS = ("US", "GB", "DE", "FR", "SE", "BR", "JP", "IN")


@dataclass(frozen=True)
class MonthShape:
    month: str = "2026-05"  # YYYY-MM
    events: int = 50_000_000
    accounts: int = 200_000
    tracks: int = 100_000
    artists: int = 10_000
    zipf: float = 1.1  # the exponent of listeners' and tracks' popularity
    seed: int = 17


def side_tables(shape: MonthShape) -> dict[str, list[tuple[object, ...]]]:
    """Each account's country and each track's entries (itself, its release, its artist), as
    the side tables of engines.py; nothing set aside."""
    import numpy as np

    rng = np.random.default_rng(shape.seed + 1)
    markets = rng.integers(0, len(MARKETS), shape.accounts)
    artists = rng.integers(1, shape.artists + 1, shape.tracks)
    owners: list[tuple[object, ...]] = []
    for i, artist in enumerate(artists):
        track = i + 1
        owners += [(track, "track", track), (track, "release", (track + 9) // 10)]
        owners.append((track, "artist", int(artist)))
    return {
        "accounts": [(i + 1, MARKETS[int(m)]) for i, m in enumerate(markets)],
        "set_aside": [],
        "track_owners": owners,
    }


def write_month(
    shape: MonthShape,
    folder: Path,
    advance: Callable[[int], None] | None = None,
    legacy_days: int = 0,
) -> list[Path]:
    """The month's events as `folder/listening-YYYY-MM-DD.parquet`, a file per day of start;
    the first `legacy_days` days in the archive's schema 1 (no source, no market)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cadenza.adapters.archive.parquet import ADDED, SCHEMA
    from cadenza.domain.listening import PlaySource

    legacy = pa.schema([f for f in SCHEMA if f.name not in {n for n, _ in ADDED[2]}])
    sources = np.array([None, *(s.value for s in PlaySource)], dtype=object)
    markets = np.array([None, *MARKETS], dtype=object)
    where = np.random.default_rng(shape.seed + 2)  # apart from `rng`: the same plays as before

    folder.mkdir(parents=True, exist_ok=True)
    year, mon = int(shape.month[:4]), int(shape.month[5:])
    first = date(year, mon, 1)
    days = ((first.replace(day=28) + timedelta(days=4)).replace(day=1) - first).days
    plays_total = shape.events // EVENTS_PER_PLAY
    rng = np.random.default_rng(shape.seed)
    written: list[Path] = []
    next_event, next_play = 1, 1
    for d in range(days):
        plays = plays_total // days + (1 if d < plays_total % days else 0)
        day_start = datetime.combine(first + timedelta(days=d), datetime.min.time(), UTC)
        start_us = int(day_start.timestamp()) * 1_000_000 + rng.integers(
            0, 86_400_000_000, plays, dtype=np.int64
        )
        account = _zipf(rng, shape.accounts, shape.zipf, plays)
        track = _zipf(rng, shape.tracks, shape.zipf, plays)
        short = rng.random(plays) < 1 / 3
        length = np.where(
            short,
            rng.integers(1_000, 30_000, plays),
            rng.integers(30_000, 240_000, plays),
        ).astype(np.int64)
        seek = rng.random(plays) < 0.1
        half = length // 2
        play_ids = np.arange(next_play, next_play + plays, dtype=np.int64)
        next_play += plays
        # three events per play, interleaved: play i has rows 3i, 3i+1, 3i+2
        n = plays * EVENTS_PER_PLAY
        kind = np.empty(n, dtype=object)
        kind[0::3] = "start"
        kind[1::3] = np.where(seek, "seek", "progress")
        kind[2::3] = np.where(short, "skip", "end")
        position = np.empty(n, dtype=np.int64)
        position[0::3] = 0
        position[1::3] = half
        # after a seek the play resumes 5 s further on and plays the rest of its length
        position[2::3] = np.where(seek, length + 5_000, length)
        seek_to = np.zeros(n, dtype=np.int64)
        seek_to[1::3] = half + 5_000
        no_seek = np.ones(n, dtype=bool)  # null but where a seek went
        no_seek[1::3] = ~seek
        at = np.empty(n, dtype=np.int64)
        at[0::3] = start_us
        at[1::3] = start_us + half * 1_000
        at[2::3] = start_us + length * 1_000
        ids = np.arange(next_event, next_event + n, dtype=np.int64)
        next_event += n
        play_text = pa.array(np.repeat(play_ids, 3)).cast(pa.string())
        times = pa.array(at, pa.timestamp("us", tz="UTC"))
        source = sources[where.integers(0, len(sources), plays)]
        home = markets[1 + account % len(MARKETS)]
        market = np.where(
            where.random(plays) < 0.2,
            markets[:1],
            np.where(
                where.random(plays) < 0.125, markets[where.integers(1, len(markets), plays)], home
            ),
        )
        columns = {
            "event_id": ids,
            "account_id": np.repeat(account, 3),
            "client_id": pa.array(ids).cast(pa.string()),
            "play_id": play_text,
            "kind": pa.array(kind, pa.string()),
            "track_id": np.repeat(track, 3),
            "device": pa.array(np.full(n, "web", dtype=object), pa.string()),
            "position_ms": position,
            "seek_to_ms": pa.array(seek_to, pa.int64(), mask=no_seek),
            "at": times,
            "received_at": times,
            "source": pa.array(np.repeat(source, 3), pa.string()),
            "market": pa.array(np.repeat(market, 3), pa.string()),
        }
        if d < legacy_days:
            table = pa.table({c: columns[c] for c in legacy.names}, schema=legacy)
        else:
            table = pa.table(columns, schema=SCHEMA)
        path = folder / f"listening-{(first + timedelta(days=d)).isoformat()}.parquet"
        pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
        written.append(path)
        if advance is not None:
            advance(n)
    return written


def _zipf(
    rng: np.random.Generator, size: int, exponent: float, count: int
) -> npt.NDArray[np.int64]:
    """Ids 1..size, the k-th most played drawn with weight 1/k**exponent (which id is k-th is
    shuffled)."""
    import numpy as np

    weights = 1.0 / np.arange(1, size + 1, dtype=np.float64) ** exponent
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    ranks = np.searchsorted(cdf, rng.random(count), side="right")
    order = np.random.default_rng(size).permutation(size)  # which id holds each rank
    return order[np.minimum(ranks, size - 1)].astype(np.int64) + 1
