"""Rip detection through HTTP, with the rule scaled to the test's 1.5-second tracks (an
eight-second window): fetching audio 20x faster than real time gets the account throttled and
flagged, an admin suspends it; playing, seeking and skipping never trip it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.domain.accounts import Role
from cadenza.domain.plans import Plan
from tests.e2e.conftest import LISTENER_PASSWORD, sign_in
from tests.e2e.grants import ask_grant
from tests.e2e.test_admin import events, signed_in
from tests.e2e.test_offline import ShiftedClock

FLAGS = "/api/v1/admin/rip-flags"
TRACK_S = 1.5  # the published fixture's tracks


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The default rule (30 minutes, 30-s openings free, 15 minutes of prefetch) scaled down
    to 1.5-second tracks: an 8-s window, 0.2-s openings free, one track of prefetch."""
    return settings.model_copy(
        update={"rip_window_s": 8.0, "rip_free_opening_s": 0.2, "rip_prefetch_allowance_s": 1.5}
    )


@pytest.fixture
def clock(app: App, monkeypatch: pytest.MonkeyPatch) -> ShiftedClock:
    shifted = ShiftedClock()
    monkeypatch.setattr(app.clock, "now", shifted.now)
    return shifted


def every_file(client: TestClient, published: int, who: dict[str, str]) -> list[str]:
    """A stream grant for each quality of each track: 14 files, 21 s of audio."""
    urls = []
    for track in client.get(f"/api/v1/releases/{published}").json()["tracks"]:
        for quality in ("low", "normal", "high", "very_high", "lossless"):
            asked = ask_grant(client, who, track["id"], quality)
            if asked.status_code == 200:
                urls.append(asked.json()["url"])
    assert len(urls) == 14
    return urls


def flags(client: TestClient, admin: dict[str, str]) -> list[dict[str, Any]]:
    answer = client.get(FLAGS, headers=admin)
    assert answer.status_code == 200
    found: list[dict[str, Any]] = answer.json()
    return found


def test_a_ripper_is_throttled_flagged_and_suspended(
    client: TestClient, app: App, published: int, premium: dict[str, str], clock: ShiftedClock
) -> None:
    admin = signed_in(client, app, "admin@example.org", Role.ADMIN, Role.LISTENER)
    urls = every_file(client, published, premium)
    answers = []
    for url in urls:  # 21 s of audio in about a second: 20x real time
        answers.append(client.get(url))
        clock.ahead += timedelta(seconds=0.075)
    statuses = [a.status_code for a in answers]
    assert 200 in statuses and statuses[-1] == 429
    throttled = answers[-1]
    assert throttled.json()["error"]["code"] == "stream_throttled"
    assert 0 < int(throttled.headers["Retry-After"]) <= 8
    [flag] = flags(client, admin)
    ripper = flag["user_id"]
    assert flag["status"] == "open" and flag["audio_seconds"] > flag["allowed_seconds"]
    assert flag["evidence"]["tracks"] >= 9 and flag["evidence"]["times_real_time"] > 1
    # Throttled is paced, not cut off: once the window has room, it streams again.
    clock.ahead += timedelta(seconds=int(throttled.headers["Retry-After"]) + 0.5)
    assert client.get(urls[0]).status_code == 200
    # The admin suspends it: disabled, audited, and its grants in hand stop serving.
    suspended = client.post(f"{FLAGS}/{flag['id']}/suspend", headers=admin)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert client.get(urls[1]).json()["error"]["code"] == "account_suspended"
    assert client.get("/api/v1/me", headers=premium).status_code == 401
    form = {"email": "premium@example.org", "password": LISTENER_PASSWORD, "device_id": "x"}
    assert client.post("/api/v1/auth/token", json=form).status_code == 401
    kinds = [e["kind"] for e in events(client, admin, ripper)]
    assert "rip_flagged" in kinds and "rip_flag_suspended" in kinds
    assert "disabled_by_admin" in kinds
    assert flags(client, admin) == []  # no longer open
    again = client.post(f"{FLAGS}/{flag['id']}/dismiss", headers=admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "rip_flag_reviewed"


def test_playing_in_real_time_with_a_prefetched_track_never_trips(
    client: TestClient, app: App, published: int, premium: dict[str, str], clock: ShiftedClock
) -> None:
    admin = signed_in(client, app, "admin@example.org", Role.ADMIN, Role.LISTENER)
    urls = every_file(client, published, premium)
    for round_ in range(2):  # 42 s of listening, each file played whole, the next prefetched
        for n, url in enumerate(urls):
            assert client.get(url).status_code == 200
            if n + 1 < len(urls):
                assert client.get(urls[n + 1]).status_code == 200
            clock.ahead += timedelta(seconds=TRACK_S)
        if round_ == 0:
            urls = every_file(client, published, premium)  # fresh grants
    assert flags(client, admin) == []


def test_seeking_and_skipping_quickly_never_trip(
    client: TestClient, app: App, published: int, premium: dict[str, str], clock: ShiftedClock
) -> None:
    admin = signed_in(client, app, "admin@example.org", Role.ADMIN, Role.LISTENER)
    urls = every_file(client, published, premium)
    sizes = [int(client.head(url).headers["content-length"]) for url in urls]
    # Skipping through everything: the opening of each file, a tenth of a second apart.
    for url, size in zip(urls, sizes, strict=True):
        part = client.get(url, headers={"Range": f"bytes=0-{size // 10}"})
        assert part.status_code == 206
        clock.ahead += timedelta(seconds=0.1)
    # Seeking back and forth in one file, forty times in two seconds.
    for n in range(40):
        start = (n * 7919) % sizes[4]
        assert client.get(urls[4], headers={"Range": f"bytes={start}-"}).status_code == 206
        clock.ahead += timedelta(seconds=0.05)
    assert flags(client, admin) == []


def test_a_dismissed_flag_lets_the_account_stream_freely(
    client: TestClient, app: App, published: int, premium: dict[str, str], clock: ShiftedClock
) -> None:
    admin = signed_in(client, app, "admin@example.org", Role.ADMIN, Role.LISTENER)
    urls = every_file(client, published, premium)
    for url in urls:
        client.get(url)
    assert client.get(urls[0]).status_code == 429
    [flag] = flags(client, admin)
    assert client.post(f"{FLAGS}/{flag['id']}/dismiss", headers=admin).status_code == 200
    assert client.get(urls[0]).status_code == 200
    listener = sign_in(client, app, "someone@example.org", Plan.FREE)
    assert client.get(FLAGS, headers=listener).status_code == 403
    assert client.get(FLAGS).status_code == 401


def test_downloading_a_release_for_offline_listening_never_trips(
    client: TestClient, app: App, published: int, premium: dict[str, str], clock: ShiftedClock
) -> None:
    admin = signed_in(client, app, "admin@example.org", Role.ADMIN, Role.LISTENER)
    devices = "/api/v1/me/offline/devices"
    for n in range(5):  # every device takes the release, at once, at every quality
        device = client.post(devices, json={"name": f"d{n}"}, headers=premium).json()["id"]
        for quality in ("low", "normal", "high", "very_high", "lossless"):
            body = {"release_id": published, "quality": quality}
            added = client.post(f"{devices}/{device}/downloads", json=body, headers=premium)
            for grant in added.json()["grants"]:
                assert client.get(grant["url"]).status_code == 200
    assert flags(client, admin) == []
    assert client.get(every_file(client, published, premium)[0]).status_code == 200
