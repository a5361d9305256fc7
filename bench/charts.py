"""Charts: how long the daily rebuild takes over two weeks of counted plays, and how long a
listener waits for a chart (the stored places, the songs they may play read back).

Generated data, fixed: --tracks tracks in releases of 100 (one in ten releases out only in
JP), --listeners listeners spread over 20 countries, --plays counted plays over the last 14
days, each song drawn with Zipf-like popularity (exponent 1, seed 0).

    python bench/charts.py [--tracks 20000] [--listeners 5000] [--plays 500000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from sqlalchemy import insert

from _results import timed, write_results
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.audio import Loudness
from cadenza.domain.catalog import PublishedTrack, ReleaseSpec, TrackSpec, Viewer
from cadenza.domain.charts import ChartKind
from cadenza.ingest.publish import Publication, publish

COUNTRIES = [
    "US",
    "GB",
    "DE",
    "FR",
    "ES",
    "IT",
    "NL",
    "SE",
    "NO",
    "DK",
    "FI",
    "PL",
    "PT",
    "AT",
    "CH",
    "CA",
    "AU",
    "JP",
    "BR",
    "MX",
]
PER_RELEASE = 100
BATCH = 20_000


def catalog(app: App, tracks: int) -> list[int]:
    ids: list[int] = []
    distributor = app.distributor_id("Bench Distributor")
    for number in range(0, tracks, PER_RELEASE):
        release = number // PER_RELEASE
        artist = f"Bench Artist {release}"
        songs = [
            PublishedTrack(
                spec=TrackSpec(title=f"Song {n}", artists=[artist], track_number=n + 1),
                duration_ms=200_000,
                loudness=Loudness(-14.0, -1.0),
                source_blob=f"{number + n:064x}",
                source_format="flac",
                files=(),
            )
            for n in range(min(PER_RELEASE, tracks - number))
        ]
        spec = ReleaseSpec(
            title=f"Bench Release {release}",
            artists=[artist],
            release_at=datetime(2015, 1, 1, tzinfo=UTC),
            territories=("JP",) if release % 10 == 9 else ("WORLDWIDE",),
        )
        publication = Publication(distributor, spec.title, spec, {}, songs, replace_tracks=True)
        ids += publish(app.uow, publication)[1]
    return ids


def listeners_and_plays(app: App, tracks: list[int], listeners: int, plays: int) -> None:
    now = datetime.now(UTC)
    rng = random.Random(0)
    engine = app.engine
    with engine.begin() as conn:
        conn.execute(
            insert(UserRow),
            [
                {
                    "id": n + 1,
                    "email": f"listener{n}@bench.example.org",
                    "password_hash": "-",
                    "display_name": f"Listener {n}",
                    "country": COUNTRIES[n % len(COUNTRIES)],
                    "birth_date": date(2000, 1, 1),
                    "roles": ["listener"],
                    "plan": "free",
                    "created_at": now,
                    "credentials_version": 0,
                    "time_zone": "UTC",
                }
                for n in range(listeners)
            ],
        )
    weights = list(accumulate(1.0 / (rank + 1) for rank in range(len(tracks))))
    order = tracks[:]
    rng.shuffle(order)
    for start in range(0, plays, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, plays)):
            at = now - timedelta(seconds=rng.uniform(60, 14 * 86400))
            rows.append(
                {
                    "user_id": rng.randrange(listeners) + 1,
                    "play_id": f"p{n}",
                    "track_id": rng.choices(order, cum_weights=weights)[0],
                    "device": "bench",
                    "started_at": at,
                    "listened_ms": 45_000,
                    "counted": True,
                    "finished": True,
                    "skipped": False,
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(PlayRow), rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--listeners", type=int, default=5_000)
    parser.add_argument("--plays", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cadenza-bench-charts-"))
    settings = Settings(
        data_dir=work, database_url=args.postgres, billing_interval_s=0, charts_interval_s=0
    )
    app = bootstrap(settings)
    try:
        tracks = catalog(app, args.tracks)
        listeners_and_plays(app, tracks, args.listeners, args.plays)
        start = time.perf_counter()
        built = app.charts.rebuild()
        rebuild_s = time.perf_counter() - start
        again_s = timed(lambda: app.charts.rebuild(), 1) / 1000
        viewer = Viewer(country="US", now=datetime.now(UTC))
        top = next(
            c for c in app.charts.charts_for(viewer) if c.kind is ChartKind.TOP and not c.country
        )
        shown = len(app.charts.chart(top.id, viewer).lines)
        figures = {
            "rebuild_s": rebuild_s,
            "rebuild_again_s": again_s,
            "charts": float(built.charts),
            "chart_read_p50_ms": timed(lambda: app.charts.chart(top.id, viewer), args.rounds),
            "charts_list_p50_ms": timed(lambda: app.charts.charts_for(viewer), args.rounds),
            "songs_shown": float(shown),
        }
        engine = "postgresql" if args.postgres else "sqlite"
        notes = {
            "rebuild_s": f"{args.plays:,} counted plays of {args.tracks:,} songs by "
            f"{args.listeners:,} listeners in 20 countries ({engine})",
            "rebuild_again_s": "the same day again (places replaced, yesterday's kept)",
            "charts": "Top 50 and Viral 50, everywhere and per country",
            "chart_read_p50_ms": "Top 50 everywhere for a US listener (JP-only songs skipped)",
            "charts_list_p50_ms": "the charts for a listener",
            "songs_shown": "songs that listener sees on it",
        }
        write_results("charts" if engine == "sqlite" else f"charts_{engine}", figures, notes)
    finally:
        app.close()


if __name__ == "__main__":
    main()
