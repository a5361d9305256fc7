"""Playlists through HTTP: create and change, add, remove and reorder against snapshots,
privacy, sharing and collaboration, visibility of their tracks, and playing them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from cadenza.adapters.db.models import ReleaseRow
from cadenza.adapters.db.models_collection import PlaylistInviteRow
from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import KEY, sign_in
from tests.e2e.test_races import at_once, client_of
from tests.fixtures.catalog import put_release

SONGS = ["One", "Two", "Three", "Four"]


def songs(app: App, title: str = "Four Songs", **options: Any) -> list[int]:
    _, tracks = put_release(app, title, ["The Players"], list(SONGS), **options)
    return tracks


def create(client: TestClient, who: dict[str, str], **body: Any) -> Any:
    answer = client.post("/api/v1/me/playlists", json={"name": "Road trip"} | body, headers=who)
    assert answer.status_code == 201, answer.text
    return answer.json()


def add(client: TestClient, who: dict[str, str], playlist: int, **body: Any) -> Any:
    return client.post(f"/api/v1/playlists/{playlist}/tracks", json=body, headers=who)


def order(client: TestClient, who: dict[str, str] | None, playlist: int) -> list[int]:
    answer = client.get(f"/api/v1/playlists/{playlist}/tracks", headers=who or {})
    assert answer.status_code == 200, answer.text
    return [item["track"]["id"] for item in answer.json()["items"]]


def error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_a_listener_creates_renames_and_deletes_a_playlist(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    made = create(client, premium, description="  for the car ", public=False)
    assert (made["name"], made["description"], made["public"]) == (
        "Road trip",
        "for the car",
        False,
    )
    assert made["owned"] and made["editable"] and made["total"] == 0
    changed = client.patch(
        f"/api/v1/playlists/{made['id']}",
        json={"name": "Long drive", "public": True, "snapshot_id": made["snapshot_id"]},
        headers=premium,
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["public"]) == ("Long drive", True)
    assert changed.json()["snapshot_id"] != made["snapshot_id"]
    stale = client.patch(
        f"/api/v1/playlists/{made['id']}",
        json={"name": "Late", "snapshot_id": made["snapshot_id"]},
        headers=premium,
    )
    assert error(stale) == (409, "snapshot_stale")
    mine = client.get("/api/v1/me/playlists", headers=premium).json()
    assert [p["name"] for p in mine["items"]] == ["Long drive"] and mine["total"] == 1
    assert client.delete(f"/api/v1/playlists/{made['id']}", headers=premium).status_code == 204
    assert client.get(f"/api/v1/playlists/{made['id']}", headers=premium).status_code == 404


def test_bad_details_get_stable_codes(client: TestClient, premium: dict[str, str]) -> None:
    post = lambda body: client.post("/api/v1/me/playlists", json=body, headers=premium)  # noqa: E731
    assert error(post({"name": "   "})) == (422, "playlist_name_required")
    assert error(post({"name": "x" * 101})) == (422, "playlist_name_too_long")
    assert error(post({"name": "ok", "description": "d" * 301})) == (
        422,
        "playlist_description_too_long",
    )
    both = {"name": "ok", "public": True, "collaborative": True}
    assert error(post(both)) == (422, "collaborative_playlist_public")
    assert post({"name": "x" * 1000}).status_code == 422  # far too long: refused unread


def test_tracks_are_added_removed_and_reordered_against_snapshots(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    one, two, three, four = songs(app)
    made = create(client, premium)
    pid = made["id"]
    first = add(client, premium, pid, track_ids=[one, two, one])
    assert first.status_code == 201
    snapshot = first.json()["snapshot_id"]
    assert snapshot != made["snapshot_id"]
    assert add(client, premium, pid, track_ids=[three], position=1).status_code == 201
    assert order(client, premium, pid) == [one, three, two, one]
    # An edit against the snapshot before the last one is refused and changes nothing.
    late = add(client, premium, pid, track_ids=[four], snapshot_id=snapshot)
    assert error(late) == (409, "snapshot_stale")
    assert order(client, premium, pid) == [one, three, two, one]
    current = client.get(f"/api/v1/playlists/{pid}", headers=premium).json()
    assert current["total"] == 4 and len(current["tracks"]["items"]) == 4
    # Move "two" (position 2) to the top, as Spotify's range_start / insert_before do.
    moved = client.put(
        f"/api/v1/playlists/{pid}/tracks",
        json={"range_start": 2, "insert_before": 0, "snapshot_id": current["snapshot_id"]},
        headers=premium,
    )
    assert moved.status_code == 200
    assert order(client, premium, pid) == [two, one, three, one]
    # Remove the second "one" only: by its position.
    wrong = client.request(
        "DELETE",
        f"/api/v1/playlists/{pid}/tracks",
        json={"tracks": [{"track_id": one, "position": 2}]},
        headers=premium,
    )
    assert error(wrong) == (409, "track_not_at_position")
    removed = client.request(
        "DELETE",
        f"/api/v1/playlists/{pid}/tracks",
        json={"tracks": [{"track_id": one, "position": 3}]},
        headers=premium,
    )
    assert removed.status_code == 200
    assert order(client, premium, pid) == [two, one, three]
    items = client.get(f"/api/v1/playlists/{pid}/tracks", headers=premium).json()["items"]
    assert [i["position"] for i in items] == [0, 1, 2]
    assert items[0]["added_by"]["id"] == made["owner"]["id"]
    out_of_range = add(client, premium, pid, track_ids=[four], position=9)
    assert error(out_of_range) == (422, "position_out_of_range")
    unknown = add(client, premium, pid, track_ids=[999_999])
    assert unknown.status_code == 404


def test_a_private_playlist_is_invisible_to_others_and_a_public_one_is_read_only(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    one = songs(app)[0]
    other = sign_in(client, app, "other@example.org", Plan.PREMIUM_INDIVIDUAL)
    private = create(client, premium, public=False)["id"]
    add(client, premium, private, track_ids=[one])
    for who in (other, {}):
        assert error(client.get(f"/api/v1/playlists/{private}", headers=who)) == (404, "not_found")
    assert error(add(client, other, private, track_ids=[one])) == (404, "not_found")
    assert client.put(f"/api/v1/playlists/{private}/followers", headers=other).status_code == 404
    public = create(client, premium, name="Open")["id"]
    add(client, premium, public, track_ids=[one])
    assert order(client, None, public) == [one]  # anonymous listeners read public ones
    assert error(add(client, other, public, track_ids=[one])) == (403, "not_playlist_editor")
    renamed = client.patch(f"/api/v1/playlists/{public}", json={"name": "x"}, headers=other)
    assert error(renamed) == (403, "not_playlist_owner")
    assert error(client.delete(f"/api/v1/playlists/{public}", headers=other)) == (
        403,
        "not_playlist_owner",
    )
    assert client.put(f"/api/v1/playlists/{public}/followers", headers=other).status_code == 204
    seen = client.get(f"/api/v1/playlists/{public}", headers=other).json()
    assert seen["following"] and not seen["editable"] and not seen["owned"]
    library = client.get("/api/v1/me/library", headers=other).json()
    assert [(i["kind"], i["name"], i["creator"]) for i in library["items"]] == [
        ("playlist", "Open", "premium")
    ]
    assert client.delete(f"/api/v1/playlists/{public}/followers", headers=other).status_code == 204
    assert client.get("/api/v1/me/library", headers=other).json()["items"] == []


def test_an_invite_link_shares_a_private_playlist_and_lets_collaborators_edit(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    one, two = songs(app)[:2]
    friend = sign_in(client, app, "friend@example.org", Plan.PREMIUM_INDIVIDUAL)
    reader = sign_in(client, app, "reader@example.org")
    pid = create(client, premium, public=False, collaborative=True)["id"]
    add(client, premium, pid, track_ids=[one])
    refused = client.post(f"/api/v1/playlists/{pid}/invites", json={}, headers=friend)
    assert refused.status_code == 404  # not theirs to share (nor to see)
    invite = client.post(
        f"/api/v1/playlists/{pid}/invites", json={"collaborate": True}, headers=premium
    )
    assert invite.status_code == 201
    accepted = client.post(invite.json()["url"], headers=friend)
    assert accepted.status_code == 200 and accepted.json()["id"] == pid
    assert accepted.json()["editable"] is True
    assert add(client, friend, pid, track_ids=[two]).status_code == 201
    assert order(client, premium, pid) == [one, two]
    items = client.get(f"/api/v1/playlists/{pid}/tracks", headers=premium).json()["items"]
    assert items[1]["added_by"]["display_name"] == "friend"
    # A plain share link lets read, not edit.
    view_only = client.post(f"/api/v1/playlists/{pid}/invites", json={}, headers=premium).json()
    assert client.post(view_only["url"], headers=reader).status_code == 200
    assert order(client, reader, pid) == [one, two]
    assert error(add(client, reader, pid, track_ids=[one])) == (403, "not_playlist_editor")
    # The owner ends collaboration: the friend reads on but edits no more.
    client.patch(f"/api/v1/playlists/{pid}", json={"collaborative": False}, headers=premium)
    assert error(add(client, friend, pid, track_ids=[one])) == (403, "not_playlist_editor")
    bad = client.post("/api/v1/playlist-invites/not-a-real-token-at-all", headers=reader)
    assert error(bad) == (404, "invite_not_found")


def test_tracks_show_as_the_viewer_may_see_them(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    american = songs(app, "Stars and Stripes", territories=("US",))[0]
    postponed = songs(app, "Coming Back")[0]
    pid = create(client, premium, name="Mixed")["id"]
    add(client, premium, pid, track_ids=[american, postponed])
    # The release of the second track is postponed by its distributor: it is not out now.
    with app.engine.begin() as db:
        later = datetime.now(UTC) + timedelta(days=30)
        db.execute(
            update(ReleaseRow).where(ReleaseRow.title == "Coming Back").values(release_at=later)
        )
    at_home = client.get(f"/api/v1/playlists/{pid}/tracks", headers=premium).json()["items"]
    assert at_home[0]["track"]["playable"] is True and at_home[0]["track"]["title"] == "One"
    abroad = client.get(f"/api/v1/playlists/{pid}/tracks", params={"country": "GB"}).json()
    first, second = (i["track"] for i in abroad["items"])
    assert (first["playable"], first["unavailable_reason"]) == (False, "not_in_your_country")
    assert first["title"] == "One"  # greyed out, as Spotify shows it
    # Not out yet: kept in its place, but nothing of it shows.
    assert second == {
        "id": postponed,
        "playable": False,
        "unavailable_reason": "unavailable",
        "title": None,
        "artists": [],
        "featured_artists": [],
        "release": None,
        "duration_ms": None,
        "explicit": None,
        "url": None,
    }
    assert at_home[1]["track"]["title"] is None


def test_a_free_listener_plays_a_playlist_shuffled_and_premium_picks_a_track(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    tracks = songs(app)
    pid = create(client, premium)["id"]
    add(client, premium, pid, track_ids=tracks)
    free = sign_in(client, app, "free@example.org")
    client.put(f"/api/v1/playlists/{pid}/followers", headers=free)
    context = {"kind": "playlist", "id": pid}
    chosen = client.put(
        "/api/v1/me/player/play", json={"context": context, "offset": 2}, headers=free
    )
    assert error(chosen) == (403, "shuffle_only")
    started = client.put("/api/v1/me/player/play", json={"context": context}, headers=free).json()
    assert started["shuffle"] is True and started["context"] == context
    assert sorted([started["track_id"], *started["up_next"]]) == sorted(tracks)
    picked = client.put(
        "/api/v1/me/player/play", json={"context": context, "offset": 2}, headers=premium
    ).json()
    assert (picked["track_id"], picked["shuffle"]) == (tracks[2], False)
    assert picked["up_next"] == [tracks[3]]
    private = create(client, premium, name="Mine", public=False)["id"]
    add(client, premium, private, track_ids=tracks)
    other = client.put(
        "/api/v1/me/player/play",
        json={"context": {"kind": "playlist", "id": private}},
        headers=free,
    )
    assert error(other) == (404, "not_found")


def test_a_playlist_plays_around_a_track_that_cannot_play(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    one, two, three = songs(app)[:3]
    hidden = songs(app, "Soon Again")[0]
    pid = create(client, premium)["id"]
    add(client, premium, pid, track_ids=[one, hidden, two, three])
    with app.engine.begin() as db:
        later = datetime.now(UTC) + timedelta(days=30)
        db.execute(
            update(ReleaseRow).where(ReleaseRow.title == "Soon Again").values(release_at=later)
        )
    context = {"kind": "playlist", "id": pid}
    from_two = client.put(
        "/api/v1/me/player/play", json={"context": context, "offset": 2}, headers=premium
    ).json()
    assert (from_two["track_id"], from_two["up_next"]) == (two, [three])
    unplayable = client.put(
        "/api/v1/me/player/play", json={"context": context, "offset": 1}, headers=premium
    )
    assert error(unplayable) == (422, "track_unavailable")


def test_edits_at_the_same_instant_all_land_or_are_refused_as_stale(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    tracks = songs(app)
    made = create(client, premium)
    api = create_app(app)

    def add_one(n: int) -> Any:
        body = {"track_ids": [tracks[n]]}
        return client_of(api, n).post(
            f"/api/v1/playlists/{made['id']}/tracks", json=body, headers=premium
        )

    assert [a.status_code for a in at_once(4, add_one)] == [201] * 4
    assert sorted(order(client, premium, made["id"])) == sorted(tracks)
    snapshot = client.get(f"/api/v1/playlists/{made['id']}", headers=premium).json()["snapshot_id"]

    def move_top_to_end(n: int) -> Any:
        body = {"range_start": 0, "insert_before": 4, "snapshot_id": snapshot}
        return client_of(api, n).put(
            f"/api/v1/playlists/{made['id']}/tracks", json=body, headers=premium
        )

    answers = sorted(a.status_code for a in at_once(4, move_top_to_end))
    assert answers == [200, 409, 409, 409]


def test_making_a_playlist_private_takes_it_from_followers_without_an_invite(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    one = songs(app)[0]
    fan = sign_in(client, app, "fan@example.org", Plan.PREMIUM_INDIVIDUAL)
    guest = sign_in(client, app, "guest@example.org", Plan.PREMIUM_INDIVIDUAL)
    pid = create(client, premium, name="Secret songs")["id"]
    add(client, premium, pid, track_ids=[one])
    assert client.put(f"/api/v1/playlists/{pid}/followers", headers=fan).status_code == 204
    link = client.post(f"/api/v1/playlists/{pid}/invites", json={}, headers=premium).json()
    assert client.post(link["url"], headers=guest).status_code == 200
    made_private = client.patch(f"/api/v1/playlists/{pid}", json={"public": False}, headers=premium)
    assert made_private.status_code == 200
    assert error(client.get(f"/api/v1/playlists/{pid}", headers=fan)) == (404, "not_found")
    assert client.get(f"/api/v1/playlists/{pid}/tracks", headers=fan).status_code == 404
    for listing in ("/api/v1/me/playlists", "/api/v1/me/library"):
        names = [i["name"] for i in client.get(listing, headers=fan).json()["items"]]
        assert "Secret songs" not in names  # not even its name
    play = {"context": {"kind": "playlist", "id": pid}}
    assert client.put("/api/v1/me/player/play", json=play, headers=fan).status_code == 404
    # Following again is refused; made public again, the fan does not come back by itself.
    assert client.put(f"/api/v1/playlists/{pid}/followers", headers=fan).status_code == 404
    assert order(client, guest, pid) == [one]  # the invitee keeps it
    client.patch(f"/api/v1/playlists/{pid}", json={"public": True}, headers=premium)
    assert client.get(f"/api/v1/playlists/{pid}", headers=fan).json()["following"] is False


def test_a_follow_racing_the_switch_to_private_grants_nothing(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    pid = create(client, premium)["id"]
    api = create_app(app)
    fans = [sign_in(client, app, f"fan{n}@example.org") for n in range(6)]

    def act(n: int) -> Any:
        if n == 0:
            body = {"public": False}
            return client_of(api, n).patch(f"/api/v1/playlists/{pid}", json=body, headers=premium)
        return client_of(api, n).put(f"/api/v1/playlists/{pid}/followers", headers=fans[n - 1])

    at_once(6, act)
    for fan in fans:
        assert client.get(f"/api/v1/playlists/{pid}", headers=fan).status_code == 404
        assert client.get("/api/v1/me/playlists", headers=fan).json()["items"] == []


def test_the_owner_revokes_invites_and_removes_followers(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    one = songs(app)[0]
    friend = sign_in(client, app, "friend@example.org", Plan.PREMIUM_INDIVIDUAL)
    late = sign_in(client, app, "late@example.org", Plan.PREMIUM_INDIVIDUAL)
    pid = create(client, premium, public=False)["id"]
    add(client, premium, pid, track_ids=[one])
    # Collaboration needs a collaborative playlist.
    refused = client.post(
        f"/api/v1/playlists/{pid}/invites", json={"collaborate": True}, headers=premium
    )
    assert error(refused) == (409, "playlist_not_collaborative")
    client.patch(f"/api/v1/playlists/{pid}", json={"collaborative": True}, headers=premium)
    link = client.post(
        f"/api/v1/playlists/{pid}/invites", json={"collaborate": True}, headers=premium
    ).json()
    assert client.post(link["url"], headers=friend).json()["editable"] is True
    followers = client.get(f"/api/v1/playlists/{pid}/followers", headers=premium).json()
    [seen] = followers["items"]
    assert (seen["display_name"], seen["collaborator"], seen["invited"]) == ("friend", True, True)
    assert error(client.get(f"/api/v1/playlists/{pid}/followers", headers=friend)) == (
        403,
        "not_playlist_owner",
    )
    # Turning collaboration off and on again does not give the rights back.
    client.patch(f"/api/v1/playlists/{pid}", json={"collaborative": False}, headers=premium)
    client.patch(f"/api/v1/playlists/{pid}", json={"collaborative": True}, headers=premium)
    assert error(add(client, friend, pid, track_ids=[one])) == (403, "not_playlist_editor")
    # Revoked links stop working; those who joined stay until removed.
    assert client.delete(f"/api/v1/playlists/{pid}/invites", headers=friend).status_code == 403
    assert client.delete(f"/api/v1/playlists/{pid}/invites", headers=premium).status_code == 204
    assert error(client.post(link["url"], headers=late)) == (404, "invite_not_found")
    assert client.get(f"/api/v1/playlists/{pid}", headers=friend).status_code == 200
    gone = client.delete(f"/api/v1/playlists/{pid}/followers/{seen['id']}", headers=premium)
    assert gone.status_code == 204
    assert client.get(f"/api/v1/playlists/{pid}", headers=friend).status_code == 404
    assert client.get("/api/v1/me/playlists", headers=friend).json()["items"] == []


def test_an_invite_link_expires_after_30_days(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    friend = sign_in(client, app, "friend@example.org", Plan.PREMIUM_INDIVIDUAL)
    pid = create(client, premium, public=False)["id"]
    link = client.post(f"/api/v1/playlists/{pid}/invites", json={}, headers=premium).json()
    with app.engine.begin() as db:
        long_ago = datetime.now(UTC) - timedelta(days=31)
        db.execute(update(PlaylistInviteRow).values(created_at=long_ago))
    assert error(client.post(link["url"], headers=friend)) == (404, "invite_expired")
    assert client.get(f"/api/v1/playlists/{pid}", headers=friend).status_code == 404


def test_twenty_simultaneous_adds_without_a_snapshot_all_land(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    tracks = songs(app) + songs(app, "More Songs") + songs(app, "Yet More")
    made = create(client, premium)
    api = create_app(app)
    adds = 20

    def add_one(n: int) -> Any:
        body = {"track_ids": [tracks[n % len(tracks)]], "position": 0 if n % 2 else None}
        return client_of(api, n).post(
            f"/api/v1/playlists/{made['id']}/tracks", json=body, headers=premium
        )

    assert [a.status_code for a in at_once(adds, add_one)] == [201] * adds
    landed = client.get(f"/api/v1/playlists/{made['id']}/tracks", headers=premium).json()
    assert landed["total"] == adds and len(landed["items"]) == adds
    assert [i["position"] for i in landed["items"]] == list(range(adds))
    expected = sorted(tracks[n % len(tracks)] for n in range(adds))
    assert sorted(i["track"]["id"] for i in landed["items"]) == expected


def test_free_gets_a_one_track_playlist_shuffled_with_other_songs_not_on_demand(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    one, *others = songs(app)
    pid = create(client, premium)["id"]
    add(client, premium, pid, track_ids=[one, one, one])  # duplicates weigh nothing
    free = sign_in(client, app, "free@example.org")
    context = {"kind": "playlist", "id": pid}
    started = client.put("/api/v1/me/player/play", json={"context": context}, headers=free).json()
    assert started["shuffle"] is True
    heard = [started["track_id"], *started["up_next"]]
    assert sorted(heard) == sorted([one, *others])  # each once, padded with the artist's songs
    firsts = {
        client.put("/api/v1/me/player/play", json={"context": context}, headers=free).json()[
            "track_id"
        ]
        for _ in range(12)
    }
    assert firsts != {one}  # not that track on demand every time
    # Premium plays the playlist as it is.
    as_is = client.put("/api/v1/me/player/play", json={"context": context}, headers=premium).json()
    assert [as_is["track_id"], *as_is["up_next"]] == [one, one, one]


def test_free_with_nothing_to_shuffle_a_lone_liked_song_with_is_refused(
    client: TestClient, app: App
) -> None:
    _, [only] = put_release(app, "Lone Single", ["Hermit"], ["Alone"])
    free = sign_in(client, app, "free@example.org")
    assert client.put(f"/api/v1/me/tracks/{only}", headers=free).status_code == 204
    lone = client.put("/api/v1/me/player/play", json={"context": {"kind": "liked"}}, headers=free)
    assert error(lone) == (403, "shuffle_only")


def test_my_playlists_come_newest_first_in_pages_with_how_i_stand(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    other = sign_in(client, app, "other@example.org", Plan.PREMIUM_INDIVIDUAL)
    theirs = create(client, other, name="Theirs")["id"]
    hidden = create(client, other, name="Hidden", public=False)["id"]
    first = create(client, premium, name="First")["id"]
    client.put(f"/api/v1/playlists/{theirs}/followers", headers=premium)
    last = create(client, premium, name="Last")["id"]
    page = client.get("/api/v1/me/playlists", params={"limit": 2}, headers=premium).json()
    assert page["total"] == 3 and page["next"] == "/api/v1/me/playlists?limit=2&offset=2"
    rest = client.get(page["next"], headers=premium).json()
    listed = [(p["id"], p["owned"], p["following"]) for p in page["items"] + rest["items"]]
    assert listed == [(last, True, False), (theirs, False, True), (first, True, False)]
    assert hidden not in [p[0] for p in listed]


def test_the_editors_public_playlists_make_the_editorial_shelf(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    from tests.e2e.ad_helpers import operator_made

    tracks = songs(app)
    editor = operator_made(client, app, "editor@cadenza.example", "admin")
    picks = create(client, editor, name="Fresh Finds")["id"]
    assert add(client, editor, picks, track_ids=tracks[:2]).status_code == 201
    hidden = create(client, editor, name="Drafts", public=False)["id"]
    assert add(client, editor, hidden, track_ids=tracks[:1]).status_code == 201
    create(client, editor, name="Empty for now")
    mine = create(client, premium, name="My Mix")["id"]
    assert add(client, premium, mine, track_ids=tracks[:1]).status_code == 201

    shelf = client.get("/api/v1/browse/editorial-playlists").json()  # no sign-in needed
    assert [p["name"] for p in shelf] == ["Fresh Finds"]
    assert shelf[0]["total"] == 2 and shelf[0]["owned"] is False


def test_the_demo_has_an_editors_pick_on_the_home_shelf(client: TestClient, app: App) -> None:
    from cadenza.cli import demo_users

    tracks = songs(app)
    demo_users(app)
    shelf = client.get("/api/v1/browse/editorial-playlists").json()
    assert [(p["name"], p["owner"]["display_name"], p["editorial"]) for p in shelf] == [
        ("Cadenza Picks", "Cadenza Editors", True)
    ]
    assert order(client, None, shelf[0]["id"]) == tracks[:2]


def test_a_taken_down_track_stays_listed_but_no_longer_plays(
    client: TestClient, app: App, premium: dict[str, str]
) -> None:
    one, two = songs(app)[:2]
    own = app.settings.distributor_name
    withdrawn_release, (withdrawn, _) = put_release(
        app, "Withdrawn Album", ["Gone Band"], ["Gone Song", "Other"], distributor=own
    )
    pid = create(client, premium)["id"]
    add(client, premium, pid, track_ids=[one, withdrawn, two])
    assert client.put(f"/api/v1/me/tracks/{withdrawn}", headers=premium).status_code == 204

    done = client.post(f"/api/v1/distributor/releases/{withdrawn_release}/takedown", headers=KEY)
    assert done.status_code == 200, done.text
    items = client.get(f"/api/v1/playlists/{pid}/tracks", headers=premium).json()["items"]
    assert [i["track"]["id"] for i in items] == [one, withdrawn, two]  # kept in its place
    assert items[1]["track"]["playable"] is False and items[1]["track"]["title"] is None
    liked = client.get("/api/v1/me/tracks", headers=premium).json()["items"]
    assert [i["track"]["playable"] for i in liked] == [False]
    context = {"kind": "playlist", "id": pid}
    started = client.put("/api/v1/me/player/play", json={"context": context}, headers=premium)
    assert (started.json()["track_id"], started.json()["up_next"]) == (one, [two])
    refused = client.put(
        "/api/v1/me/player/play", json={"context": context, "offset": 1}, headers=premium
    )
    assert error(refused) == (422, "track_unavailable")
    from_liked = client.put(
        "/api/v1/me/player/play", json={"context": {"kind": "liked"}}, headers=premium
    )
    assert error(from_liked) == (404, "nothing_to_play")  # its only liked song is gone
