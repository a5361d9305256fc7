"""Cadenza for Artists over HTTP: a claim decided by the artist's distributor, the page the
artist then edits shown on the public artist page, and a pitch that the editors hear and
playlist on an editorial playlist (`editorial: true`, public and searchable)."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image

from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from tests.e2e.conftest import KEY
from tests.e2e.test_admin import signed_in
from tests.e2e.test_playlist_search import playlists_found
from tests.integration.test_artists import STORY, artist_of, link, upcoming


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def test_a_claim_approved_by_the_distributor_lets_the_artist_edit_the_public_page(
    accounts: TestClient, app: App
) -> None:
    release_id, (track_id, _) = upcoming(app, "Nightbus", -3, app.settings.distributor_name)
    artist = artist_of(app, release_id)
    nova = signed_in(accounts, app, "nova@example.org", Role.LISTENER)
    other = signed_in(accounts, app, "other@example.org", Role.LISTENER)

    made = accounts.post("/api/v1/me/artist-claims", json={"artist_id": artist}, headers=nova)
    assert made.status_code == 201, made.text
    claim = made.json()["id"]
    assert accounts.get("/api/v1/me/artist-claims", headers=other).json() == []
    assert accounts.get("/api/v1/admin/artist-claims", headers=other).status_code == 403
    assert (
        accounts.put(
            f"/api/v1/me/artists/{artist}/bio", json={"bio": "x"}, headers=nova
        ).status_code
        == 403
    )
    waiting = accounts.get("/api/v1/distributor/artist-claims", headers=KEY).json()
    assert [c["id"] for c in waiting] == [claim]
    decided = accounts.post(
        f"/api/v1/distributor/artist-claims/{claim}/decision", json={"approve": True}, headers=KEY
    )
    assert decided.json()["status"] == "approved"
    assert [c["status"] for c in accounts.get("/api/v1/me/artist-claims", headers=nova).json()] == [
        "approved"
    ]

    bio = accounts.put(
        f"/api/v1/me/artists/{artist}/bio", json={"bio": "Night music."}, headers=nova
    )
    assert bio.status_code == 200, bio.text
    avatar = accounts.put(
        f"/api/v1/me/artists/{artist}/images/avatar",
        files={"image": ("me.png", png((600, 600)), "image/png")},
        headers=nova,
    )
    assert avatar.status_code == 200, avatar.text
    bad = accounts.put(
        f"/api/v1/me/artists/{artist}/images/header",
        files={"image": ("x.png", b"not an image", "image/png")},
        headers=nova,
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "image_unreadable")
    pick = accounts.put(
        f"/api/v1/me/artists/{artist}/pick",
        json={"track_id": track_id, "note": "Play loud"},
        headers=nova,
    )
    assert pick.status_code == 200, pick.text
    assert (
        accounts.put(
            f"/api/v1/me/artists/{artist}/bio", json={"bio": "x"}, headers=other
        ).status_code
        == 403
    )

    page = accounts.get(f"/api/v1/artists/{artist}").json()  # anyone, signed in or not
    assert page["bio"] == "Night music."
    assert page["pick"]["note"] == "Play loud" and page["pick"]["track"]["id"] == track_id
    image = accounts.get(page["avatar_url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"


def test_a_pitch_is_heard_by_the_editors_and_lands_on_a_searchable_editorial_playlist(
    accounts: TestClient, app: App
) -> None:
    release_id, (track_id, _) = upcoming(app, "Nightbus", 10, app.settings.distributor_name)
    artist = artist_of(app, release_id)
    nova = signed_in(accounts, app, "nova@example.org", Role.LISTENER)
    listener = signed_in(accounts, app, "lee@example.org", Role.LISTENER)
    editor = signed_in(accounts, app, "editor@example.org", Role.LISTENER, Role.ADMIN)
    with app.uow() as uow:
        nova_id = uow.accounts.id_by_email("nova@example.org")
    assert nova_id is not None
    link(app, nova_id, artist)

    pitch_url = f"/api/v1/me/releases/{release_id}/pitch"
    assert accounts.get(pitch_url, headers=listener).status_code == 404
    form = accounts.get(pitch_url, headers=nova).json()
    assert form["tracks"][0]["id"] == track_id and form["pitch"] is None
    body = {"track_id": track_id, "genres": ["Synthpop"], "moods": ["Nocturnal"], "story": STORY}
    made = accounts.post(pitch_url, json=body, headers=nova)
    assert made.status_code == 201, made.text
    pitch = made.json()["id"]
    assert accounts.post(pitch_url, json=body, headers=nova).status_code == 409
    dist = accounts.get("/api/v1/distributor/pitches", headers=KEY).json()
    assert [p["id"] for p in dist] == [pitch]

    queue = "/api/v1/admin/editorial/pitches"
    assert accounts.get(queue, headers=listener).status_code == 403
    assert [p["id"] for p in accounts.get(queue, headers=editor).json()] == [pitch]
    audio = f"{queue}/{pitch}/audio"
    assert accounts.get(audio, headers=listener).status_code == 403
    assert accounts.get(audio, headers=nova).status_code == 403
    heard = accounts.get(audio, headers=editor)
    assert heard.status_code == 200 and heard.headers["content-type"].startswith("audio/ogg")
    # The listeners' own way stays closed before the release date, for everyone.
    for who in (listener, nova, editor):
        assert accounts.get(f"/api/v1/tracks/{track_id}/stream", headers=who).status_code == 404

    lists = "/api/v1/admin/editorial/playlists"
    assert accounts.post(lists, json={"name": "Fresh"}, headers=listener).status_code == 403
    made_list = accounts.post(lists, json={"name": "Fresh Finds Weekly"}, headers=editor)
    assert made_list.status_code == 201, made_list.text
    playlist = made_list.json()
    assert playlist["editorial"] is True and playlist["owner"]["display_name"] == "Cadenza Editors"
    reviewed = accounts.post(
        f"{queue}/{pitch}/review", json={"playlist_id": playlist["id"]}, headers=editor
    )
    assert reviewed.json()["playlisted"] is True

    shown = accounts.get(f"/api/v1/playlists/{playlist['id']}").json()
    assert shown["editorial"] is True and shown["public"] is True and shown["total"] == 1
    assert playlists_found(accounts, "fresh finds") == ["Fresh Finds Weekly"]
    mine = accounts.get(f"/api/v1/me/artists/{artist}/pitches", headers=nova).json()
    assert mine[0]["playlists"] == [
        {
            "playlist_id": playlist["id"],
            "name": "Fresh Finds Weekly",
            "url": f"/api/v1/playlists/{playlist['id']}",
        }
    ]
    assert accounts.get(f"/api/v1/me/artists/{artist}/pitches", headers=listener).status_code == 403


def test_only_the_releases_distributor_pitches_it_and_sees_its_coming_releases(
    accounts: TestClient, app: App
) -> None:
    release_id, (track_id, _) = upcoming(app, "Nightbus", 10, app.settings.distributor_name)
    other_label = signed_in(accounts, app, "label@example.org", Role.LISTENER, Role.DISTRIBUTOR)
    listener = signed_in(accounts, app, "lee@example.org", Role.LISTENER)
    url = f"/api/v1/distributor/releases/{release_id}/pitch"
    body = {"track_id": track_id, "genres": ["Synthpop"], "moods": [], "story": STORY}

    assert accounts.post(url, json=body, headers=listener).status_code == 403
    assert accounts.post(url, json=body, headers=other_label).status_code == 404
    assert accounts.get(url, headers=other_label).status_code == 404
    assert accounts.get("/api/v1/distributor/coming-releases", headers=other_label).json() == []
    coming = accounts.get("/api/v1/distributor/coming-releases", headers=KEY).json()
    assert [(c["release_id"], c["pitchable"], c["pitch"]) for c in coming] == [
        (release_id, True, None)
    ]
    made = accounts.post(url, json=body, headers=KEY)
    assert made.status_code == 201, made.text
    coming = accounts.get("/api/v1/distributor/coming-releases", headers=KEY).json()
    assert coming[0]["pitchable"] is False
    assert (coming[0]["pitch"]["id"], coming[0]["pitch"]["status"]) == (
        made.json()["id"],
        "pending",
    )


def test_only_admins_reorder_an_editorial_playlist(accounts: TestClient, app: App) -> None:
    _, (first, second) = upcoming(app, "Nightbus", 10, app.settings.distributor_name)
    editor = signed_in(accounts, app, "editor@example.org", Role.LISTENER, Role.ADMIN)
    listener = signed_in(accounts, app, "lee@example.org", Role.LISTENER)
    lists = "/api/v1/admin/editorial/playlists"
    playlist = accounts.post(lists, json={"name": "Fresh Finds"}, headers=editor).json()
    tracks = f"{lists}/{playlist['id']}/tracks"
    accounts.post(tracks, json={"track_ids": [first, second]}, headers=editor)

    move = f"{tracks}/{second}/position"
    assert accounts.put(move, json={"position": 0}, headers=listener).status_code == 403
    moved = accounts.put(move, json={"position": 0}, headers=editor)
    assert moved.status_code == 200, moved.text
    assert [(t["position"], t["id"]) for t in moved.json()] == [(0, second), (1, first)]
    assert [t["id"] for t in accounts.get(tracks, headers=editor).json()] == [second, first]
    assert accounts.get(tracks, headers=listener).status_code == 403
    far = accounts.put(move, json={"position": 2}, headers=editor)
    assert (far.status_code, far.json()["error"]["code"]) == (422, "position_out_of_range")
