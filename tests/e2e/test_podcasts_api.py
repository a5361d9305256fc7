"""Podcasts through the API: adding shows (admins and podcasters only), following, Your
Episodes in order with unplayed counts, a resume position that reaches the account's other
device at once, and an episode's audio on a Free plan that never counts as a music stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cadenza.adapters.db.models_listening import PlayRow
from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from tests.e2e.conftest import sign_in
from tests.fixtures.audio import make_audio
from tests.fixtures.feeds import FeedHost, Item, feed_host, rss


@pytest.fixture
def host() -> FeedHost:
    with feed_host() as served:
        yield served  # type: ignore[misc]


def podcaster(client: TestClient, app: App, email: str = "host@example.org") -> dict[str, str]:
    who = sign_in(client, app, email)
    app.admin.set_roles(None, app.admin.id_of(email), [Role.PODCASTER])
    return who


def two_shows(client: TestClient, app: App, host: FeedHost, tmp_path: Path) -> tuple[int, int]:
    audio = host.put(
        "/a.mp3", make_audio(tmp_path / "a.mp3", "mp3", seconds=3.0).read_bytes(), "audio/mpeg"
    )
    day = datetime(2026, 11, 1, tzinfo=UTC)
    morning = [
        Item(f"Morning {i}", f"m{i}", audio, published=day + timedelta(days=2 * i))
        for i in range(3)
    ]
    evening = [
        Item(f"Evening {i}", f"e{i}", audio, published=day + timedelta(days=2 * i + 1))
        for i in range(3)
    ]
    who = podcaster(client, app)
    ids = []
    for name, items in (("Morning", morning), ("Evening", evening)):
        added = client.post(
            "/api/v1/shows",
            json={"feed_url": host.put(f"/{name}.xml", rss(name, items))},
            headers=who,
        )
        assert added.status_code == 201, added.text
        ids.append(added.json()["id"])
    return ids[0], ids[1]


def test_only_admins_and_podcasters_add_shows_and_hostile_feeds_answer_their_code(
    client: TestClient, app: App, host: FeedHost
) -> None:
    listener = sign_in(client, app, "listener@example.org")
    url = host.put("/s.xml", rss("Show", []))
    refused = client.post("/api/v1/shows", json={"feed_url": url}, headers=listener)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "podcaster_required"
    who = podcaster(client, app)
    bomb = host.put(
        "/bomb.xml",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><rss><channel><title>&a;</title></channel></rss>',
    )
    hostile = client.post("/api/v1/shows", json={"feed_url": bomb}, headers=who)
    assert (
        hostile.status_code == 422 and hostile.json()["error"]["code"] == "feed_entities_forbidden"
    )
    added = client.post("/api/v1/shows", json={"feed_url": url}, headers=who)
    assert added.status_code == 201 and added.json()["title"] == "Show"
    shown = client.get(f"/api/v1/shows/{added.json()['id']}")
    assert shown.status_code == 200 and shown.json()["image_url"].startswith("/api/v1/images/")
    assert client.get("/api/v1/shows/999").json()["error"]["code"] == "show_not_found"


def test_your_episodes_newest_first_with_unplayed_counts(
    client: TestClient, app: App, host: FeedHost, tmp_path: Path
) -> None:
    morning, evening = two_shows(client, app, host, tmp_path)
    me = sign_in(client, app, "fan@example.org")
    assert client.put(f"/api/v1/me/shows?ids={morning},{evening}", headers=me).status_code == 204
    assert client.get(f"/api/v1/shows/{morning}", headers=me).json()["following"] is True

    mine = client.get("/api/v1/me/episodes", headers=me).json()
    assert [e["title"] for e in mine["items"]] == [
        "Evening 2",
        "Morning 2",
        "Evening 1",
        "Morning 1",
        "Evening 0",
        "Morning 0",
    ]
    assert mine["unplayed"] == {str(morning): 3, str(evening): 3} and mine["total"] == 6

    newest = mine["items"][0]["id"]
    assert client.put(
        f"/api/v1/me/episodes/{newest}/played", json={"played": True}, headers=me
    ).json()["played"]
    after = client.get("/api/v1/me/episodes", headers=me).json()
    assert after["items"][0]["title"] == "Morning 2" and after["unplayed"][str(evening)] == 2

    assert client.delete(f"/api/v1/me/shows?ids={evening}", headers=me).status_code == 204
    only = client.get("/api/v1/me/episodes", headers=me).json()
    assert {e["show_id"] for e in only["items"]} == {morning}
    assert (
        client.put("/api/v1/me/shows?ids=424242", headers=me).json()["error"]["code"]
        == "show_not_found"
    )
    for method in ("PUT", "DELETE"):  # beyond any id a show can have: refused before the database
        beyond = client.request(method, "/api/v1/me/shows?ids=7,7925449883", headers=me)
        assert (beyond.status_code, beyond.json()["error"]["code"]) == (422, "invalid_id")


def test_the_resume_position_reaches_the_other_device(
    client: TestClient, app: App, host: FeedHost, tmp_path: Path
) -> None:
    morning, _ = two_shows(client, app, host, tmp_path)
    me = sign_in(client, app, "commuter@example.org")
    episode = client.get(f"/api/v1/shows/{morning}/episodes").json()["items"][0]["id"]
    phone = client.post(
        "/api/v1/me/devices",
        json={"name": "Phone", "type": "phone", "supports_volume": True},
        headers=me,
    ).json()["id"]
    laptop = client.post(
        "/api/v1/me/devices",
        json={"name": "Laptop", "type": "web", "supports_volume": True},
        headers=me,
    ).json()["id"]
    ticket = client.post(
        "/api/v1/me/player/stream-ticket", json={"device_id": laptop}, headers=me
    ).json()
    with client.websocket_connect(ticket["socket_url"]) as on_laptop:
        assert on_laptop.receive_json()["event"] == "state"
        saved = client.put(
            f"/api/v1/me/episodes/{episode}/position",
            json={"position_ms": 1234, "device_id": phone},
            headers=me,
        )
        assert saved.status_code == 200 and saved.json()["position_ms"] == 1234
        heard = on_laptop.receive_json()
        while heard["event"] != "episode_position":
            heard = on_laptop.receive_json()
        assert heard["data"]["episode_id"] == episode and heard["data"]["position_ms"] == 1234
        assert heard["data"]["from_device_id"] == phone
    again = client.get(f"/api/v1/episodes/{episode}", headers=me).json()
    assert again["progress"]["position_ms"] == 1234 and again["progress"]["played"] is False


def test_a_free_listener_plays_an_episode_that_never_counts_as_a_music_stream(
    client: TestClient, app: App, host: FeedHost, tmp_path: Path
) -> None:
    morning, _ = two_shows(client, app, host, tmp_path)
    me = sign_in(client, app, "free@example.org")
    episode = client.get(f"/api/v1/shows/{morning}/episodes").json()["items"][0]["id"]
    pending = client.post(f"/api/v1/episodes/{episode}/stream", json={}, headers=me)
    assert pending.status_code == 409 and pending.json()["error"]["code"] == "episode_audio_pending"

    app.podcasts.fetch_audio(morning, 1)
    grant = client.post(
        f"/api/v1/episodes/{episode}/stream", json={"quality": "very_high"}, headers=me
    )
    assert grant.status_code == 200, grant.text
    url = grant.json()["url"]
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100 and part.content[:4] == b"OggS"
    assert client.get(url.replace("sig=", "sig=x")).json()["error"]["code"] == "stream_not_found"

    with app.uow() as uow:
        assert uow.podcast_listening.show_totals(morning) == (1, 1)
    with app.db_sessions() as db:
        assert db.scalar(select(func.count()).select_from(PlayRow)) == 0  # no music play
