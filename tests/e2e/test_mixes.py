"""Made for you through HTTP: Radio (Premium), Daily Mixes (every plan) and the Duo Mix, each
from what the listener may see, and each playable through the player."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_listening import play
from tests.e2e.test_plan_members import accept, invite
from tests.fixtures.catalog import put_release


def small_catalog(app: App) -> dict[str, list[int]]:
    """Two electronic artists, a pop one, and electronic songs the listeners cannot hear."""
    _, discovery = put_release(
        app,
        "Discovery",
        ["Daft Punk"],
        ["One More Time", "Aerodynamic", "Digital Love"],
        genres=["Electronic"],
    )
    _, ram = put_release(
        app,
        "Random Access Memories",
        ["Daft Punk"],
        ["Get Lucky", "Instant Crush"],
        genres=["Electronic"],
    )
    _, cross = put_release(
        app, "Cross", ["Justice"], ["Genesis", "D.A.N.C.E."], genres=["Electronic"]
    )
    _, japan = put_release(
        app, "Tokyo Only", ["Justice"], ["Far East"], genres=["Electronic"], territories=("JP",)
    )
    _, future = put_release(
        app,
        "Next Week",
        ["Justice"],
        ["Not Yet"],
        genres=["Electronic"],
        released=datetime.now(UTC) + timedelta(days=7),
    )
    _, pop = put_release(
        app, "Lemonade", ["Beyonce"], ["Formation", "Sorry", "Hold Up"], genres=["Pop"]
    )
    hidden = japan + future
    return {"daft": discovery + ram, "justice": cross, "hidden": hidden, "pop": pop}


def listen(
    client: TestClient,
    who: dict[str, str],
    tracks: list[int],
    tag: str,
    days_ago: int = 1,
    now: datetime | None = None,
) -> None:
    """Counted plays (45 s each) of these tracks, a day ago (mixes are made of the days before)."""
    start = (now or datetime.now(UTC)) - timedelta(days=days_ago, minutes=len(tracks))
    events: list[dict[str, Any]] = []
    for n, track in enumerate(tracks):
        events += play(track, f"{tag}-{n}", 45, start + timedelta(minutes=n))
    answer = post_events(client, who, events)
    assert answer.json()["rejected"] == []


def ids(tracks: list[dict[str, Any]]) -> list[int]:
    return [t["id"] for t in tracks]


def test_radio_is_premium_and_plays_its_seed_then_its_artist_and_genre(
    client: TestClient, app: App
) -> None:
    songs = small_catalog(app)
    seed = songs["daft"][0]
    free = sign_in(client, app, "free@example.org")
    refused = client.get(f"/api/v1/me/radio?track_id={seed}", headers=free)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "premium_required"
    context = {"context": {"kind": "radio", "id": seed}}
    assert client.put("/api/v1/me/player/play", json=context, headers=free).status_code == 403

    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    station = client.get(f"/api/v1/me/radio?track_id={seed}", headers=ada).json()
    assert station["name"] == "One More Time Radio"
    played = ids(station["tracks"])
    assert played[0] == seed and len(played) == len(set(played))
    assert set(played) <= set(songs["daft"] + songs["justice"])  # its artist and its genre
    assert not set(played) & set(songs["pop"] + songs["hidden"])  # not pop, nothing hidden
    artists = [t["artists"][0]["name"] for t in station["tracks"]]
    # Never one artist twice in a row: Daft Punk and Justice take turns while both last.
    assert artists[:5] == ["Daft Punk", "Justice", "Daft Punk", "Justice", "Daft Punk"]
    assert station["basis"] == "popular"  # no model trained yet

    by_artist = client.get(
        f"/api/v1/me/radio?artist_id={station['tracks'][0]['artists'][0]['id']}", headers=ada
    )
    assert by_artist.json()["name"] == "Daft Punk Radio"
    assert (
        client.get("/api/v1/me/radio", headers=ada).json()["error"]["code"] == "radio_seed_required"
    )

    started = client.put("/api/v1/me/player/play", json=context, headers=ada).json()
    assert started["context"] == {"kind": "radio", "id": seed}
    assert started["track_id"] == seed


def test_daily_mixes_follow_the_genres_played_most(
    client: TestClient, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Today" must stay one day for the whole test, even one run across midnight: the app's
    # clock moves as the real one does, from today's noon.
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    real_start = datetime.now(UTC)
    monkeypatch.setattr(app.clock, "now", lambda: noon + (datetime.now(UTC) - real_start))
    songs = small_catalog(app)
    ada = sign_in(client, app, "ada@example.org")  # Free: Daily Mixes are on every plan
    assert client.get("/api/v1/me/daily-mixes", headers=ada).json() == []  # nothing played yet
    one_more_time, aerodynamic = songs["daft"][:2]
    listen(client, ada, [one_more_time] * 3 + [aerodynamic] + songs["pop"][:3], "ada", now=noon)

    mixes = client.get("/api/v1/me/daily-mixes", headers=ada).json()
    assert [(m["name"], m["genre"]) for m in mixes] == [
        ("Daily Mix 1", "electronic"),
        ("Daily Mix 2", "pop"),
    ]
    electronic = ids(mixes[0]["tracks"])
    assert electronic[0] == one_more_time and aerodynamic in electronic  # favourites
    assert set(songs["justice"]) <= set(electronic)  # and songs new to her, of that genre
    assert not set(electronic) & set(songs["hidden"] + songs["pop"])
    assert mixes[0]["artists"][0] == "Daft Punk"
    # Today's plays shape tomorrow's mixes: today, Daily Mix 1 stays as it is.
    listen(client, ada, songs["pop"] * 3, "ada-today", days_ago=0, now=app.clock.now())
    again = client.get("/api/v1/me/daily-mixes/1", headers=ada).json()
    assert ids(again["tracks"]) == electronic
    missing = client.get("/api/v1/me/daily-mixes/3", headers=ada)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "mix_not_found"

    # A Daily Mix plays on demand even on Free: she picks its third track (after the ad break
    # her seven songs brought, empty here since no campaign runs).
    assert client.get("/api/v1/me/ad-break", headers=ada).status_code == 204
    body = {"context": {"kind": "daily_mix", "id": 1}, "offset": 2}
    started = client.put("/api/v1/me/player/play", json=body, headers=ada)
    assert started.status_code == 200, started.text
    assert started.json()["track_id"] == electronic[2]
    # The mix's own tracks only: naming any tracks "a Daily Mix" picks nothing on demand.
    smuggled = {"context": {"kind": "daily_mix"}, "track_ids": songs["pop"], "offset": 1}
    refused = client.put("/api/v1/me/player/play", json=smuggled, headers=ada)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "context_required"
    smuggled["context"] = {"kind": "daily_mix", "id": 1}
    mixed = client.put("/api/v1/me/player/play", json=smuggled, headers=ada).json()
    assert mixed["track_id"] == electronic[1]


def test_the_duo_mix_blends_both_members_and_other_plans_have_none(
    client: TestClient, app: App
) -> None:
    songs = small_catalog(app)
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_DUO)
    made = invite(client, ada)
    assert made.status_code == 201, made.text
    bo = sign_in(client, app, "bo@example.org")
    assert accept(client, bo, made.json()["token"], None).status_code == 200
    listen(client, ada, [*songs["daft"][:3], songs["justice"][0]], "ada")
    listen(client, bo, songs["pop"] + [songs["justice"][0]], "bo")

    mix = client.get("/api/v1/me/plan-mix", headers=bo).json()
    assert mix["name"] == "Duo Mix" and len(mix["members"]) == 2
    blended = ids(mix["tracks"])
    assert blended[0] == songs["justice"][0]  # what both play comes first
    # Then each member's favourites in turn (the Blend's method), and more by their artists;
    # never what the listeners cannot hear.
    assert set(songs["daft"][:3] + songs["pop"]) <= set(blended)
    assert set(blended[1:5]) & set(songs["daft"][:3]) and set(blended[1:5]) & set(songs["pop"])
    assert not set(blended) & set(songs["hidden"])
    assert len(blended) == len(set(blended))
    # Each says whose taste it comes from, as a Blend does: both members' ids and names.
    ada_id = client.get("/api/v1/me", headers=ada).json()["id"]
    whose = {t["id"]: t["from_member"] for t in mix["tracks"]}
    assert {m["display_name"] for m in whose.values()} == set(mix["members"])
    assert all(whose[t]["id"] == ada_id for t in songs["daft"][:3])
    assert all(whose[t]["id"] != ada_id for t in songs["pop"])
    started = client.put(
        "/api/v1/me/player/play", json={"context": {"kind": "plan_mix"}}, headers=ada
    ).json()
    assert started["context"]["kind"] == "plan_mix"

    solo = sign_in(client, app, "solo@example.org", Plan.PREMIUM_INDIVIDUAL)
    refused = client.get("/api/v1/me/plan-mix", headers=solo)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "duo_or_family_required"
