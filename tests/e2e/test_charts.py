"""Charts through HTTP: Top 50 and Viral 50, everywhere and per country, rebuilt by the
`charts` job from counted streams; each listener sees only what they may play, with each
song's movement since yesterday; a chart plays through the player."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from cadenza.jobs.registry import find_job
from cadenza.services.takedowns import TakedownBy
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_listening import play
from tests.fixtures.catalog import put_release


def listen(
    client: TestClient, who: dict[str, str], plays: dict[int, int], tag: str, days_ago: float = 1
) -> None:
    """Counted plays (45 s each): `plays` is track id -> how many, `days_ago` before now."""
    start = datetime.now(UTC) - timedelta(days=days_ago)
    events: list[dict[str, Any]] = []
    n = 0
    for track, times in plays.items():
        for _ in range(times):
            events += play(track, f"{tag}-{n}", 45, start + timedelta(minutes=n))
            n += 1
    answer = post_events(client, who, events)
    assert answer.json()["rejected"] == []


def rebuild(app: App) -> str:
    return find_job("charts").run(app).said


def charts_of(client: TestClient, who: dict[str, str]) -> dict[str, dict[str, Any]]:
    listed = client.get("/api/v1/browse/charts", headers=who).json()
    return {c["name"]: c for c in listed}


def songs(client: TestClient, who: dict[str, str], chart: dict[str, Any]) -> list[tuple[str, int]]:
    """(title, streams) of each song shown, in rank order; ranks checked to be 1, 2, 3..."""
    answer = client.get(chart["url"], headers=who)
    assert answer.status_code == 200, answer.text
    tracks = answer.json()["tracks"]
    assert [t["rank"] for t in tracks] == list(range(1, len(tracks) + 1))
    return [(t["title"], t["streams"]) for t in tracks]


def moves(client: TestClient, who: dict[str, str], chart: dict[str, Any]) -> dict[str, str]:
    tracks = client.get(chart["url"], headers=who).json()["tracks"]
    return {t["title"]: t["movement"] for t in tracks}


@pytest.fixture
def catalog(app: App) -> dict[str, int]:
    _, hits = put_release(app, "Hits", ["Ava"], ["Up", "Down", "Steady", "Fading"])
    _, tokyo = put_release(app, "Tokyo", ["Ken"], ["Shibuya"], territories=("JP",))
    gone_release, gone = put_release(app, "Gone", ["Zed"], ["Withdrawn"])
    titles = ["Up", "Down", "Steady", "Fading", "Shibuya", "Withdrawn"]
    found = dict(zip(titles, hits + tokyo + gone, strict=True))
    found["gone_release"] = gone_release
    return found


def test_top_50_per_country_and_everywhere_shows_only_what_the_listener_may_play(
    client: TestClient, app: App, catalog: dict[str, int]
) -> None:
    us = sign_in(client, app, "us@example.org", Plan.PREMIUM_INDIVIDUAL, country="US")
    fr = sign_in(client, app, "fr@example.org", country="FR")
    jp = sign_in(client, app, "jp@example.org", country="JP")
    listen(client, us, {catalog["Up"]: 3, catalog["Down"]: 1}, "us")
    listen(client, fr, {catalog["Down"]: 4, catalog["Withdrawn"]: 6}, "fr")
    listen(client, jp, {catalog["Shibuya"]: 4}, "jp")
    app.takedowns.take_down(catalog["gone_release"], TakedownBy(admin=1), "rights dispute")
    assert "rebuilt" in rebuild(app)

    mine = charts_of(client, us)
    assert list(mine) == ["Top 50: US", "Top 50: Global", "Viral 50: Global"]
    assert songs(client, us, mine["Top 50: US"]) == [("Up", 3), ("Down", 1)]
    # Everywhere: "Withdrawn" (taken down) and "Shibuya" (Japan only) leave their places.
    assert songs(client, us, mine["Top 50: Global"]) == [("Down", 5), ("Up", 3)]
    japan = charts_of(client, jp)
    assert list(japan) == ["Top 50: JP", "Top 50: Global", "Viral 50: Global"]
    assert songs(client, jp, japan["Top 50: Global"]) == [("Down", 5), ("Shibuya", 4), ("Up", 3)]
    # A French listener's own chart: only French listeners' streams.
    assert songs(client, fr, charts_of(client, fr)["Top 50: FR"]) == [("Down", 4)]
    # Anyone may browse the charts of a country they name.
    anonymous = client.get("/api/v1/browse/charts?country=JP").json()
    assert [c["name"] for c in anonymous] == ["Top 50: JP", "Top 50: Global", "Viral 50: Global"]

    missing = client.get("/api/v1/browse/charts/999999", headers=us)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "chart_not_found"

    # Played as a context, from the top, on Premium.
    chart = mine["Top 50: Global"]
    started = client.put(
        "/api/v1/me/player/play", json={"context": {"kind": "chart", "id": chart["id"]}}, headers=us
    ).json()
    assert started["context"] == {"kind": "chart", "id": chart["id"]}
    assert started["track_id"] == catalog["Down"]


def test_movement_is_since_yesterday_even_when_the_charts_are_rebuilt_twice_a_day(
    client: TestClient, app: App, catalog: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    plays = {catalog["Up"]: 2, catalog["Down"]: 4, catalog["Steady"]: 3}
    listen(client, ada, plays, "day1", days_ago=1.5)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    monkeypatch.setattr(app.clock, "now", lambda: yesterday)
    rebuild(app)  # yesterday's charts
    top = charts_of(client, ada)["Top 50: Global"]
    assert moves(client, ada, top) == {"Down": "new", "Steady": "new", "Up": "new"}

    monkeypatch.undo()  # today
    listen(client, ada, {catalog["Up"]: 5, catalog["Fading"]: 1}, "day2", days_ago=0.1)
    rebuild(app)
    expected = {"Up": "up", "Down": "down", "Steady": "down", "Fading": "new"}
    assert songs(client, ada, top) == [("Up", 7), ("Down", 4), ("Steady", 3), ("Fading", 1)]
    assert moves(client, ada, top) == expected
    rebuild(app)  # again the same day: still measured against yesterday's chart
    assert moves(client, ada, top) == expected


def test_viral_50_ranks_the_fastest_risers_with_enough_streams_this_week(
    client: TestClient, app: App, catalog: dict[str, int]
) -> None:
    ada = sign_in(client, app, "ada@example.org")
    last_week = {catalog["Up"]: 2, catalog["Steady"]: 10, catalog["Fading"]: 10}
    listen(client, ada, last_week, "before", days_ago=10)
    this_week = {
        catalog["Up"]: 9,  # 2 -> 9: the fastest riser
        catalog["Steady"]: 11,  # 10 -> 11: rising a little
        catalog["Fading"]: 6,  # 10 -> 6: falling, never viral
        catalog["Down"]: 4,  # new, but under the minimum of 5: one fan is not viral
    }
    listen(client, ada, this_week, "now", days_ago=2)
    rebuild(app)
    viral = charts_of(client, ada)["Viral 50: Global"]
    assert songs(client, ada, viral) == [("Up", 9), ("Steady", 11)]
    top = charts_of(client, ada)["Top 50: Global"]  # the Top 50 counts this week only
    assert songs(client, ada, top) == [("Steady", 11), ("Up", 9), ("Fading", 6), ("Down", 4)]


def test_a_listener_who_cannot_hear_the_top_songs_still_gets_fifty(
    client: TestClient, app: App
) -> None:
    _, japan = put_release(
        app, "Tokyo Hits", ["Ken"], [f"JP {n}" for n in range(15)], territories=("JP",)
    )
    _, everywhere = put_release(app, "World Hits", ["Ava"], [f"World {n}" for n in range(55)])
    ada = sign_in(client, app, "ada@example.org", country="JP")
    for start in range(0, 70, 20):  # one stream each: ties rank in catalog order, Japan's first
        batch = (japan + everywhere)[start : start + 20]
        # one listener, one stream at a time: each batch in the 20 minutes before the last
        listen(client, ada, dict.fromkeys(batch, 1), f"b{start}", days_ago=1 + start / 1440)
    rebuild(app)
    bea = sign_in(client, app, "bea@example.org", country="US")
    top = charts_of(client, bea)["Top 50: Global"]
    shown = songs(client, bea, top)
    assert [title for title, _ in shown] == [f"World {n}" for n in range(50)]
    japanese = songs(client, ada, charts_of(client, ada)["Top 50: Global"])
    assert [title for title, _ in japanese[:16]] == [*(f"JP {n}" for n in range(15)), "World 0"]
    assert len(japanese) == 50
