"""Release Radar through HTTP: new songs (the last 14 days) of the artists the listener follows
or plays most, nothing they cannot hear, the same until the next Friday; the artists picked at
sign-up stand in for plays until there are some."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from cadenza.domain.time_zones import FRIDAY, week_start
from cadenza.services.takedowns import TakedownBy
from tests.e2e.conftest import LISTENER_PASSWORD, sign_in
from tests.e2e.test_charts import listen
from tests.fixtures.catalog import put_release

NOW = datetime.now(UTC)


def artist_of(client: TestClient, release_id: int) -> int:
    return int(client.get(f"/api/v1/releases/{release_id}").json()["artists"][0]["id"])


def radar_titles(client: TestClient, who: dict[str, str]) -> list[str]:
    answer = client.get("/api/v1/me/release-radar", headers=who)
    assert answer.status_code == 200, answer.text
    return [t["title"] for t in answer.json()["tracks"]]


@pytest.fixture
def releases(app: App) -> dict[str, int]:
    """Old and new releases of a followed artist, a played band and a stranger."""
    days = timedelta(days=1)
    found: dict[str, int] = {}
    for title, artist, songs, released, territories in (
        ("Old Album", "Followed Star", ["Old Hit"], NOW - 60 * days, ("WORLDWIDE",)),
        ("New Single", "Followed Star", ["Star A", "Star B"], NOW - 3 * days, ("WORLDWIDE",)),
        ("Next Month", "Followed Star", ["Not Out"], NOW + 30 * days, ("WORLDWIDE",)),
        ("Back Catalog", "Played Band", ["Classic"], NOW - 400 * days, ("WORLDWIDE",)),
        (
            "Fresh EP",
            "Played Band",
            ["Fresh 1", "Fresh 2", "Fresh 3"],
            NOW - 5 * days,
            ("WORLDWIDE",),
        ),
        ("Japan EP", "Played Band", ["Tokyo Mix"], NOW - 2 * days, ("JP",)),
        ("Pulled", "Played Band", ["Withdrawn"], NOW - 4 * days, ("WORLDWIDE",)),
        ("Other New", "Stranger", ["Not Mine"], NOW - 1 * days, ("WORLDWIDE",)),
    ):
        release_id, tracks = put_release(
            app, title, [artist], songs, released=released, territories=territories
        )
        found[title] = release_id
        found.update({song: track for song, track in zip(songs, tracks, strict=True)})
    return found


def test_release_radar_holds_only_new_songs_of_followed_and_played_artists_the_listener_may_hear(
    client: TestClient, app: App, releases: dict[str, int]
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.FREE, country="US")
    star = artist_of(client, releases["New Single"])
    assert client.put(f"/api/v1/me/following/artists/{star}", headers=ada).status_code == 204
    listen(client, ada, {releases["Classic"]: 3}, "old", days_ago=8)  # before the week began
    app.takedowns.take_down(releases["Pulled"], TakedownBy(admin=1), "rights dispute")

    radar = client.get("/api/v1/me/release-radar", headers=ada).json()
    assert radar["name"] == "Release Radar"
    assert datetime.fromisoformat(radar["week_of"]) == week_start(NOW, "UTC", FRIDAY)
    # Each new release's first song, then each one's second...: the followed artist first.
    assert [t["title"] for t in radar["tracks"]] == [
        "Star A",
        "Fresh 1",
        "Star B",
        "Fresh 2",
        "Fresh 3",
    ]
    # Not: an old release, a future one, the stranger's, Japan's only, the one taken down.


def test_the_radar_stays_the_same_until_the_next_friday(
    client: TestClient, app: App, releases: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = sign_in(client, app, "ada@example.org", country="US")
    star = artist_of(client, releases["New Single"])
    client.put(f"/api/v1/me/following/artists/{star}", headers=ada)
    assert radar_titles(client, ada) == ["Star A", "Star B"]

    # A single out an hour ago waits for the next radar.
    put_release(
        app, "Surprise", ["Followed Star"], ["Surprise!"], released=NOW - timedelta(hours=1)
    )
    assert radar_titles(client, ada) == ["Star A", "Star B"]

    next_friday = week_start(NOW, "UTC", FRIDAY) + timedelta(days=7, hours=1)
    monkeypatch.setattr(app.clock, "now", lambda: next_friday)
    form = {"email": "ada@example.org", "password": LISTENER_PASSWORD}
    form |= {"device_id": "device-of-ada@example.org", "device_name": "test device"}
    token = client.post("/api/v1/auth/token", json=form).json()["access_token"]
    again = {"Authorization": f"Bearer {token}"}
    assert radar_titles(client, again) == ["Surprise!", "Star A", "Star B"]


def test_a_listener_with_no_history_gets_the_new_songs_of_the_artists_they_picked(
    client: TestClient, app: App, releases: dict[str, int]
) -> None:
    bea = sign_in(client, app, "bea@example.org", country="US")
    assert radar_titles(client, bea) == []  # nothing followed, played or picked
    band = artist_of(client, releases["Fresh EP"])
    picked = client.put("/api/v1/me/taste-picks", json={"artist_ids": [band]}, headers=bea)
    assert picked.status_code == 200, picked.text
    # The band's two new releases, the newest first (Japan's is not for her).
    assert radar_titles(client, bea) == ["Withdrawn", "Fresh 1", "Fresh 2", "Fresh 3"]

    # On demand on every plan (Free here), in its own order.
    started = client.put(
        "/api/v1/me/player/play",
        json={"context": {"kind": "release_radar"}, "offset": 1},
        headers=bea,
    )
    assert started.status_code == 200, started.text
    assert started.json()["context"] == {"kind": "release_radar", "id": None}
    assert started.json()["track_id"] == releases["Fresh 1"]
