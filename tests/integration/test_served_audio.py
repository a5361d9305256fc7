"""The served-audio tally shared through Redis (adapters/events/served_audio.py): what one process
sends reaches the others on its next flush, is taken once by whichever writes it, and stays
counted in the process when Redis is away. Real Redis (127.0.0.1:6379, or CADENZA_TEST_REDIS)."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from cadenza.adapters.events.served_audio import SharedServedAudio
from cadenza.domain.served_audio import FORGET_AFTER, ServedAudio
from tests.e2e.live import wait_until

REDIS_URL = os.environ.get("CADENZA_TEST_REDIS", "redis://127.0.0.1:6379/0")
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
ACCOUNT, TRACK = 7, 42


def send(tally: ServedAudio, ms: int, track: int = TRACK) -> None:
    """`ms` of a 200 s track's audio, as the stream route counts it (bytes of its file)."""
    tally.add(ACCOUNT, track, ms, 200_000, 200_000, NOW)


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    found = redis.Redis.from_url(REDIS_URL)
    found.ping()  # Redis must be there: these tests never skip
    yield found
    found.close()


@pytest.fixture
def prefix(client: redis.Redis) -> Iterator[str]:
    name = f"cadenza-test-{uuid.uuid4().hex[:8]}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


@pytest.fixture
def two(client: redis.Redis, prefix: str) -> Iterator[tuple[SharedServedAudio, SharedServedAudio]]:
    """Two processes' tallies, flushed only when the test says (a long flush period)."""
    first, second = (SharedServedAudio(client, prefix, flush_every_s=600) for _ in range(2))
    yield first, second
    for each in (first, second):
        each.close()


def test_a_flush_shares_what_one_process_sent_and_a_take_empties_it_everywhere(
    two: tuple[SharedServedAudio, SharedServedAudio], client: redis.Redis
) -> None:
    first, second = two
    send(first, 12_000)
    assert first.peek(ACCOUNT, TRACK) == 12_000
    assert second.peek(ACCOUNT, TRACK) == 0  # not yet flushed: this process's alone

    first.flush()
    assert first.peek(ACCOUNT, TRACK) == second.peek(ACCOUNT, TRACK) == 12_000
    ttl = client.ttl(first.key(ACCOUNT, TRACK))
    assert FORGET_AFTER.total_seconds() - 5 < ttl <= FORGET_AFTER.total_seconds()  # type: ignore[operator]

    # More sent by both; the second flushes, the first keeps its new part unflushed.
    send(first, 5_000)
    send(second, 20_000)
    second.flush()
    send(second, 3_000, track=TRACK + 1)  # another track: not taken with this one
    # The second writes the play: everything flushed plus its own part, once.
    assert second.take(ACCOUNT, TRACK) == 12_000 + 20_000
    assert second.take(ACCOUNT, TRACK) == 0
    assert first.take(ACCOUNT, TRACK) == 5_000  # what it had not yet flushed, still counted
    assert first.peek(ACCOUNT, TRACK) == second.peek(ACCOUNT, TRACK) == 0
    assert client.exists(first.key(ACCOUNT, TRACK)) == 0
    assert second.take(ACCOUNT, TRACK + 1) == 3_000


def test_the_flush_thread_shares_the_tally_by_itself_and_close_hands_over_the_rest(
    two: tuple[SharedServedAudio, SharedServedAudio], client: redis.Redis, prefix: str
) -> None:
    _, judge = two
    quick = SharedServedAudio(client, prefix, flush_every_s=0.05)
    try:
        send(quick, 31_000)
        wait_until(lambda: judge.peek(ACCOUNT, TRACK) != 0, "the flush thread shares the tally")
        assert judge.peek(ACCOUNT, TRACK) == 31_000
    finally:
        quick.close()
    slow = SharedServedAudio(client, prefix, flush_every_s=600)
    send(slow, 4_000)
    slow.close()  # a process ending: what it sent is not lost to the others
    assert judge.take(ACCOUNT, TRACK) == 35_000


def test_redis_away_keeps_the_tally_in_the_process_and_flushes_it_once_back(
    client: redis.Redis, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    away = redis.Redis(port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    tally = SharedServedAudio(away, prefix, flush_every_s=600)
    try:
        send(tally, 30_000)
        with caplog.at_level(logging.WARNING):
            tally.flush()
            send(tally, 2_000)  # sent while Redis is away
            assert tally.peek(ACCOUNT, TRACK) == 32_000
        assert "Redis is away" in caplog.text
        # Redis is back: the next flush shares all of it.
        tally.redis = client
        tally.flush()
        assert client.get(tally.key(ACCOUNT, TRACK)) == b"32000"
        tally.redis = away
        with caplog.at_level(logging.WARNING):  # away again: the local part only, no error
            send(tally, 1_000)
            assert tally.take(ACCOUNT, TRACK) == 1_000
    finally:
        tally.close()


def test_a_single_process_never_waits_for_others() -> None:
    tally = ServedAudio()
    send(tally, 30_000)
    assert tally.settle(time.monotonic()) is False  # nothing to wait for: judged at once
    assert tally.take(ACCOUNT, TRACK) == 30_000
    assert tally.take(ACCOUNT, TRACK) == 0
