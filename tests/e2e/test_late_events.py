"""Late listening events are history, not commands: a track's end reported minutes later counts
for the listener's statistics but neither resumes a paused player nor moves it on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.granted import post_events


def a_play(track_id: int, play_id: str, ended_ago: timedelta) -> list[dict[str, Any]]:
    """Start, progress and end of 35 s of `track_id`, the end `ended_ago` before now."""
    start = datetime.now(UTC) - ended_ago - timedelta(seconds=35)
    return [
        {
            "id": f"{play_id}-{i}",
            "play_id": play_id,
            "kind": kind,
            "track_id": track_id,
            "device": "phone",
            "position_ms": at * 1000,
            "at": (start + timedelta(seconds=at)).isoformat(),
        }
        for i, (kind, at) in enumerate([("start", 0), ("progress", 20), ("end", 35)])
    ]


def test_a_four_minute_old_end_is_counted_but_moves_no_player(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    tracks = [t["id"] for t in client.get(f"/api/v1/releases/{published}").json()["tracks"]]
    release = {"kind": "release", "id": published}
    client.put("/api/v1/me/player/play", json={"context": release}, headers=premium)
    client.put("/api/v1/me/player/pause", headers=premium)

    late = a_play(tracks[0], "late", timedelta(minutes=4))
    sent = post_events(client, premium, late)
    assert sent.json()["accepted"] == 3
    player = client.get("/api/v1/me/player", headers=premium).json()
    assert (player["track_id"], player["playing"]) == (tracks[0], False)
    recent = client.get("/api/v1/me/player/recently-played", headers=premium).json()["items"]
    assert [r["track_id"] for r in recent] == [tracks[0]]  # history all the same

    # Playing, a late end still commands nothing; a fresh one moves the player on.
    client.put("/api/v1/me/player/play", json={"context": release}, headers=premium)
    late_again = a_play(tracks[0], "late-again", timedelta(minutes=4))
    post_events(client, premium, late_again)
    assert client.get("/api/v1/me/player", headers=premium).json()["track_id"] == tracks[0]
    fresh = a_play(tracks[0], "fresh", timedelta(seconds=2))
    post_events(client, premium, fresh)
    assert client.get("/api/v1/me/player", headers=premium).json()["track_id"] == tracks[1]
