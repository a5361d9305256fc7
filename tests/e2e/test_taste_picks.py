"""Cold start and time zone through HTTP: a new listener picks artists they like from their
country's most played (or by name), only ones they may hear; the web player saves the
browser's time zone, checked against the IANA list."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.conftest import sign_in
from tests.e2e.test_charts import listen
from tests.fixtures.catalog import put_release


def names(answer: list[dict[str, object]]) -> list[object]:
    return [a["name"] for a in answer]


def test_new_listeners_pick_from_their_countrys_most_played_artists(
    client: TestClient, app: App
) -> None:
    _, beyonce = put_release(app, "Lemonade", ["Beyoncé"], ["Formation"])
    _, daft = put_release(app, "Discovery", ["Daft Punk"], ["One More Time"])
    put_release(app, "Chanson", ["Édith Piaf"], ["La Vie en rose"])
    put_release(app, "Tokyo", ["Kyary"], ["PonPon"], territories=("JP",))
    fan = sign_in(client, app, "fan@example.org", country="FR")
    listen(client, fan, {daft[0]: 3}, "fr")
    us_fan = sign_in(client, app, "usfan@example.org", country="US")
    listen(client, us_fan, {beyonce[0]: 5}, "us")
    app.search.roll_up_popularity(app.clock.now())

    new = sign_in(client, app, "new@example.org", country="FR")
    offered = client.get("/api/v1/onboarding/artists", headers=new).json()
    # France's most played first, then everywhere's, then by name; not Japan's only artist.
    assert names(offered) == ["Daft Punk", "Beyoncé", "Édith Piaf"]
    page = client.get("/api/v1/onboarding/artists?limit=1&offset=1", headers=new).json()
    assert names(page) == ["Beyoncé"]
    found = client.get("/api/v1/onboarding/artists?q=edith", headers=new).json()
    assert names(found) == ["Édith Piaf"]
    assert client.get("/api/v1/onboarding/artists?q=kyary", headers=new).json() == []
    assert client.get("/api/v1/onboarding/artists").status_code == 401

    ids = [int(str(a["id"])) for a in offered]
    kept = client.put("/api/v1/me/taste-picks", json={"artist_ids": ids}, headers=new)
    assert kept.status_code == 200
    assert names(kept.json()["artists"]) == ["Daft Punk", "Beyoncé", "Édith Piaf"]
    assert names(client.get("/api/v1/me/taste-picks", headers=new).json()["artists"]) == [
        "Daft Punk",
        "Beyoncé",
        "Édith Piaf",
    ]
    # Picks replace the earlier ones; the recommendation side reads them by id.
    client.put("/api/v1/me/taste-picks", json={"artist_ids": [ids[2]]}, headers=new)
    account = client.get("/api/v1/me", headers=new).json()
    assert app.taste_picks.picked_artists(account["id"]) == [ids[2]]


def test_taste_picks_are_one_to_ten_artists_the_listener_may_hear(
    client: TestClient, app: App
) -> None:
    release, _ = put_release(app, "Tokyo", ["Kyary"], ["PonPon"], territories=("JP",))
    japan_only = int(
        client.get(f"/api/v1/releases/{release}?country=JP").json()["artists"][0]["id"]
    )
    ada = sign_in(client, app, "ada@example.org", country="FR")
    hidden = client.put("/api/v1/me/taste-picks", json={"artist_ids": [japan_only]}, headers=ada)
    assert hidden.status_code == 404  # as for an artist that does not exist: nothing leaks
    none = client.put("/api/v1/me/taste-picks", json={"artist_ids": []}, headers=ada)
    assert none.status_code == 422
    many = client.put(
        "/api/v1/me/taste-picks", json={"artist_ids": list(range(1, 12))}, headers=ada
    )
    assert many.status_code == 422
    assert client.get("/api/v1/me/taste-picks", headers=ada).json() == {"artists": []}


def test_the_time_zone_is_saved_on_the_account_and_checked(client: TestClient, app: App) -> None:
    ada = sign_in(client, app, "ada@example.org")
    assert client.get("/api/v1/me", headers=ada).json()["time_zone"] == "UTC"
    saved = client.put("/api/v1/me/time-zone", json={"time_zone": "Europe/Paris"}, headers=ada)
    assert saved.status_code == 200 and saved.json()["time_zone"] == "Europe/Paris"
    assert client.get("/api/v1/me", headers=ada).json()["time_zone"] == "Europe/Paris"
    for wrong in ("Mars/Olympus_Mons", "../../etc/passwd"):
        refused = client.put("/api/v1/me/time-zone", json={"time_zone": wrong}, headers=ada)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "unknown_time_zone"
    nul = client.put("/api/v1/me/time-zone", json={"time_zone": "Europe/Paris\x00"}, headers=ada)
    assert nul.status_code == 422  # refused as text no database keeps, before any time zone
    assert nul.json()["error"]["fields"][0]["code"] == "invalid_unicode"
    assert client.get("/api/v1/me", headers=ada).json()["time_zone"] == "Europe/Paris"
