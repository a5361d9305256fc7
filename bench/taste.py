"""Only You and Your year on a server with history: how long one listener's answers take.

    python bench/taste.py [--artists 300] [--listeners 300] [--plays 2000] [--rounds 10]
        [--postgres URL]

1. A fresh data dir (SQLite, or a fresh PostgreSQL database with --postgres); `--artists`
   artists of one 10-track release each, published without audio through the publish stage.
2. `--listeners` listeners (rows written directly: nobody logs in) with `--plays` counted plays
   each over the last 365 days, at random hours (rows written directly, then summed into
   `listener_artists` as migration 0029 does). Each listener has 40 favourite artists drawn
   by a Zipf law (exponent 1: a few artists are everyone's, most are few people's) and plays
   them with Zipf weights too. Seed 0, so every run holds the same history.
3. Timed in process (HTTP left out), the median of `--rounds` for the first listener: Only You
   (`only_you`, with its pair and artist counts over everyone's plays), Your year for the
   current year, and a share card painted (a first request after the numbers change) and
   cached (the same card again).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).parent))

from _results import timed, write_results
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.audio import Loudness
from cadenza.domain.catalog import PublishedTrack, ReleaseSpec, TrackSpec
from cadenza.ingest.publish import Publication, publish

TRACKS_PER_ARTIST = 10
FAVOURITES = 40
LISTENER_ARTISTS = (
    "INSERT INTO listener_artists (user_id, artist_id, plays, first_played_at) "
    "SELECT p.user_id, ta.artist_id, COUNT(*), MIN(p.started_at) "
    "FROM plays p JOIN track_artists ta ON ta.track_id = p.track_id "
    "WHERE p.counted AND ta.role = 'main' GROUP BY p.user_id, ta.artist_id"
)
GENRES = ("pop", "rock", "soul", "jazz", "metal", "ambient", "folk", "electronic")


def catalog(app: App, artists: int) -> list[list[int]]:
    """Each artist's track ids."""
    distributor = app.distributor_id("Bench Distributor")
    made = []
    for n in range(artists):
        name = f"Bench Artist {n}"
        songs = [
            PublishedTrack(
                spec=TrackSpec(title=f"Song {t}", artists=[name], track_number=t + 1),
                duration_ms=200_000,
                loudness=Loudness(-14.0, -1.0),
                source_blob=f"{n * TRACKS_PER_ARTIST + t:064x}",
                source_format="flac",
                files=(),
            )
            for t in range(TRACKS_PER_ARTIST)
        ]
        spec = ReleaseSpec(
            title=f"{name} Songs",
            artists=[name],
            release_at=datetime(2015, 1, 1, tzinfo=UTC),
            genres=[GENRES[n % len(GENRES)]],
        )
        made.append(
            publish(
                app.uow, Publication(distributor, spec.title, spec, {}, songs, replace_tracks=True)
            )[1]
        )
    return made


def history(app: App, tracks: list[list[int]], listeners: int, plays: int) -> int:
    """Write the listeners and their plays; the first listener's id."""
    rng = random.Random(0)
    now = datetime.now(UTC)
    weights = [1 / (rank + 1) for rank in range(len(tracks))]
    with app.engine.begin() as db:
        rows = [
            {
                "email": f"bench{n}@example.org",
                "password_hash": "not-a-hash: bench listeners never log in",
                "display_name": f"bench{n}",
                "country": "US",
                "birth_date": date(1990, 1, 1),
                "roles": ["listener"],
                "plan": "free",
                "created_at": now,
                "credentials_version": 0,
            }
            for n in range(listeners)
        ]
        ids = list(db.execute(insert(UserRow).returning(UserRow.id), rows).scalars())
    for user in ids:
        favourites = list(dict.fromkeys(rng.choices(range(len(tracks)), weights, k=FAVOURITES)))
        liking = [1 / (rank + 1) for rank in range(len(favourites))]
        chosen = rng.choices(favourites, liking, k=plays)
        batch = [
            {
                "user_id": user,
                "play_id": f"bench-{user}-{n}",
                "track_id": rng.choice(tracks[artist]),
                "device": "bench",
                "started_at": now - timedelta(seconds=rng.uniform(60, 365 * 86_400)),
                "listened_ms": rng.randint(30_000, 200_000),
                "counted": True,
                "finished": False,
                "skipped": False,
            }
            for n, artist in enumerate(chosen)
        ]
        with app.engine.begin() as db:
            db.execute(insert(PlayRow), batch)
    with app.engine.begin() as db:  # what counting each play keeps, as migration 0029 fills it
        db.execute(text(LISTENER_ARTISTS))
    return ids[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artists", type=int, default=300)
    parser.add_argument("--listeners", type=int, default=300)
    parser.add_argument("--plays", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cadenza-bench-taste-"))
    app = bootstrap(Settings(data_dir=work, database_url=args.postgres, billing_interval_s=0))
    try:
        start = time.perf_counter()
        tracks = catalog(app, args.artists)
        first = history(app, tracks, args.listeners, args.plays)
        setup = time.perf_counter() - start
        year = datetime.now(UTC).year
        service = app.taste
        painted: list[float] = []
        for _ in range(args.rounds):
            service._cards.clear()  # a first request for the card: painted
            begin = time.perf_counter()
            service.card(first, year, "artists", "square")
            painted.append((time.perf_counter() - begin) * 1000)
        figures = {
            "setup_s": setup,
            "only_you_p50_ms": timed(lambda: service.only_you(first), args.rounds),
            "year_p50_ms": timed(lambda: service.year(first, year), args.rounds),
            "card_painted_p50_ms": statistics.median(painted),
            "card_cached_p50_ms": timed(
                lambda: service.card(first, year, "artists", "square"), args.rounds
            ),
        }
        engine = "postgresql" if args.postgres else "sqlite"
        total = args.listeners * args.plays
        notes = {
            "setup_s": f"{args.artists} artists, {args.listeners} listeners, {total:,} plays ({engine})",
            "only_you_p50_ms": f"one listener's {args.plays} plays; pairs counted over all",
            "year_p50_ms": "this calendar year: top 5s, minutes, new artists",
            "card_painted_p50_ms": "Your year read, and a 1080x1080 PNG painted with Pillow",
            "card_cached_p50_ms": "Your year read; the same card from the cache",
        }
        write_results("taste" if engine == "sqlite" else f"taste_{engine}", figures, notes)
    finally:
        app.close()


if __name__ == "__main__":
    main()
