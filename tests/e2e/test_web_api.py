"""The Spotify-shaped API under /v1: Spotify's objects, ids, URIs and paging; its error shape;
the catalog's visibility, per-object authorization and the plan's rules, as a Web API app
meets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.api.app_caller import AppCaller, app_caller, catalog_caller
from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from cadenza.services.takedowns import TakedownBy
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_listening import play
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver


def tracks_of(client: TestClient, album: int, who: dict[str, str]) -> list[str]:
    found = client.get(f"/v1/albums/{album}/tracks", headers=who).json()
    return [t["id"] for t in found["items"]]


def error_of(answer: object) -> dict[str, object]:
    body = answer.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == answer.status_code  # type: ignore[attr-defined]
    return body["error"]  # type: ignore[no-any-return]


def test_catalog_objects_have_spotify_shapes_and_hide_what_is_not_out(
    client: TestClient, app: App, published: int, tmp_path: Path
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    album = client.get(f"/v1/albums/{published}", headers=ada).json()
    base = "http://testserver"
    assert album["id"] == str(published) and album["type"] == "album"
    assert album["uri"] == f"cadenza:album:{published}"
    assert album["href"] == f"{base}/v1/albums/{published}"
    assert album["external_urls"] == {"cadenza": f"{base}/release/{published}"}
    assert album["name"] == "Night Drive" and album["total_tracks"] == 3
    assert album["artists"][0]["name"] == "The Testers" and album["artists"][0]["type"] == "artist"
    assert [i["width"] for i in album["images"]] == [640, 300, 64]
    assert client.get(album["images"][0]["url"].removeprefix(base)).status_code == 200
    assert album["external_ids"] == {"upc": "123456789012"}
    assert [c["type"] for c in album["copyrights"]] == ["C", "P"]
    tracks = album["tracks"]
    assert (tracks["total"], tracks["limit"], tracks["offset"], tracks["next"]) == (3, 50, 0, None)
    assert [t["track_number"] for t in tracks["items"]] == [1, 2, 3]

    first, second, _ = [t["id"] for t in tracks["items"]]
    track = client.get(f"/v1/tracks/{first}", headers=ada).json()
    assert track["uri"] == f"cadenza:track:{first}" and track["name"] == "Song 1"
    assert track["album"]["id"] == str(published) and track["album"]["total_tracks"] == 3
    assert track["external_ids"] == {"isrc": "QZTST2600001"}
    assert track["duration_ms"] > 1000 and track["is_local"] is False
    # A page of one, with the next page's address; spotify: URIs are understood too.
    paged = client.get(f"/v1/albums/{published}/tracks?limit=1&offset=1", headers=ada).json()
    assert [t["id"] for t in paged["items"]] == [second]
    assert paged["next"].endswith("offset=2&limit=1") and paged["previous"].endswith(
        "offset=0&limit=1"
    )
    several = client.get(f"/v1/tracks?ids=spotify:track:{second},999999", headers=ada).json()
    assert several["tracks"][0]["id"] == second and several["tracks"][1] is None

    artist_id = album["artists"][0]["id"]
    artist = client.get(f"/v1/artists/{artist_id}", headers=ada).json()
    assert artist["name"] == "The Testers" and artist["followers"]["total"] >= 0
    albums = client.get(f"/v1/artists/{artist_id}/albums", headers=ada).json()
    assert [(a["id"], a["album_group"]) for a in albums["items"]] == [(str(published), "single")]
    none = client.get(f"/v1/artists/{artist_id}/albums?include_groups=appears_on", headers=ada)
    assert none.json()["items"] == [] and none.json()["total"] == 0

    found = client.get("/v1/search?q=night drive&type=album,track", headers=ada).json()
    assert found["albums"]["items"][0]["id"] == str(published)
    assert {t["id"] for t in found["tracks"]["items"]} == {first, second, tracks["items"][2]["id"]}
    assert "artists" not in found

    # A release dated next year is not there for listeners: 404, and not found by search.
    later = make_release(
        tmp_path / "later",
        title="Later Album",
        upc="123456789029",
        isrc_prefix="QZLAT26",
        extra={"release_date": f"{datetime.now(UTC).year + 1}-01-01"},
    )
    hidden = deliver(app, later).release_id
    missing = client.get(f"/v1/albums/{hidden}", headers=ada)
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    searched = client.get("/v1/search?q=later album&type=album", headers=ada).json()
    assert searched["albums"]["items"] == []
    releases = client.get("/v1/browse/new-releases", headers=ada).json()["albums"]["items"]
    assert [a["id"] for a in releases] == [str(published)]

    # A release for France only: there for a listener in France, not for one in the US.
    french = make_release(
        tmp_path / "french",
        title="Chansons",
        upc="123456789036",
        isrc_prefix="QZFRA26",
        extra={"territories": ["FR"]},
    )
    chansons = deliver(app, french).release_id
    marie = sign_in(client, app, "marie@example.org", Plan.PREMIUM_INDIVIDUAL, country="FR")
    seen_in_france = client.get(f"/v1/albums/{chansons}", headers=marie).json()
    assert seen_in_france["available_markets"] == ["FR"]
    assert client.get(f"/v1/albums/{chansons}?market=FR", headers=ada).status_code == 404
    # Taken down: gone at once, from every read and from search.
    app.takedowns.take_down(published, TakedownBy(admin=1), "rights dispute")
    for path in (f"/v1/albums/{published}", f"/v1/tracks/{first}", f"/v1/artists/{artist_id}"):
        assert client.get(path, headers=ada).status_code == 404, path
    gone = client.get("/v1/search?q=night drive&type=album,track", headers=ada).json()
    assert gone["albums"]["items"] == [] and gone["tracks"]["items"] == []

    # Errors in Spotify's shape: bad ids, bad parameters, no token, unknown paths.
    bad = client.get("/v1/tracks/not-an-id", headers=ada)
    assert (
        client.get(f"/v1/albums/{published}", headers={"Authorization": "Bearer x"}).status_code
        == 401
    )
    assert bad.status_code == 400 and error_of(bad)["code"] == "invalid_id"
    too_big = client.get("/v1/search?q=x&type=track&limit=51", headers=ada)
    assert too_big.status_code == 400 and "limit" in str(error_of(too_big)["message"])
    anonymous = client.get(f"/v1/albums/{published}")
    assert anonymous.status_code == 401 and error_of(anonymous)["code"] == "authentication_required"
    unknown = client.get("/v1/no-such-thing", headers=ada)
    assert unknown.status_code == 404 and error_of(unknown)["message"] == "Service not found"


def test_profile_library_and_playlists_per_listener(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL, country="GB")
    bob = sign_in(client, app, "bob@example.org", Plan.FREE)
    me = client.get("/v1/me", headers=ada).json()
    assert (me["type"], me["country"], me["product"], me["email"]) == (
        "user",
        "GB",
        "premium",
        "ada@example.org",
    )
    assert me["uri"] == f"cadenza:user:{me['id']}"
    assert client.get("/v1/me", headers=bob).json()["product"] == "free"
    first, second, third = tracks_of(client, published, ada)

    # Liked songs: save, contains, list newest first, remove; an unknown track saves nothing.
    assert client.put(f"/v1/me/tracks?ids={first},{third}", headers=ada).status_code == 200
    refused = client.put(f"/v1/me/tracks?ids={second},999999", headers=ada)
    assert refused.status_code == 404
    contains = client.get(f"/v1/me/tracks/contains?ids={first},{second},{third}", headers=ada)
    assert contains.json() == [True, False, True]
    saved = client.get("/v1/me/tracks", headers=ada).json()
    assert saved["total"] == 2 and {s["track"]["id"] for s in saved["items"]} == {first, third}
    assert client.delete(f"/v1/me/tracks?ids={first}", headers=ada).status_code == 200
    assert client.get(
        f"/v1/me/library/contains?uris=cadenza:track:{first}", headers=ada
    ).json() == [False]
    assert client.get("/v1/me/tracks", headers=bob).json()["total"] == 0

    # A private playlist: its owner edits it against snapshots; to anyone else it does not exist.
    created = client.post(
        f"/v1/users/{me['id']}/playlists", json={"name": "Mine", "public": False}, headers=ada
    )
    assert created.status_code == 201
    playlist = created.json()
    assert playlist["public"] is False and playlist["owner"]["id"] == me["id"]
    pid = playlist["id"]
    uris = [f"cadenza:track:{t}" for t in (first, second, third)]
    added = client.post(f"/v1/playlists/{pid}/tracks", json={"uris": uris}, headers=ada).json()
    moved = client.put(
        f"/v1/playlists/{pid}/items",
        json={"range_start": 2, "insert_before": 0, "snapshot_id": added["snapshot_id"]},
        headers=ada,
    )
    assert moved.status_code == 200
    stale = client.put(
        f"/v1/playlists/{pid}/tracks",
        json={"range_start": 0, "insert_before": 2, "snapshot_id": added["snapshot_id"]},
        headers=ada,
    )
    assert stale.status_code == 409 and error_of(stale)["code"] == "snapshot_stale"
    listed = client.get(f"/v1/playlists/{pid}/tracks", headers=ada).json()
    assert [i["track"]["id"] for i in listed["items"]] == [third, first, second]
    assert listed["items"][0]["added_by"]["id"] == me["id"]
    removed = client.request(
        "DELETE",
        f"/v1/playlists/{pid}/tracks",
        json={"tracks": [{"uri": uris[0]}], "snapshot_id": moved.json()["snapshot_id"]},
        headers=ada,
    )
    assert removed.status_code == 200
    renamed = client.put(f"/v1/playlists/{pid}", json={"name": "Renamed"}, headers=ada)
    assert renamed.status_code == 200
    full = client.get(f"/v1/playlists/{pid}", headers=ada).json()
    assert full["name"] == "Renamed" and full["tracks"]["total"] == 2
    assert [i["track"]["id"] for i in full["items"]["items"]] == [third, second]
    mine = client.get("/v1/me/playlists", headers=ada).json()
    assert [p["id"] for p in mine["items"]] == [pid] and mine["items"][0]["tracks"]["total"] == 2

    for path in (f"/v1/playlists/{pid}", f"/v1/playlists/{pid}/tracks"):
        assert client.get(path, headers=bob).status_code == 404
    grab = client.post(f"/v1/playlists/{pid}/tracks", json={"uris": uris}, headers=bob)
    assert grab.status_code == 404
    others = client.post(f"/v1/users/{me['id']}/playlists", json={"name": "x"}, headers=bob)
    assert others.status_code == 403
    assert client.get("/v1/me/playlists", headers=bob).json()["total"] == 0


def test_player_holds_the_plan_rules_and_history_feeds_top_items(
    client: TestClient, app: App, published: int
) -> None:
    free = sign_in(client, app, "free@example.org", Plan.FREE)
    first, second, third = tracks_of(client, published, free)
    # No device plays yet: Spotify's answer.
    idle = client.put("/v1/me/player/play", json={"uris": [f"cadenza:track:{first}"]}, headers=free)
    assert idle.status_code == 404 and error_of(idle)["reason"] == "NO_ACTIVE_DEVICE"
    assert client.get("/v1/me/player", headers=free).status_code == 204
    device = client.post(
        "/api/v1/me/devices", json={"name": "Kitchen", "type": "speaker"}, headers=free
    ).json()["id"]
    assert (
        client.get("/v1/me/player/devices", headers=free).json()["devices"][0]["name"] == "Kitchen"
    )

    # Free: an album plays shuffled; picking a track, going back and unshuffling need Premium.
    album = {"context_uri": f"cadenza:album:{published}"}
    started = client.put(f"/v1/me/player/play?device_id={device}", json=album, headers=free)
    assert started.status_code == 204
    state = client.get("/v1/me/player", headers=free).json()
    assert state["is_playing"] is True and state["shuffle_state"] is True
    assert state["device"]["id"] == device and state["device"]["type"] == "Speaker"
    assert state["context"]["uri"] == f"cadenza:album:{published}"
    assert state["actions"]["disallows"]["skipping_prev"] is True
    for refused in (
        client.put("/v1/me/player/play", json={"uris": [f"cadenza:track:{first}"]}, headers=free),
        client.post("/v1/me/player/previous", headers=free),
        client.put("/v1/me/player/shuffle?state=false", headers=free),
        client.post(f"/v1/me/player/queue?uri=cadenza:track:{second}", headers=free),
    ):
        assert refused.status_code == 403
        assert error_of(refused)["reason"] == "PREMIUM_REQUIRED"
    # Six skips an hour, then Premium is needed (the album repeats: it has only three songs).
    assert client.put("/v1/me/player/repeat?state=context", headers=free).status_code == 204
    for _ in range(6):
        skipped = client.post("/v1/me/player/next", headers=free)
        assert skipped.status_code == 204, skipped.text
    seventh = client.post("/v1/me/player/next", headers=free)
    assert seventh.status_code == 403 and error_of(seventh)["code"] == "skip_limit_reached"

    # Premium: on demand, queue, seek, volume, repeat, pause.
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    client.post("/api/v1/me/devices", json={"name": "Desk", "type": "desktop"}, headers=ada)
    desk = client.get("/v1/me/player/devices", headers=ada).json()["devices"][0]["id"]
    body = {
        "context_uri": f"cadenza:album:{published}",
        "offset": {"uri": f"cadenza:track:{second}"},
    }
    assert (
        client.put(f"/v1/me/player/play?device_id={desk}", json=body, headers=ada).status_code
        == 204
    )
    assert (
        client.post(f"/v1/me/player/queue?uri=cadenza:track:{first}", headers=ada).status_code
        == 204
    )
    for command in (
        "seek?position_ms=700",
        "volume?volume_percent=40",
        "repeat?state=context",
        "pause",
    ):
        assert client.put(f"/v1/me/player/{command}", headers=ada).status_code == 204
    state = client.get("/v1/me/player", headers=ada).json()
    assert state["item"]["id"] == second and state["is_playing"] is False
    assert 700 <= state["progress_ms"] < 5000  # paused just after the seek
    assert (state["repeat_state"], state["shuffle_state"]) == ("context", False)
    queue = client.get("/v1/me/player/queue", headers=ada).json()
    assert queue["currently_playing"]["id"] == second and queue["queue"][0]["id"] == first
    playing = client.get("/v1/me/player/currently-playing", headers=ada).json()
    assert playing["item"]["id"] == second and playing["currently_playing_type"] == "track"
    # Playing on another device moves playback there: one stream per person.
    phone = client.post(
        "/api/v1/me/devices", json={"name": "Phone", "type": "phone"}, headers=ada
    ).json()["id"]
    there = {"uris": [f"cadenza:track:{first}"]}
    assert (
        client.put(f"/v1/me/player/play?device_id={phone}", json=there, headers=ada).status_code
        == 204
    )
    active = {
        d["name"]: d["is_active"]
        for d in client.get("/v1/me/player/devices", headers=ada).json()["devices"]
    }
    assert active == {"Desk": False, "Phone": True}
    state = client.get("/v1/me/player", headers=ada).json()
    assert (state["device"]["type"], state["item"]["id"], state["is_playing"]) == (
        "Smartphone",
        first,
        True,
    )

    # History: what was heard, newest first with cursors; and the top items it makes.
    start = datetime.now(UTC) - timedelta(hours=3)
    events = play(int(first), "a", 45, start) + play(
        int(second), "b", 45, start + timedelta(minutes=5)
    )
    events += play(int(second), "c", 45, start + timedelta(minutes=10))
    assert post_events(client, ada, events).status_code == 200
    recent = client.get("/v1/me/player/recently-played?limit=2", headers=ada).json()
    assert [i["track"]["id"] for i in recent["items"]] == [second, second]
    older = client.get(
        f"/v1/me/player/recently-played?before={recent['cursors']['before']}", headers=ada
    )
    assert [i["track"]["id"] for i in older.json()["items"]] == [first]
    top = client.get("/v1/me/top/tracks?time_range=short_term", headers=ada).json()
    assert [t["id"] for t in top["items"]] == [second, first]
    # Counted streams make a track popular: 2 streams are 10, 1 is 6, none is 0.
    assert [t["popularity"] for t in top["items"]] == [10, 6]
    assert client.get(f"/v1/tracks/{third}", headers=ada).json()["popularity"] == 0
    artists = client.get("/v1/me/top/artists", headers=ada).json()["items"]
    assert [a["name"] for a in artists] == ["The Testers"]
    recs = client.get(f"/v1/recommendations?seed_tracks={first}&limit=5", headers=ada).json()
    assert recs["seeds"][0]["type"] == "TRACK" and recs["seeds"][0]["id"] == first
    assert first not in {t["id"] for t in recs["tracks"]}
    too_many = client.get("/v1/recommendations?seed_genres=a,b,c,d,e,f", headers=ada)
    assert too_many.status_code == 400 and error_of(too_many)["code"] == "invalid_seeds"


def test_the_schema_documents_the_web_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/v1/me/player/next"]["post"]
    assert operation["tags"] == ["web-api"]
    assert operation["responses"]["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WebApiError"
    }
    assert (
        "/v1/playlists/{id}/items" in schema["paths"] and "/v1/recommendations" in schema["paths"]
    )


def test_an_app_gets_only_what_its_scopes_allow(
    client: TestClient, app: App, published: int
) -> None:
    """An app's token (as OAuth will issue) with some scopes: each route asks for Spotify's."""
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    me = client.get("/v1/me", headers=ada).json()
    private = client.post("/v1/me/playlists", json={"name": "Secret", "public": False}, headers=ada)
    secret = private.json()["id"]
    granted = frozenset({"user-read-private", "playlist-modify-public"})
    api = client.app  # type: ignore[attr-defined]
    caller = AppCaller(int(me["id"]), granted, "an-app")
    api.dependency_overrides[app_caller] = lambda: caller
    api.dependency_overrides[catalog_caller] = lambda: caller
    try:
        profile = client.get("/v1/me").json()
        assert profile["country"] == "US" and profile["email"] is None
        assert client.get(f"/v1/albums/{published}").status_code == 200  # no scope needed
        for refused in (
            client.get("/v1/me/tracks"),
            client.get("/v1/me/player"),
            client.put("/v1/me/player/pause"),
            client.get("/v1/me/top/tracks"),
            client.get("/v1/me/player/recently-played"),
            client.post("/v1/me/playlists", json={"name": "Hidden", "public": False}),
        ):
            assert refused.status_code == 403
            assert error_of(refused)["code"] == "insufficient_scope"
        # A private playlist of the listener's own: not there for an app without the scope.
        assert client.get(f"/v1/playlists/{secret}").status_code == 404
        made = client.post("/v1/me/playlists", json={"name": "Shared"})
        assert made.status_code == 201 and made.json()["public"] is True
    finally:
        api.dependency_overrides.clear()
    names = [p["name"] for p in client.get("/v1/me/playlists", headers=ada).json()["items"]]
    assert sorted(names) == ["Secret", "Shared"]


def test_odd_input_gets_a_4xx_in_spotify_shape(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    first = tracks_of(client, published, ada)[0]
    odd = [
        ("GET", "/v1/tracks/spotify:album:1", None),
        ("GET", "/v1/tracks/99999999999999", None),
        ("GET", "/v1/tracks?ids=" + ",".join(["1"] * 51), None),
        ("GET", "/v1/search?q=%00x&type=episode", None),
        ("GET", "/v1/search?q=x&type=track&offset=1001", None),
        ("GET", f"/v1/artists/{first}/albums?include_groups=nonsense", None),
        ("GET", "/v1/me/top/podcasts", None),
        ("GET", "/v1/me/top/tracks?time_range=forever", None),
        ("GET", "/v1/me/player/recently-played?after=1&before=2", None),
        ("GET", "/v1/recommendations", None),
        ("GET", "/v1/recommendations?seed_genres=%22", None),
        ("GET", "/v1/albums/1/tracks?market=XX", None),
        ("PUT", "/v1/me/player/play", {"context_uri": "spotify:show:1"}),
        ("PUT", "/v1/me/player/play", '{"uris": ["cadenza:track:\\ud800"]}'),
        ("PUT", "/v1/me/player/volume?volume_percent=101", None),
        ("PUT", "/v1/me/player", {"device_ids": ["a", "b"]}),
        ("POST", "/v1/me/playlists", {"name": "x", "public": "yes"}),
        ("POST", "/v1/me/playlists", {"name": "x", "public": True, "collaborative": True}),
        ("PUT", "/v1/me/library?uris=cadenza:playlist:1", None),
        ("DELETE", "/v1/playlists/1/tracks", {"tracks": []}),
    ]
    huge = client.post("/v1/me/playlists", content=b"x" * (2 << 20), headers=ada)
    assert huge.status_code == 413 and error_of(huge)["code"] == "request_too_large"
    for method, path, body in odd:
        if isinstance(body, str):  # sent as written: JSON text with a lone surrogate
            sent = ada | {"content-type": "application/json"}
            answer = client.request(method, path, content=body.encode(), headers=sent)
        else:
            answer = client.request(method, path, json=body, headers=ada)
        assert 400 <= answer.status_code < 500, (path, answer.text)
        assert error_of(answer)["message"], path
