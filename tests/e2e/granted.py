"""Listening events as an honest player sends them: after the server issued a stream grant for
each play's track to its device and sent the audio.

`post_events` records what the server records when it does so (services/grant_log.py): a grant
window per play from its first event (the grant is asked before playback starts) to a minute
past its last, and the audio sent for the part played. Plays whose times lie in the past get
grants as they were issued then, through the same grant log the routes use."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App


def account_of(client: TestClient, who: dict[str, str]) -> int:
    account: int = client.get("/api/v1/me", headers=who).json()["id"]
    return account


def grant_plays(app: App, account_id: int, events: list[dict[str, Any]]) -> None:
    """The grants and the audio sent for the plays these events report."""
    plays: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        plays.setdefault(event["play_id"], []).append(event)
    for play in plays.values():
        times = [datetime.fromisoformat(e["at"]) for e in play]
        first, last = min(times), max(times)
        track, device = play[0]["track_id"], play[0]["device"]
        app.grant_log.issued(
            account_id,
            device,
            track,
            last + timedelta(seconds=60),
            issued_at=first - timedelta(seconds=1),
        )
        heard_ms = max(e["position_ms"] for e in play) + 30_000
        # written to the window with the events (ListeningService._write_served)
        app.served_audio.add(account_id, track, heard_ms, heard_ms, heard_ms, last)


def post_events(client: TestClient, who: dict[str, str], events: list[dict[str, Any]]) -> Any:
    """Grant the plays (as above), then post their events."""
    app: App = client.app.state.cadenza  # type: ignore[attr-defined]
    grant_plays(app, account_of(client, who), events)
    return client.post("/api/v1/me/player/events", json={"events": events}, headers=who)


def downloaded_at(client: TestClient, who: dict[str, str], release_id: int, at: datetime) -> int:
    """A download device named "phone" that downloaded the release at `at` (the app's clock
    moved there for it): plays on it then are offline plays. Returns the device's id."""
    app: App = client.app.state.cadenza  # type: ignore[attr-defined]
    clock: Any = app.clock
    before = clock.__dict__.get("now")
    offset = at - datetime.now(at.tzinfo)
    clock.now = lambda: datetime.now(at.tzinfo) + offset
    try:
        devices = "/api/v1/me/offline/devices"
        made = client.post(devices, json={"name": "phone"}, headers=who)
        assert made.status_code == 201, made.text
        device: int = made.json()["id"]
        body = {"release_id": release_id}
        added = client.post(f"{devices}/{device}/downloads", json=body, headers=who)
        assert added.is_success, added.text
    finally:
        if before is None:
            del clock.now
        else:
            clock.now = before
    return device
