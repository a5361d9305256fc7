"""Playlist edits at the 10,000-track limit: how long one edit and one read take.

    python bench/playlists.py [--tracks 10000] [--rounds 30] [--postgres URL]

1. A fresh data dir (SQLite, or a fresh PostgreSQL database with --postgres); a catalog of
   `--tracks` tracks in releases of 100, published without audio through the publish stage.
2. One listener's playlist filled to `--tracks` less one through the service, 100 tracks an edit (each
   track checked against what the listener can see, as over HTTP).
3. Then `--rounds` times each: add one track at the top, reaching the limit (every entry moves down) and
   remove it again by position; move the first track to the end; read a page of 100 tracks as
   the listener sees them; resolve the whole playlist as a player context (playable ids).
Services are called in process: the figures leave HTTP out (about 1 ms a request).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _results import timed, write_results
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from cadenza.domain.audio import Loudness
from cadenza.domain.catalog import PublishedTrack, ReleaseSpec, TrackSpec
from cadenza.ingest.publish import Publication, publish

PER_RELEASE = 100


def catalog(app: App, tracks: int) -> list[int]:
    ids: list[int] = []
    distributor = app.distributor_id("Bench Distributor")
    for number in range(0, tracks, PER_RELEASE):
        title = f"Bench Release {number // PER_RELEASE}"
        songs = [
            PublishedTrack(
                spec=TrackSpec(title=f"Song {n}", artists=["Bench Band"], track_number=n + 1),
                duration_ms=200_000,
                loudness=Loudness(-14.0, -1.0),
                source_blob=f"{number + n:064x}",
                source_format="flac",
                files=(),
            )
            for n in range(min(PER_RELEASE, tracks - number))
        ]
        spec = ReleaseSpec(
            title=title, artists=["Bench Band"], release_at=datetime(2015, 1, 1, tzinfo=UTC)
        )
        publication = Publication(distributor, title, spec, {}, songs, replace_tracks=True)
        ids += publish(app.uow, publication)[1]
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cadenza-bench-playlists-"))
    app = bootstrap(Settings(data_dir=work, database_url=args.postgres, billing_interval_s=0))
    try:
        tracks = catalog(app, args.tracks)
        me = app.accounts.create(
            "bench@example.org", "a long and unusual listening phrase", roles=[Role.LISTENER]
        )
        playlist = app.playlists.create(me.id, "Everything").id
        start = time.perf_counter()
        listed = tracks[:-1]  # one short of the limit: the timed add fills it, the remove empties
        for at in range(0, len(listed), 100):
            app.playlists.add(me.id, playlist, listed[at : at + 100])
        fill = time.perf_counter() - start
        viewer = app.collection.viewer(me.id)

        def add_and_remove() -> None:
            app.playlists.add(me.id, playlist, [tracks[0]], position=0)
            app.playlists.remove(me.id, playlist, [(tracks[0], 0)])

        figures = {
            "fill_s": fill,
            "add_top_and_remove_p50_ms": timed(add_and_remove, args.rounds),
            "move_first_to_end_p50_ms": timed(
                lambda: app.playlists.reorder(me.id, playlist, 0, 1, len(listed)), args.rounds
            ),
            "read_page_p50_ms": timed(
                lambda: app.playlists.items(playlist, me.id, viewer, 100, 5_000), args.rounds
            ),
            "player_context_p50_ms": timed(
                lambda: app.playlists.context(me.id, viewer, playlist), args.rounds
            ),
        }
        engine = "postgresql" if args.postgres else "sqlite"
        notes = {
            "fill_s": f"{len(listed)} tracks added 100 an edit ({engine})",
            "add_top_and_remove_p50_ms": "two edits: every entry moves down, then back",
            "move_first_to_end_p50_ms": "one edit: every entry moves up one",
            "read_page_p50_ms": "100 tracks from position 5,000, as the listener sees them",
            "player_context_p50_ms": "the playable ids of the whole playlist",
        }
        write_results("playlists" if engine == "sqlite" else f"playlists_{engine}", figures, notes)
    finally:
        app.close()


if __name__ == "__main__":
    main()
