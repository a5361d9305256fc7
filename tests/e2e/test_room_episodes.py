"""A room's recording published as an episode of its host's hosted show in one click: the
request answers at once (202) with a job the page polls, the WAV goes through the same ingest
as an uploaded episode in the background (playable, on the Opus ladder, its length measured),
the episode is listed once it is playable and never before, and a second click gives back the
same job and episode. Only the host publishes, only to a show of their own, and only once the
room has ended. A server stopped mid-publish finishes the job at its next start without a
second episode; a recording that cannot be published fails with a stable code, nothing listed."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, update

from cadenza.adapters.db.models_podcasts import PodcastEpisodeRow
from cadenza.adapters.db.models_room_episodes import RoomEpisodeJobRow
from cadenza.adapters.db.models_rooms import RoomRow
from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.ports.room_episode_jobs import RoomEpisodeJob
from tests.e2e.conftest import sign_in
from tests.e2e.test_podcaster import podcaster
from tests.e2e.test_rooms import heard, join, loud, open_room, until_heard


def hosted_show(client: TestClient, who: dict[str, str], title: str) -> int:
    made = client.post(
        "/api/v1/podcaster/shows", json={"title": title, "category": "Music"}, headers=who
    )
    assert made.status_code == 201, made.text
    show_id: int = made.json()["id"]
    return show_id


def poll(client: TestClient, status_url: str, who: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = client.get(status_url, headers=who)
        assert answer.status_code == 200, answer.text
        seen = answer.json()
        if seen["status"] in {"published", "failed"}:
            return seen
        assert seen["episode"] is None  # nothing before it is done
        time.sleep(0.1)
    raise AssertionError(f"the publishing did not finish in 120 s: {seen}")


def listed(client: TestClient, show_id: int, who: dict[str, str]) -> list[int]:
    found = client.get(f"/api/v1/shows/{show_id}/episodes", headers=who).json()
    items = found["items"] if isinstance(found, dict) else found
    return [e["id"] for e in items]


def recorded_room(client: TestClient, host: dict[str, str], fan: dict[str, str], title: str) -> str:
    room = open_room(client, host, title=title)
    with join(client, host, room["id"]) as host_socket, join(client, fan, room["id"]) as ear:
        for _ in range(50):  # a second of the host's voice
            host_socket.send_bytes(loud())
        assert until_heard(ear, loud_at=8000)
        heard(ear, 50)  # and 2 s more of the room, recorded as it goes
    base = f"/api/v1/rooms/{room['id']}"
    assert client.post(f"{base}/end", headers=host).status_code == 200
    return base


def test_the_host_publishes_the_recording_as_an_episode_in_one_click(
    client: TestClient, app: App
) -> None:
    host = podcaster(client, app, "maker@example.org")
    other = podcaster(client, app, "other@example.org")
    fan = sign_in(client, app, "fan@example.org")
    show_id = hosted_show(client, host, "Jazz Nights")
    not_mine = hosted_show(client, other, "Someone else's show")
    room = open_room(client, host, title="Late night jazz talk")
    base = f"/api/v1/rooms/{room['id']}"
    with join(client, host, room["id"]) as host_socket, join(client, fan, room["id"]) as ear:
        for _ in range(50):  # a second of the host's voice
            host_socket.send_bytes(loud())
        assert until_heard(ear, loud_at=8000)  # the host's voice
        heard(ear, 50)  # and 2 s more of the room, recorded as it goes
        too_soon = client.post(f"{base}/episode", headers=host, json={"show_id": show_id})
        assert too_soon.status_code == 404, too_soon.text
        assert too_soon.json()["error"]["code"] == "room_recording_not_found"
    assert client.post(f"{base}/end", headers=host).status_code == 200

    by_fan = client.post(f"{base}/episode", headers=fan, json={"show_id": show_id})
    assert by_fan.status_code == 403 and by_fan.json()["error"]["code"] == "room_host_only"
    elsewhere = client.post(f"{base}/episode", headers=host, json={"show_id": not_mine})
    assert elsewhere.status_code in (403, 404), elsewhere.text

    started = time.monotonic()
    accepted = client.post(f"{base}/episode", headers=host, json={"show_id": show_id})
    assert accepted.status_code == 202, accepted.text
    assert time.monotonic() - started < 5  # the ingest is not in the request
    job = accepted.json()
    assert job["status"] in {"queued", "processing"} and job["episode"] is None
    assert job["status_url"] == f"{base}/episode/{job['id']}"
    assert client.get(job["status_url"], headers=fan).status_code == 404  # the host's alone
    again = client.post(f"{base}/episode", headers=host, json={"show_id": show_id})
    assert again.json()["id"] == job["id"]  # a second click while it runs: the same job

    done = poll(client, job["status_url"], host)
    assert done["status"] == "published" and done["progress"] == 1.0, done
    episode = done["episode"]
    assert episode["title"] == "Late night jazz talk" and episode["playable"]
    assert episode["show_id"] == show_id and episode["audio"] == "ready"
    assert 2000 <= episode["duration_ms"] <= 60_000  # the room as long as it was recorded
    assert listed(client, show_id, fan) == [episode["id"]]

    twice = client.post(
        f"{base}/episode", headers=host, json={"show_id": show_id, "title": "Twice?"}
    )
    assert twice.status_code == 200 and twice.json()["id"] == job["id"]
    assert twice.json()["episode"]["id"] == episode["id"]
    assert listed(client, show_id, fan) == [episode["id"]]


def test_a_publishing_cut_off_by_a_restart_finishes_once(client: TestClient, app: App) -> None:
    host = podcaster(client, app, "maker@example.org")
    fan = sign_in(client, app, "fan@example.org")
    show_id = hosted_show(client, host, "Jazz Nights")
    base = recorded_room(client, host, fan, "Cut off")
    job = client.post(f"{base}/episode", headers=host, json={"show_id": show_id}).json()
    done = poll(client, job["status_url"], host)
    episode_id = done["episode"]["id"]
    # As a server killed after the episode was added, before the job said so, leaves it; and
    # a second job killed on its way, before any episode.
    with app.uow() as uow:
        uow.session.execute(  # type: ignore[attr-defined]
            update(RoomEpisodeJobRow)
            .where(RoomEpisodeJobRow.id == job["id"])
            .values(status="processing", stage="encode", progress=0.15, episode_id=None)
        )
        uow.commit()
    other = recorded_room(client, host, fan, "Also cut off")
    second = RoomEpisodeJob(
        id=str(uuid.uuid4()),
        room_id=int(other.rsplit("/", 1)[1]),
        show_id=show_id,
        account_id=app.podcasts.show(show_id).owner_id or 0,
        title="Also cut off",
        notes="",
        status="processing",
        stage="encode",
        progress=0.15,
    )
    with app.uow() as uow:
        assert uow.room_episode_jobs.add(second)
        uow.commit()
    second_url = f"{other}/episode/{second.id}"
    cut = client.get(second_url, headers=host).json()
    assert cut["status"] == "processing" and cut["episode"] is None
    assert listed(client, show_id, fan) == [episode_id]  # nothing half-made is listed

    with TestClient(create_app(app)) as restarted:
        resumed = poll(restarted, job["status_url"], host)
        finished = poll(restarted, second_url, host)
    assert resumed["status"] == "published" and resumed["episode"]["id"] == episode_id
    assert finished["status"] == "published" and finished["episode"]["playable"]
    assert sorted(listed(client, show_id, fan)) == sorted([episode_id, finished["episode"]["id"]])


def test_a_recording_that_cannot_be_published_fails_with_a_code_and_lists_nothing(
    client: TestClient, app: App
) -> None:
    host = podcaster(client, app, "maker@example.org")
    fan = sign_in(client, app, "fan@example.org")
    show_id = hosted_show(client, host, "Jazz Nights")
    base = recorded_room(client, host, fan, "Broken tape")
    garbage = app.blobs.put_bytes(b"not a wave file at all " * 400)
    room_id = int(base.rsplit("/", 1)[1])
    tape = app.rooms.get(room_id).recording
    with app.uow() as uow:
        uow.session.execute(  # type: ignore[attr-defined]
            update(RoomRow).where(RoomRow.id == room_id).values(recording_blob=garbage.digest)
        )
        uow.commit()
    job = client.post(f"{base}/episode", headers=host, json={"show_id": show_id}).json()
    done = poll(client, job["status_url"], host)
    assert done["status"] == "failed" and done["episode"] is None
    assert done["error"]["code"] == "episode_not_audio"
    assert listed(client, show_id, fan) == []
    assert listed(client, show_id, host) == []

    # The tape is found again: a second click publishes it, with the title it gives now.
    with app.uow() as uow:
        uow.session.execute(  # type: ignore[attr-defined]
            update(RoomRow).where(RoomRow.id == room_id).values(recording_blob=tape)
        )
        uow.commit()
    again = client.post(
        f"{base}/episode", headers=host, json={"show_id": show_id, "title": "The tape, found"}
    )
    assert again.status_code == 202 and again.json()["id"] == job["id"]
    redone = poll(client, job["status_url"], host)
    assert redone["status"] == "published" and redone["error"] is None
    assert redone["episode"]["title"] == "The tape, found"
    assert listed(client, show_id, fan) == [redone["episode"]["id"]]


def test_a_published_recording_whose_episode_was_deleted_publishes_anew(
    client: TestClient, app: App
) -> None:
    host = podcaster(client, app, "maker@example.org")
    fan = sign_in(client, app, "fan@example.org")
    show_id = hosted_show(client, host, "Jazz Nights")
    base = recorded_room(client, host, fan, "Encore")
    job = client.post(f"{base}/episode", headers=host, json={"show_id": show_id}).json()
    first = poll(client, job["status_url"], host)["episode"]
    with app.uow() as uow:  # the episode is deleted (its show's owner took it down)
        uow.session.execute(  # type: ignore[attr-defined]
            delete(PodcastEpisodeRow).where(PodcastEpisodeRow.id == first["id"])
        )
        uow.commit()
    assert listed(client, show_id, fan) == []

    anew = client.post(
        f"{base}/episode", headers=host, json={"show_id": show_id, "title": "Encore, again"}
    )
    assert anew.status_code == 202, anew.text
    assert anew.json()["status"] in {"queued", "processing"} and anew.json()["episode"] is None
    done = poll(client, anew.json()["status_url"], host)
    assert done["status"] == "published" and done["episode"]["playable"]
    assert done["episode"]["title"] == "Encore, again"  # a new episode, named as asked
    assert listed(client, show_id, fan) == [done["episode"]["id"]]
    # Clicked once more, it is published: the same job and episode.
    twice = client.post(f"{base}/episode", headers=host, json={"show_id": show_id})
    assert twice.status_code == 200 and twice.json()["episode"]["id"] == done["episode"]["id"]
