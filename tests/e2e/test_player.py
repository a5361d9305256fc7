"""The server-side player through HTTP: contexts, the queue, skips, the plan's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.grants import ask_grant, device_of


def tracks_of(client: TestClient, release_id: int) -> list[int]:
    return [t["id"] for t in client.get(f"/api/v1/releases/{release_id}").json()["tracks"]]


def play(client: TestClient, who: dict[str, str], **body: Any) -> Any:
    return client.put("/api/v1/me/player/play", json=body, headers=who)


def test_a_premium_listener_plays_a_release_from_a_chosen_track(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    tracks = tracks_of(client, published)
    started = play(
        client, premium, context={"kind": "release", "id": published}, offset=1, device="phone"
    )
    assert started.status_code == 200
    state = started.json()
    assert (state["track_id"], state["playing"], state["shuffle"]) == (tracks[1], True, False)
    assert state["up_next"] == [tracks[2]]
    assert state["stream"]["quality"] == "very_high" and state["stream"]["track_id"] == tracks[1]
    assert client.get(state["stream"]["url"]).status_code == 200
    after = client.post("/api/v1/me/player/next", headers=premium).json()
    assert after["track_id"] == tracks[2]
    back = client.post("/api/v1/me/player/previous", headers=premium).json()
    assert back["track_id"] == tracks[1]
    queued = client.post("/api/v1/me/player/queue", json={"track_id": tracks[0]}, headers=premium)
    assert queued.json()["up_next"] == [tracks[0], tracks[2]]
    paused = client.put("/api/v1/me/player/pause", headers=premium).json()
    assert paused["playing"] is False and paused["stream"] is None
    client.put("/api/v1/me/player/repeat", json={"state": "track"}, headers=premium)
    client.put("/api/v1/me/player/volume", json={"percent": 40}, headers=premium)
    seen = client.get("/api/v1/me/player", headers=premium).json()
    assert (seen["repeat"], seen["volume"], seen["device"]) == ("track", 40, "phone")
    moved = client.put("/api/v1/me/player/transfer", json={"device": "speaker"}, headers=premium)
    assert moved.json()["device"] == "speaker" and moved.json()["playing"] is True


def test_on_free_a_release_plays_shuffled_and_the_server_picks(
    client: TestClient, app: App, published: int
) -> None:
    free = sign_in(client, app, "free@example.org")
    chosen = play(client, free, context={"kind": "release", "id": published}, offset=2)
    assert chosen.status_code == 403 and chosen.json()["error"]["code"] == "shuffle_only"
    one = play(client, free, track_ids=[tracks_of(client, published)[0]])
    assert one.status_code == 403 and one.json()["error"]["code"] == "shuffle_only"
    started = play(client, free, context={"kind": "release", "id": published}).json()
    assert started["shuffle"] is True and started["stream"]["quality"] == "high"
    assert sorted([started["track_id"], *started["up_next"]]) == sorted(
        tracks_of(client, published)
    )
    off = client.put("/api/v1/me/player/shuffle", json={"state": False}, headers=free)
    assert off.status_code == 403 and off.json()["error"]["code"] == "shuffle_only"
    queued = client.post(
        "/api/v1/me/player/queue", json={"track_id": started["track_id"]}, headers=free
    )
    assert queued.status_code == 403
    plus = sign_in(client, app, "plus@example.org", Plan.PLUS)
    picked = play(client, plus, context={"kind": "release", "id": published}, offset=2)
    assert picked.status_code == 200 and picked.json()["shuffle"] is False


def test_the_end_of_a_track_moves_the_player_on(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    tracks = tracks_of(client, published)
    play(client, premium, context={"kind": "release", "id": published})
    start = datetime.now(UTC) - timedelta(seconds=40)
    events = [
        {
            "id": f"e{i}",
            "play_id": "p1",
            "kind": kind,
            "track_id": tracks[0],
            "device": "phone",
            "position_ms": at * 1000,
            "at": (start + timedelta(seconds=at)).isoformat(),
        }
        for i, (kind, at) in enumerate([("start", 0), ("progress", 20), ("end", 35)])
    ]
    post_events(client, premium, events)
    assert client.get("/api/v1/me/player", headers=premium).json()["track_id"] == tracks[1]
    # Resending the same events moves nothing further.
    post_events(client, premium, events)
    assert client.get("/api/v1/me/player", headers=premium).json()["track_id"] == tracks[1]


def test_each_listener_has_a_player_of_their_own(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    play(client, premium, context={"kind": "release", "id": published})
    bob = sign_in(client, app, "bob@example.org")
    theirs = client.get("/api/v1/me/player", headers=bob).json()
    assert theirs["track_id"] is None and theirs["playing"] is False
    assert client.get("/api/v1/me/player").status_code == 401
    missing = play(client, premium, context={"kind": "release", "id": 999999})
    assert missing.status_code == 404


def test_free_gets_six_skips_an_hour_and_an_ad_break_after_three_songs(
    client: TestClient, app: App, published: int
) -> None:
    free = sign_in(client, app, "free@example.org")
    play(client, free, context={"kind": "release", "id": published})
    client.put("/api/v1/me/player/repeat", json={"state": "context"}, headers=free)
    answers = [client.post("/api/v1/me/player/next", headers=free) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 6 + [403]
    refused = answers[-1].json()["error"]
    assert refused["code"] == "skip_limit_reached" and "next one frees up" in refused["message"]

    # Three songs heard to their end bring an ad break: the next track waits for it.
    now = datetime.now(UTC) - timedelta(minutes=5)
    for n in range(3):
        track = client.get("/api/v1/me/player", headers=free).json()["track_id"]
        start = now + timedelta(seconds=40 * n)
        events = [
            {
                "id": f"s{n}-{i}",
                "play_id": f"song-{n}",
                "kind": kind,
                "track_id": track,
                "device": "phone",
                "position_ms": at * 1000,
                "at": (start + timedelta(seconds=at)).isoformat(),
            }
            for i, (kind, at) in enumerate([("start", 0), ("progress", 20), ("end", 35)])
        ]
        post_events(client, free, events)
    held = client.get("/api/v1/me/player", headers=free).json()
    assert held["stream"] is None  # no grant for the next track while the break is due
    track_id = held["track_id"]
    player = device_of(client, free)  # the device that asks plays from then on
    grant = ask_grant(client, free, track_id, device=player)
    assert grant.status_code == 403 and grant.json()["error"]["code"] == "ad_break_due"
    # No campaign can reach this listener: the break is empty and the music goes on.
    assert client.get("/api/v1/me/ad-break", headers=free).status_code == 204
    here = free | {"X-Cadenza-Device": player}
    assert client.get("/api/v1/me/player", headers=here).json()["stream"] is not None


def test_a_play_of_tracks_takes_four_database_connections(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    """Each connection taken from the pool costs round trips to the database (a ping, a
    rollback): a play reads the session, then the listener and the tracks together, saves
    the player, and records the new grant's window. A track the listener may not play is
    still refused."""
    from sqlalchemy import event

    tracks = tracks_of(client, published)
    assert play(client, premium, track_ids=[tracks[0]]).status_code == 200
    taken: list[object] = []

    def checkout(*connection: object) -> None:
        taken.append(connection)

    event.listen(app.engine, "checkout", checkout)
    try:
        started = play(client, premium, track_ids=[tracks[1], tracks[2]])
    finally:
        event.remove(app.engine, "checkout", checkout)
    assert started.status_code == 200 and started.json()["track_id"] == tracks[1]
    assert started.json()["stream"]["track_id"] == tracks[1]
    assert len(taken) <= 4
    missing = play(client, premium, track_ids=[tracks[0], 2_000_000])
    assert missing.status_code == 404
