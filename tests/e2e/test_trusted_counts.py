"""Stream counts that can be trusted, through HTTP: a play counts only on a grant the server
issued to that device for the track, on audio it sent, of a track playable then, not over
another counted play; the rest is kept with its reason, shown in the listener's history and
export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.domain.plans import Plan
from cadenza.services.takedowns import TakedownBy
from tests.e2e.conftest import sign_in
from tests.e2e.granted import grant_plays, post_events
from tests.e2e.test_listening import play
from tests.fixtures.catalog import put_release

EVENTS = "/api/v1/me/player/events"


class ShiftedClock:
    def __init__(self) -> None:
        self.ahead = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
def clock(app: App, monkeypatch: pytest.MonkeyPatch) -> ShiftedClock:
    shifted = ShiftedClock()
    monkeypatch.setattr(app.clock, "now", shifted.now)
    return shifted


def on(device: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e | {"device": device} for e in events]


def exported(client: TestClient, who: dict[str, str]) -> dict[str, dict[str, Any]]:
    plays = client.get("/api/v1/me/export", headers=who).json()["listening_history"]
    return {p["play_id"]: p for p in plays}


def history(client: TestClient, who: dict[str, str]) -> list[int]:
    items = client.get("/api/v1/me/player/recently-played", headers=who).json()["items"]
    return [i["track_id"] for i in items]


def phone_grant(client: TestClient, published: int, who: dict[str, str]) -> tuple[int, str, Any]:
    """A phone of the listener's, and a stream grant for the release's first track on it."""
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    device = client.post(
        "/api/v1/me/devices", json={"name": "Phone", "type": "phone"}, headers=who
    ).json()["id"]
    asked = {"track_id": track, "device_id": device, "quality": "normal"}
    grant = client.post("/api/v1/me/player/stream-grants", json=asked, headers=who)
    assert grant.status_code == 200, grant.text
    return track, device, grant


def test_a_play_counts_only_on_audio_the_server_sent_for_its_grant(
    client: TestClient, app: App, published: int, premium: dict[str, str], clock: ShiftedClock
) -> None:
    track, device, grant = phone_grant(client, published, premium)
    start = datetime.now(UTC)

    # 35 s "heard" on a grant whose audio was never fetched: kept, not counted.
    clock.ahead = timedelta(seconds=36)
    never_served = on(device, play(track, "never-served", 35, start))
    assert (
        client.post(EVENTS, json={"events": never_served}, headers=premium).json()["rejected"] == []
    )
    assert app.listening.streams(track) == 0
    assert exported(client, premium)["never-served"]["not_counted_reason"] == "not_served"
    assert history(client, premium) == [track]  # the listener's history shows it all the same

    # The same grant's audio, really sent: the next play counts.
    assert client.get(grant.json()["url"]).status_code == 200
    clock.ahead = timedelta(seconds=80)
    served = on(device, play(track, "served", 35, start + timedelta(seconds=40)))
    assert client.post(EVENTS, json={"events": served}, headers=premium).json()["rejected"] == []
    assert app.listening.streams(track) == 1
    verdicts = exported(client, premium)
    assert verdicts["served"]["counted"] is True
    assert verdicts["served"]["not_counted_reason"] is None
    assert verdicts["never-served"]["counted"] is False


def test_more_listening_than_time_since_the_grant_does_not_count(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    device = client.post(
        "/api/v1/me/devices", json={"name": "Phone", "type": "phone"}, headers=premium
    ).json()["id"]
    asked = {"track_id": track, "device_id": device, "quality": "normal"}
    grant = client.post("/api/v1/me/player/stream-grants", json=asked, headers=premium).json()
    assert client.get(grant["url"]).status_code == 200
    # Three minutes "heard" a second after the grant, backdated by the client.
    events = on(device, play(track, "too-fast", 180, datetime.now(UTC) - timedelta(minutes=3)))
    client.post(EVENTS, json={"events": events}, headers=premium)
    assert exported(client, premium)["too-fast"]["not_counted_reason"] in (
        "beyond_grant",
        "no_grant",
    )
    assert app.listening.streams(track) == 0


def test_no_grant_overlap_and_unplayable_tracks_are_kept_with_their_reason(
    client: TestClient, app: App, premium: dict[str, str], clock: ShiftedClock
) -> None:
    _, (song, other) = put_release(app, "Kept", ["Ada"], ["One", "Two"])
    release_id, (tokyo,) = put_release(app, "Tokyo", ["Ada"], ["Far"], territories=("JP",))
    _, (soon,) = put_release(
        app, "Soon", ["Ada"], ["Later"], released=datetime.now(UTC) + timedelta(days=7)
    )
    gone_release, (gone,) = put_release(app, "Gone", ["Ada"], ["Pulled"])
    clock.ahead = -timedelta(hours=1)  # taken down an hour ago
    app.takedowns.take_down(gone_release, TakedownBy(admin=1), "rights dispute")
    clock.ahead = timedelta()
    start = datetime.now(UTC) - timedelta(minutes=30)

    no_grant = play(song, "no-grant", 40, start)
    assert client.post(EVENTS, json={"events": no_grant}, headers=premium).json()["rejected"] == []
    first = play(song, "first", 60, start + timedelta(minutes=2))
    beside = play(other, "beside", 60, start + timedelta(minutes=2, seconds=20))  # meanwhile
    after = play(other, "after", 40, start + timedelta(minutes=3, seconds=5))  # a crossfade
    unplayable = [
        event
        for n, track in enumerate((tokyo, soon, gone))
        for event in play(track, f"unplayable-{n}", 40, start + timedelta(minutes=5 + n))
    ]
    sent = post_events(client, premium, first + beside + after + unplayable)
    assert sent.json()["rejected"] == []

    verdicts = exported(client, premium)
    reasons = {p: (v["counted"], v["not_counted_reason"]) for p, v in verdicts.items()}
    assert reasons == {
        "no-grant": (False, "no_grant"),
        "first": (True, None),
        "beside": (False, "overlap"),
        "after": (True, None),
        "unplayable-0": (False, "not_playable"),
        "unplayable-1": (False, "not_playable"),
        "unplayable-2": (False, "not_playable"),
    }
    assert app.listening.streams(song) == 1 and app.listening.streams(other) == 1
    assert {verdicts[p]["track_id"] for p in ("no-grant", "beside")} == {song, other}
    # Everything heard is in the listener's own history, newest first.
    assert len(history(client, premium)) == 7
    assert release_id > 0


def test_a_short_play_is_exported_too_short_and_a_late_online_one_is_refused(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    short = play(track, "short", 20, datetime.now(UTC) - timedelta(minutes=5), end="skip")
    post_events(client, ada, short)
    assert exported(client, ada)["short"] == {
        "play_id": "short",
        "track_id": track,
        "played_at": exported(client, ada)["short"]["played_at"],
        "ms_played": 20_000,
        "counted": False,
        "not_counted_reason": "too_short",
        "source": None,
    }
    assert history(client, ada) == []  # under 30 s: not in the history either

    yesterday = play(track, "yesterday", 40, datetime.now(UTC) - timedelta(hours=25))
    grant_plays(app, client.get("/api/v1/me", headers=ada).json()["id"], yesterday)
    answer = client.post(EVENTS, json={"events": yesterday}, headers=ada).json()
    assert {r["code"] for r in answer["rejected"]} == {"online_event_too_old"}
    assert answer["accepted"] == 0


def test_the_start_event_says_where_the_play_came_from(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    events = play(track, "from-search", 40, datetime.now(UTC) - timedelta(minutes=3))
    events[0]["source"] = "search"
    assert post_events(client, premium, events).json()["rejected"] == []
    events = play(track, "bad-source", 40, datetime.now(UTC))
    events[0]["source"] = "somewhere"
    assert client.post(EVENTS, json={"events": events}, headers=premium).status_code == 422
    assert [(p["play_id"], p["source"]) for p in exported(client, premium).values()] == [
        ("from-search", "search")
    ]


def test_imported_history_counts_without_grants_but_not_over_itself(
    client: TestClient, app: App, settings: Settings, published: int, tmp_path: Path
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    track = client.get(f"/api/v1/releases/{published}").json()["tracks"][0]["id"]
    days_ago = datetime.now(UTC) - timedelta(days=3)
    events = play(track, "then", 60, days_ago) + play(
        track, "meanwhile", 60, days_ago + timedelta(seconds=20)
    )
    (tmp_path / "history.json").write_text(json.dumps({"events": events}))
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
    }
    command = ["listening", "import", "ada@example.org", str(tmp_path / "history.json")]
    done = subprocess.run(
        [sys.executable, "-m", "cadenza", *command],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"accepted": len(events), "duplicates": 0, "rejected": []}
    reasons = {p: v["not_counted_reason"] for p, v in exported(client, ada).items()}
    assert reasons == {"then": None, "meanwhile": "overlap"}
    assert app.listening.streams(track) == 1
    # Through the events API, the same past is refused: online plays come within a day.
    late = play(track, "late", 60, days_ago + timedelta(hours=1))
    refused = client.post(EVENTS, json={"events": late}, headers=ada).json()
    assert {r["code"] for r in refused["rejected"]} == {"online_event_too_old"}


def test_behind_a_front_server_that_sends_the_audio_a_play_counts_on_its_grant(
    client: TestClient, app: App, published: int, premium: dict[str, str], clock: ShiftedClock
) -> None:
    """nginx checking the grants itself (secure_link) or a CDN sends the bytes: Cadenza never
    sees them, and CADENZA_FRONT_SENDS_AUDIO says so; the grant is the proof."""
    app.settings = app.settings.model_copy(update={"front_sends_audio": True})
    track, device, _ = phone_grant(client, published, premium)
    clock.ahead = timedelta(seconds=36)
    heard = on(device, play(track, "sent-by-nginx", 35, datetime.now(UTC)))
    assert client.post(EVENTS, json={"events": heard}, headers=premium).json()["rejected"] == []
    assert app.listening.streams(track) == 1
    assert exported(client, premium)["sent-by-nginx"]["counted"] is True
