"""Listening events as an honest player sends them: after the server issued a stream grant for
each play's track to its device and sent the audio.

`post_events` records what the server records when it does so (services/grant_log.py): a grant
window per play from its first event (the grant is asked before playback starts) to a minute
past its last, and the audio sent for the part played. Plays whose times lie in the past get
grants as they were issued then, through the same grant log the routes use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
        # The audio sent, written onto the play's window with its grant (GrantLog.issued).
        heard_ms = max(e["position_ms"] for e in play) + 30_000
        app.served_audio.add(account_id, track, heard_ms, heard_ms, heard_ms, last)
        app.grant_log.issued(
            account_id,
            device,
            track,
            last + timedelta(seconds=60),
            issued_at=first - timedelta(seconds=1),
        )


class Posted:
    """The answers to the batches `post_events` sent, added up as one answer."""

    def __init__(self, answers: list[Any]) -> None:
        self.status_code = max(a.status_code for a in answers)
        self.is_success = all(a.is_success for a in answers)
        self.text = "\n".join(a.text for a in answers)
        bodies = [a.json() for a in answers]
        if len(bodies) == 1 or not self.is_success:
            self._body = bodies[0] if len(bodies) == 1 else bodies
        else:
            self._body = {
                "accepted": sum(b["accepted"] for b in bodies),
                "duplicates": sum(b["duplicates"] for b in bodies),
                "rejected": [r for b in bodies for r in b["rejected"]],
            }

    def json(self) -> Any:
        return self._body


LATE = timedelta(hours=1)  # plays older than this are sent as the player sent them: on time


def post_events(client: TestClient, who: dict[str, str], events: list[dict[str, Any]]) -> Any:
    """Grant the plays (as above), then post their events. Plays from long ago are posted as
    their player posted them, when they happened: the app's clock is moved to each day's
    plays for the request (online plays may not come more than 24 h late)."""
    app: App = client.app.state.cadenza  # type: ignore[attr-defined]
    account = account_of(client, who)
    grant_plays(app, account, events)
    last_at: dict[str, datetime] = {}
    for event in events:
        at = datetime.fromisoformat(event["at"])
        last_at[event["play_id"]] = max(at, last_at.get(event["play_id"], at))
    now = app.clock.now()
    if all(at > now - LATE for at in last_at.values()):
        return client.post(EVENTS, json={"events": events}, headers=who)
    batches: list[list[dict[str, Any]]] = []  # each: plays that ended within LATE of each other
    for event in sorted(events, key=lambda e: last_at[e["play_id"]]):
        first = batches[-1][0] if batches else None
        if first is None or last_at[event["play_id"]] - last_at[first["play_id"]] > LATE:
            batches.append([])
        batches[-1].append(event)
    answers = []
    for batch in batches:
        sent_at = max(last_at[e["play_id"]] for e in batch) + timedelta(seconds=5)
        with clock_at(app, min(sent_at, now)):
            answers.append(client.post(EVENTS, json={"events": batch}, headers=who))
    return Posted(answers)


EVENTS = "/api/v1/me/player/events"


@contextmanager
def clock_at(app: App, at: datetime) -> Iterator[None]:
    """The app's clock at `at` (running on from there) until the block ends."""
    clock: Any = app.clock
    before = clock.__dict__.get("now")
    base = clock.now
    offset = at - base()
    clock.now = lambda: base() + offset
    try:
        yield
    finally:
        if before is None:
            del clock.now
        else:
            clock.now = before


def downloaded_at(client: TestClient, who: dict[str, str], release_id: int, at: datetime) -> int:
    """A download device named "phone" that downloaded the release at `at` (the app's clock
    moved there for it): plays on it then are offline plays. Returns the device's id."""
    app: App = client.app.state.cadenza  # type: ignore[attr-defined]
    with clock_at(app, at):
        devices = "/api/v1/me/offline/devices"
        made = client.post(devices, json={"name": "phone"}, headers=who)
        assert made.status_code == 201, made.text
        device: int = made.json()["id"]
        body = {"release_id": release_id}
        added = client.post(f"{devices}/{device}/downloads", json=body, headers=who)
        assert added.is_success, added.text
    return device
