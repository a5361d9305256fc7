"""Search finds podcast shows and episodes by title, publisher and description, in the same
engine as the music (`type=show,episode`, or `type=podcast`), with typos forgiven."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.fixtures.feeds import FeedHost, Item, feed_host, rss


@pytest.fixture
def host() -> FeedHost:
    with feed_host() as served:
        yield served  # type: ignore[misc]


def test_shows_and_episodes_are_found_by_title_publisher_and_description(
    client: TestClient, app: App, host: FeedHost
) -> None:
    items = [
        Item("Volcanoes of Iceland", "v1", description="<p>Lava, ash and <b>geysers</b></p>"),
        Item("Deep sea vents", "v2", description="<p>Black smokers on the ocean floor</p>"),
    ]
    show = app.podcasts.add(
        host.put(
            "/geo.xml",
            rss("Planet Rocks", items, author="Geology Guild", description="Stones weekly"),
        )
    )
    app.podcasts.add(
        host.put("/other.xml", rss("Cooking Hour", [Item("Bread", "b1")], author="Chefs"))
    )

    by_title = client.get(
        "/api/v1/search", params={"q": "volcanoes", "type": "show,episode"}
    ).json()
    assert [h["episode"]["title"] for h in by_title["episodes"]["items"]] == [
        "Volcanoes of Iceland"
    ]
    hit = by_title["episodes"]["items"][0]
    assert hit["show"]["id"] == show.id
    # what a hit shows of an episode and its show (read apart from the whole rows)
    assert hit["episode"]["published_at"].startswith("2026-11-01")
    assert hit["episode"]["duration_ms"] == 2000
    assert hit["show"]["title"] == "Planet Rocks"
    assert hit["show"]["publisher"] == "Geology Guild"
    assert hit["show"]["image_url"] == f"/api/v1/images/{show.artwork_blob}"

    by_publisher = client.get(
        "/api/v1/search", params={"q": "geology guild", "type": "podcast"}
    ).json()
    assert [h["show"]["title"] for h in by_publisher["shows"]["items"]] == ["Planet Rocks"]

    by_description = client.get("/api/v1/search", params={"q": "smokers", "type": "episode"}).json()
    assert [h["episode"]["title"] for h in by_description["episodes"]["items"]] == [
        "Deep sea vents"
    ]

    typo = client.get("/api/v1/search", params={"q": "planet rokcs", "type": "show"}).json()
    assert typo["shows"]["items"][0]["id"] == show.id

    music_only = client.get("/api/v1/search", params={"q": "volcanoes"}).json()
    assert "episodes" not in music_only or music_only["episodes"] is None
    assert client.get("/api/v1/search", params={"q": "x", "type": "radio"}).status_code == 422


def test_a_refresh_indexes_new_episodes(client: TestClient, app: App, host: FeedHost) -> None:
    url = host.put("/s.xml", rss("Night Shift", [Item("Owls", "o1")]))
    show = app.podcasts.add(url)
    host.put("/s.xml", rss("Night Shift", [Item("Owls", "o1"), Item("Moths and lanterns", "m1")]))
    app.podcasts.refresh(show.id)
    found = client.get("/api/v1/search", params={"q": "lanterns", "type": "episode"}).json()
    assert [h["episode"]["title"] for h in found["episodes"]["items"]] == ["Moths and lanterns"]
