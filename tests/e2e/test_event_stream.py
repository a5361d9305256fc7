"""Listening events through NATS JetStream (CADENZA_NATS_URL), against the real server
(127.0.0.1:4222, or CADENZA_TEST_NATS): an event is accepted only once JetStream stored it;
the `counting` consumer counts each exactly once, even when its process is killed mid-batch
(and that process's `search-popularity` and `artist-stats` count each play once too);
with NATS away the answer is 503 event_stream_unavailable and nothing the client was told is
accepted is lost; two server processes share the device feeds through NATS. Each test has its
own subject prefix and streams, deleted after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from cadenza.adapters.events.jetstream import JetStreamLog
from cadenza.adapters.events.nats_player import NatsPlayerEvents
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from cadenza.domain.event_stream import ARTIST_STATS, DOMAIN, LISTENING, POPULARITY
from tests.e2e.conftest import sign_in
from tests.e2e.granted import account_of, grant_plays
from tests.e2e.live import wait_until
from tests.e2e.tcp_proxy import TcpRelay
from tests.e2e.test_listening import first_track, play

NATS_URL = os.environ.get("CADENZA_TEST_NATS", "nats://127.0.0.1:4222")
EVENTS = "/api/v1/me/player/events"


@pytest.fixture
def settings(settings: Settings) -> Iterator[Settings]:
    prefix = f"cadenza-test-{uuid.uuid4().hex[:10]}"  # parallel runs share the server
    yield settings.model_copy(
        update={"nats_url": NATS_URL, "nats_prefix": prefix, "nats_redeliver_after_s": 2.0}
    )
    cleaner = JetStreamLog(NATS_URL, prefix)
    cleaner.delete_streams()
    cleaner.close()


def stream_of(app: App) -> JetStreamLog:
    log = app.event_log
    assert log is not None
    return log


def events_stored(app: App) -> int:
    with app.engine.connect() as db:
        return int(db.execute(text("SELECT count(*) FROM listening_events")).scalar_one())


def served(app: App, account: int, events: list[dict[str, Any]]) -> None:
    """Grants and the audio sent, written to the database (a consumer in another process reads
    them there, as it would the other server processes' through Redis)."""
    grant_plays(app, account, events)
    with app.uow() as uow:
        for track in {e["track_id"] for e in events}:
            uow.grant_log.add_served(account, track, app.served_audio.take(account, track))
        uow.commit()


def test_an_event_is_accepted_once_stored_and_counted_once(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    track = first_track(client, published)
    events = play(track, "p-1", 45, datetime.now(UTC) - timedelta(minutes=5))
    grant_plays(app, account_of(client, ada), events)
    log = stream_of(app)
    before = log.stored(LISTENING)

    answer = client.post(EVENTS, json={"events": events}, headers=ada)
    assert answer.status_code == 200
    assert answer.json() == {"accepted": len(events), "duplicates": 0, "rejected": []}
    # When the client has its answer, JetStream holds every event.
    assert log.stored(LISTENING) == before + len(events)
    # The counting consumer (this process does the background work) counts the play.
    wait_until(lambda: app.listening.streams(track) == 1, "counted", timeout=20)
    # the consumer may take the batch in several pulls: the last events are stored just after
    wait_until(lambda: events_stored(app) == len(events), "every event stored", timeout=20)
    # And the counted play reached the stream as a domain event, for other consumers.
    wait_until(
        lambda: log.stored(DOMAIN) >= 2, "domain events", timeout=10
    )  # PlayCounted, TrackFinished

    # The player resends the batch (its answer was lost): duplicates, stored and counted once.
    again = client.post(EVENTS, json={"events": events}, headers=ada)
    assert again.json() == {"accepted": 0, "duplicates": len(events), "rejected": []}
    assert log.stored(LISTENING) == before + len(events)
    history = client.get("/api/v1/me/player/recently-played", headers=ada).json()["items"]
    assert [(h["track_id"], h["listened_ms"]) for h in history] == [(track, 45_000)]
    assert app.listening.streams(track) == 1

    # What the event alone shows wrong is refused in the answer, and never stored.
    ancient = play(track, "old", 40, datetime.now(UTC) - timedelta(days=31))[:1]
    refused = client.post(EVENTS, json={"events": ancient}, headers=ada)
    assert refused.json()["rejected"] == [{"id": "old-0", "code": "event_too_old"}]
    assert log.stored(LISTENING) == before + len(events)


@pytest.fixture
def relay() -> Iterator[TcpRelay]:
    host, port = NATS_URL.removeprefix("nats://").split(":")
    found = TcpRelay((host, int(port)))
    yield found
    found.stop()


@pytest.fixture
def cut_settings(settings: Settings, relay: TcpRelay) -> Settings:
    return settings.model_copy(update={"nats_url": relay.url, "nats_ack_timeout_s": 1.0})


def test_with_nats_away_the_answer_refuses_and_nothing_is_lost(
    cut_settings: Settings, relay: TcpRelay, app: App, published: int, shared_workers: object
) -> None:
    from cadenza.api.app import create_app

    server = bootstrap(cut_settings, worker=True)  # events through the relay the test cuts
    server.shared_pool = app.shared_pool
    counter = bootstrap(cut_settings.model_copy(update={"nats_url": NATS_URL}), worker=True)
    stop_counting = counter.start_consumers()
    try:
        with TestClient(create_app(server)) as client:
            ada = sign_in(client, server, "ada@example.org")
            track = first_track(client, published)
            start = datetime.now(UTC) - timedelta(minutes=5)
            events = play(track, "p-away", 45, start)
            served(server, account_of(client, ada), events)
            first, rest = events[:2], events[2:]
            assert client.post(EVENTS, json={"events": first}, headers=ada).status_code == 200

            relay.stop()  # NATS is away for this server
            refused = client.post(EVENTS, json={"events": rest}, headers=ada)
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "event_stream_unavailable"

            relay.start()  # back: the player sends the refused batch again
            wait_until(
                lambda: client.post(EVENTS, json={"events": rest}, headers=ada).status_code == 200,
                "accepted again",
                timeout=30,
            )
            wait_until(lambda: events_stored(counter) == len(events), "all stored", timeout=30)
            assert counter.listening.streams(track) == 1  # each event once, none lost
            history = client.get("/api/v1/me/player/recently-played", headers=ada).json()
            assert [h["listened_ms"] for h in history["items"]] == [45_000]
    finally:
        stop_counting.set()
        counter.close()
        server.close()


def beats(track: int, play_id: str, seconds: int, start: datetime) -> list[dict[str, Any]]:
    """A play's events from a player that reports every second."""
    kinds = ["start"] + ["progress"] * (seconds - 1) + ["end"]
    return [
        {
            "id": f"{play_id}-{second}",
            "play_id": play_id,
            "kind": kind,
            "track_id": track,
            "device": "phone",
            "position_ms": second * 1000,
            "at": (start + timedelta(seconds=second)).isoformat(),
        }
        for second, kind in enumerate(kinds)
    ]


def test_a_server_started_while_nats_is_away_starts_and_refuses_until_it_is_back(
    cut_settings: Settings, relay: TcpRelay, app: App, published: int
) -> None:
    from cadenza.api.app import create_app

    relay.stop()
    server = bootstrap(cut_settings, worker=True)
    server.shared_pool = app.shared_pool
    try:
        with TestClient(create_app(server)) as client:
            ada = sign_in(client, server, "ada@example.org")
            track = first_track(client, published)  # the rest of the server answers
            events = play(track, "p-late", 45, datetime.now(UTC) - timedelta(minutes=5))
            refused = client.post(EVENTS, json={"events": events}, headers=ada)
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "event_stream_unavailable"
            relay.start()
            wait_until(
                lambda: (
                    client.post(EVENTS, json={"events": events}, headers=ada).status_code == 200
                ),
                "accepted once NATS is there",
                timeout=30,
            )
            assert stream_of(server).stored(LISTENING) == len(events)
    finally:
        server.close()


def consumer_process(app: App) -> subprocess.Popen[bytes]:
    s = app.settings
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(s.data_dir),
        "CADENZA_DATABASE_URL": s.resolved_database_url,
        "CADENZA_NATS_URL": s.nats_url or "",
        "CADENZA_NATS_PREFIX": s.nats_prefix,
        "CADENZA_NATS_REDELIVER_AFTER_S": str(s.nats_redeliver_after_s),
        "CADENZA_BACKGROUND": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "cadenza", "events", "consume"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_consumer_killed_mid_batch_resumes_and_counts_exactly_once(
    app: App, published: int
) -> None:
    from cadenza.api.app import create_app

    app.settings.background = False  # nobody counts in this process: the consumers below do
    with TestClient(create_app(app)) as client:
        killed_and_resumed(app, client, published)


def killed_and_resumed(app: App, client: TestClient, published: int) -> None:
    track = first_track(client, published)
    start = datetime.now(UTC) - timedelta(hours=2)
    listeners = 8
    sent = 0
    for number in range(listeners):  # one long play each, 242 events: a beat every second
        who = sign_in(client, app, f"listener{number}@example.org")
        events = beats(track, f"p{number}", 240, start + timedelta(minutes=5 * number))
        served(app, account_of(client, who), events)
        answer = client.post(EVENTS, json={"events": events}, headers=who)
        assert answer.json()["accepted"] == len(events)
        sent += len(events)
    assert events_stored(app) == 0

    first = consumer_process(app)
    try:
        wait_until(lambda: events_stored(app) > 0, "first commit", timeout=60)
        first.send_signal(signal.SIGKILL)  # mid-way: some accounts committed, none acknowledged
        first.wait(10)
        at_kill = events_stored(app)
        assert 0 < at_kill < sent
    finally:
        if first.poll() is None:
            first.kill()

    second = consumer_process(app)  # resumes: the unacknowledged batch comes again
    try:
        wait_until(lambda: app.listening.streams(track) == listeners, "all counted", 120)
        time.sleep(3)  # a redelivery after the count would show here
        assert events_stored(app) == sent
        assert app.listening.streams(track) == listeners
        with app.engine.connect() as db:
            plays = db.execute(text("SELECT count(*) FROM plays WHERE counted")).scalar_one()
        assert plays == listeners
        # The same process's other consumers brought search popularity and the artist's
        # statistics up to date from the counted plays, each once, with no job run.
        from tests.e2e.test_play_consumers import artist_of, artist_streams, track_popularity

        artist = artist_of(app, track)
        wait_until(lambda: track_popularity(app, track) == listeners, "popularity", 30)
        wait_until(lambda: artist_streams(app, artist) == listeners, "statistics", 30)
        log = stream_of(app)
        for name in (POPULARITY, ARTIST_STATS):
            wait_until(lambda n=name: log.pending(n, DOMAIN) == 0, f"{name} done", 30)
        assert track_popularity(app, track) == listeners
        assert artist_streams(app, artist) == listeners
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()
    assert second.returncode == 0, second.stderr.read().decode() if second.stderr else ""


def test_two_server_processes_share_device_feeds_through_nats(
    client: TestClient, app: App, premium: dict[str, str], published: int
) -> None:
    from tests.e2e.test_several_processes import (
        test_devices_on_two_processes_hear_each_others_changes_and_commands as devices_test,
    )

    assert app.settings.redis_url is None  # NATS alone carries them
    other = bootstrap(app.settings, worker=True)
    other.shared_pool = app.shared_pool
    try:
        assert isinstance(app.player_events, NatsPlayerEvents)
        assert isinstance(other.player_events, NatsPlayerEvents)
        devices_test(client, app, other, premium, published)
    finally:
        other.close()


def test_domain_events_wait_through_an_outage_and_are_stored_after(
    settings: Settings, relay: TcpRelay
) -> None:
    """A release taken down while NATS is away: the takedown is committed (its request must
    not fail for it); its event waits in the process and is stored once NATS is back."""
    from cadenza.domain.events import ReleaseTakenDown
    from cadenza.services.domain_stream import LoggedEvents

    through_relay = JetStreamLog(relay.url, settings.nats_prefix, ack_timeout_s=1.0)
    direct = JetStreamLog(NATS_URL, settings.nats_prefix)
    try:
        stream = LoggedEvents(through_relay)
        stream.append(ReleaseTakenDown(1))
        assert direct.stored(DOMAIN) == 1
        relay.stop()
        stream.append(ReleaseTakenDown(2))  # no error for the publisher
        stream.append(ReleaseTakenDown(3))
        assert stream.waiting() == 2 and direct.stored(DOMAIN) == 1
        relay.start()
        wait_until(lambda: stream.waiting() == 0, "sent after the outage", timeout=30)
        assert direct.stored(DOMAIN) == 3  # each once
    finally:
        through_relay.close()
        direct.close()


def test_events_of_an_account_deleted_before_counting_are_dropped_and_others_go_on(
    app: App, published: int
) -> None:
    from cadenza.api.app import create_app
    from cadenza.domain.event_stream import COUNTING
    from tests.e2e.conftest import LISTENER_PASSWORD

    app.settings.background = False  # counting starts below, after the deletion
    with TestClient(create_app(app)) as client:
        ada = sign_in(client, app, "ada@example.org")
        bob = sign_in(client, app, "bob@example.org")
        track = first_track(client, published)
        start = datetime.now(UTC) - timedelta(minutes=5)
        gone, kept = play(track, "p-ada", 45, start), play(track, "p-bob", 45, start)
        ada_id, bob_id = account_of(client, ada), account_of(client, bob)
        served(app, ada_id, gone)
        served(app, bob_id, kept)
        assert client.post(EVENTS, json={"events": gone}, headers=ada).status_code == 200
        assert client.post(EVENTS, json={"events": kept}, headers=bob).status_code == 200
        app.accounts.delete(ada_id, LISTENER_PASSWORD, None)

        stop = app.start_consumers()
        try:
            wait_until(lambda: app.listening.streams(track) == 1, "bob's play counted", 30)
            log = stream_of(app)
            wait_until(lambda: log.pending(COUNTING, LISTENING) == 0, "nothing left", 30)
            assert events_stored(app) == len(kept)  # ada's dropped, not retried forever
        finally:
            stop.set()
