"""Stream counts on several processes sharing one Redis: the audio one process sends for a play
counts when another process judges the play (the served-audio tally is shared through Redis).
Real Redis (127.0.0.1:6379, or CADENZA_TEST_REDIS), two Apps over one database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from fastapi.testclient import TestClient

from cadenza.api.app import create_app
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from tests.e2e.test_listening import play
from tests.e2e.test_offline import ShiftedClock
from tests.e2e.test_trusted_counts import phone_grant

REDIS_URL = os.environ.get("CADENZA_TEST_REDIS", "redis://127.0.0.1:6379/0")
EVENTS = "/api/v1/me/player/events"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    redis.Redis.from_url(REDIS_URL).ping()  # Redis must be there: these tests never skip
    prefix = f"cadenza-test-{uuid.uuid4().hex[:8]}"  # parallel tests share the Redis
    return settings.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": prefix})


@pytest.fixture
def other(app: App) -> Iterator[App]:
    """A second server process's App over the same database, data dir and Redis."""
    second = bootstrap(app.settings, worker=True)
    second.shared_pool = app.shared_pool
    yield second
    second.close()


def test_audio_sent_by_one_process_counts_the_play_another_process_judges(
    client: TestClient,
    app: App,
    other: App,
    published: int,
    premium: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = ShiftedClock()
    for each in (app, other):
        monkeypatch.setattr(each.clock, "now", clock.now)
    track, device, grant = phone_grant(client, published, premium)
    url = grant.json()["url"]
    start = datetime.now(UTC)
    size = int(client.head(url).headers["content-length"])
    with TestClient(create_app(other)) as second:
        # The first process sends the opening of the file (under the 30 s a play needs, the
        # whole track here); the second one judges the play: not served, as it really was not.
        assert client.get(url, headers={"Range": f"bytes=0-{size // 4}"}).status_code == 206
        clock.ahead = timedelta(seconds=36)
        opening = [e | {"device": device} for e in play(track, "opening", 35, start)]
        answer = second.post(EVENTS, json={"events": opening}, headers=premium)
        assert answer.json()["rejected"] == []
        assert exported(second, premium)["opening"]["not_counted_reason"] == "not_served"

        # The first process sends the whole file and the listener's next play is judged at once
        # by the second one: the audio the first sent is seen there, and the play counts.
        assert client.get(url).status_code == 200
        clock.ahead = timedelta(seconds=80)
        whole = [
            e | {"device": device} for e in play(track, "whole", 35, start + timedelta(seconds=40))
        ]
        assert second.post(EVENTS, json={"events": whole}, headers=premium).json()["rejected"] == []
        verdicts = exported(second, premium)
        assert verdicts["whole"]["counted"] is True, verdicts["whole"]["not_counted_reason"]
        assert app.listening.streams(track) == other.listening.streams(track) == 1


def exported(client: TestClient, who: dict[str, str]) -> dict[str, dict[str, object]]:
    plays = client.get("/api/v1/me/export", headers=who).json()["listening_history"]
    return {p["play_id"]: p for p in plays}
