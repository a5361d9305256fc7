"""Counted plays into search popularity and the artists' statistics through the domain stream
(CADENZA_NATS_URL), against the real NATS (127.0.0.1:4222, or CADENZA_TEST_NATS): the durable
consumers `search-popularity` and `artist-stats` bring the figures up to date as plays are
counted, with no job run, and a batch that comes again (its consumer failed after its commit,
before its acknowledgement) counts nothing twice. Each test has its own prefix and streams.
The consumers' process killed and a second one finishing: tests/e2e/test_event_stream.py."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from cadenza.bootstrap import App
from cadenza.domain.event_stream import ARTIST_STATS, COUNTING, DOMAIN, PLAY_COUNTED, POPULARITY
from cadenza.ports.event_log import Handle, LogEntry
from cadenza.services.play_consumers import PopularityConsumer, StatsConsumer
from tests.e2e.conftest import sign_in
from tests.e2e.granted import account_of
from tests.e2e.live import wait_until
from tests.e2e.test_event_stream import (  # noqa: F401  (settings: NATS, a prefix of its own)
    EVENTS,
    served,
    settings,
    stream_of,
)
from tests.e2e.test_listening import first_track, play


def popularity(app: App) -> list[tuple[str, int, str, int]]:
    with app.engine.connect() as db:
        rows = db.execute(
            text(
                "SELECT kind, entity_id, country, streams FROM search_popularity "
                "ORDER BY kind, entity_id, country"
            )
        )
        return [(str(k), int(e), str(c), int(s)) for k, e, c, s in rows]


def track_popularity(app: App, track: int) -> int:
    found = [s for k, e, c, s in popularity(app) if (k, e, c) == ("track", track, "")]
    return found[0] if found else 0


def artist_of(app: App, track: int) -> int:
    with app.engine.connect() as db:
        query = text("SELECT min(artist_id) FROM track_artists WHERE track_id = :t")
        return int(db.execute(query, {"t": track}).scalar_one())


def artist_streams(app: App, artist: int) -> int:
    with app.engine.connect() as db:
        query = text("SELECT coalesce(sum(streams), 0) FROM stats_artist_days WHERE artist_id = :a")
        return int(db.execute(query, {"a": artist}).scalar_one())


def failing_once_after(handle: Handle, redelivered: list[int]) -> Handle:
    """The consumer's handler, which dies after its first batch committed and before that
    batch is acknowledged (as a process killed there would): the batch comes again."""
    failed: list[bool] = []

    def run(entries: list[LogEntry]) -> None:
        redelivered.extend(e.sequence for e in entries if e.delivered > 1)
        handle(entries)
        if not failed:
            failed.append(True)
            raise RuntimeError("died before the acknowledgement")

    return run


def test_counted_plays_reach_popularity_and_statistics_once_when_a_batch_comes_again(
    app: App, published: int
) -> None:
    from cadenza.api.app import create_app

    app.settings.background = False  # no clock runs a job: the consumers below alone
    listeners = 3
    with TestClient(create_app(app)) as client:
        track = first_track(client, published)
        artist = artist_of(app, track)
        start = datetime.now(UTC) - timedelta(minutes=30)
        for number in range(listeners):
            who = sign_in(client, app, f"fan{number}@example.org")
            events = play(track, f"p{number}", 45, start + timedelta(minutes=number))
            served(app, account_of(client, who), events)
            assert client.post(EVENTS, json={"events": events}, headers=who).status_code == 200

        log = stream_of(app)
        again: dict[str, list[int]] = {POPULARITY: [], ARTIST_STATS: []}
        consumers: dict[str, Callable[[list[LogEntry]], None]] = {
            POPULARITY: PopularityConsumer(app.search.recount_popularity, app.clock).handle,
            ARTIST_STATS: StatsConsumer(lambda: app.artist_stats.roll_up(streams_only=True)).handle,
        }
        stop = app.start_consumers([COUNTING])
        try:
            for name, handle in consumers.items():
                log.consume(name, PLAY_COUNTED, failing_once_after(handle, again[name]), stop)
            wait_until(lambda: app.listening.streams(track) == listeners, "counted", 30)
            for name in consumers:  # each failed once, had its batch again, and finished
                wait_until(lambda n=name: bool(again[n]), f"{name} had a batch again", 30)
                wait_until(lambda n=name: log.pending(n, DOMAIN) == 0, f"{name} done", 30)
        finally:
            stop.set()

        # Each counted play once in the figures, though a batch was applied twice; no job ran.
        assert track_popularity(app, track) == listeners
        assert artist_streams(app, artist) == listeners
        # The same figures the jobs make from the counted plays: the daily rollup changes
        # nothing, and the roll-up finds no stream left to add.
        consumed = popularity(app)
        app.search.roll_up_popularity(app.clock.now())
        assert popularity(app) == consumed
        assert app.artist_stats.roll_up().streams == 0
        assert artist_streams(app, artist) == listeners


def test_consume_names_the_consumers_it_runs(app: App) -> None:
    unknown = subprocess.run(
        [sys.executable, "-m", "cadenza", "events", "consume", "--only", "charts"],
        env={**os.environ, "CADENZA_DATA_DIR": str(app.settings.data_dir)},
        capture_output=True,
        check=False,
    )
    assert unknown.returncode == 2
    assert b"counting, search-popularity, artist-stats" in unknown.stderr
