"""The listener's own queue, apart from the context: what was queued plays first and is shown
apart (`queue`, then `next_from` the context), and can be reordered and emptied song by song;
only by its own account, and never cut wrong when it changed meanwhile."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in

PLAYER = "/api/v1/me/player"


def _release_tracks(client: TestClient, release_id: int) -> list[int]:
    return [t["id"] for t in client.get(f"/api/v1/releases/{release_id}").json()["tracks"]]


def test_queued_songs_are_shown_apart_reordered_and_removed(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    first, second, third = _release_tracks(client, published)
    started = client.put(
        f"{PLAYER}/play", json={"context": {"kind": "release", "id": published}}, headers=premium
    )
    assert started.status_code == 200, started.text
    assert started.json()["queue"] == []
    assert started.json()["next_from"] == [second, third]
    for track in (third, first, second):
        assert client.post(f"{PLAYER}/queue", json={"track_id": track}, headers=premium).is_success
    state = client.get(PLAYER, headers=premium).json()
    assert state["queue"] == [third, first, second]
    assert state["next_from"] == [second, third]  # the album's own order is untouched

    moved = client.put(f"{PLAYER}/queue/2", json={"track_id": second, "to": 0}, headers=premium)
    assert moved.status_code == 200, moved.text
    assert moved.json()["queue"] == [second, third, first]

    removed = client.delete(f"{PLAYER}/queue/1?track_id={third}", headers=premium)
    assert removed.status_code == 200, removed.text
    assert removed.json()["queue"] == [second, first]

    # What plays next is the queue, in the order the listener left it.
    assert client.post(f"{PLAYER}/next", headers=premium).json()["track_id"] == second
    after = client.get(PLAYER, headers=premium).json()
    assert after["queue"] == [first]
    assert after["from_queue"] is True


def test_an_edit_of_a_queue_that_changed_meanwhile_is_refused(
    client: TestClient, published: int, premium: dict[str, str]
) -> None:
    first, second, _ = _release_tracks(client, published)
    client.put(f"{PLAYER}/play", json={"track_ids": [first]}, headers=premium)
    client.post(f"{PLAYER}/queue", json={"track_id": second}, headers=premium)

    stale = client.delete(f"{PLAYER}/queue/0?track_id={first}", headers=premium)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "queue_changed"
    gone = client.put(f"{PLAYER}/queue/5", json={"track_id": second, "to": 0}, headers=premium)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "queue_entry_not_found"
    assert client.get(PLAYER, headers=premium).json()["queue"] == [second]


def test_another_account_cannot_touch_a_listeners_queue(
    client: TestClient, app: App, published: int, premium: dict[str, str]
) -> None:
    first, second, _ = _release_tracks(client, published)
    client.put(f"{PLAYER}/play", json={"track_ids": [first]}, headers=premium)
    client.post(f"{PLAYER}/queue", json={"track_id": second}, headers=premium)
    other = sign_in(client, app, "other@example.org", Plan.PREMIUM_INDIVIDUAL)

    # The other account's queue is its own, empty one: the first listener's entry is not there.
    answer = client.delete(f"{PLAYER}/queue/0?track_id={second}", headers=other)
    assert answer.status_code == 404
    assert client.delete(f"{PLAYER}/queue/0?track_id={second}").status_code == 401
    assert client.get(PLAYER, headers=premium).json()["queue"] == [second]
