"""Scrobbling both ways. In: a scrobbling app sends listens to Cadenza's ListenBrainz-compatible
`/1` API with the listener's token (shown once, rotated, revoked); matched listens join their
history, `playing_now` keeps nothing, ListenBrainz's limits answer 400 in its shape. Out: a
listener's plays forwarded to ListenBrainz and Last.fm (a stand-in on loopback), from an outbox
that retries a remote that is away; the token and session key never shown back nor kept plain."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from cadenza.adapters.scrobblers import HttpScrobblers
from cadenza.bootstrap import App
from cadenza.domain.events import TrackFinished
from tests.e2e.conftest import sign_in
from tests.e2e.scrobble_standin import (
    LASTFM_ALLOWED_TOKEN,
    LASTFM_KEY,
    LASTFM_SECRET,
    LASTFM_SESSION,
    LASTFM_USER,
    LB_TOKEN,
    LB_USER,
    stand_in,
)
from tests.fixtures.catalog import Song, put_release

HISTORY = "/api/v1/me/history"


def listen(
    at: int | None, artist: str = "Sigur Rós", title: str = "Hoppípolla"
) -> dict[str, object]:
    found: dict[str, object] = {
        "track_metadata": {
            "artist_name": artist,
            "track_name": title,
            "release_name": "Takk...",
            "additional_info": {"duration_ms": 200_000, "tags": ["post-rock"]},
        }
    }
    if at is not None:
        found["listened_at"] = at
    return found


def test_scrobbling_apps_send_listens_with_the_listener_s_token(
    app: App, client: TestClient
) -> None:
    _, (track,) = put_release(app, "Takk...", ["Sigur Rós"], [Song("Hoppípolla")])
    listener = sign_in(client, app, "scrobbler@example.org")
    assert client.get(f"{HISTORY}/scrobble-token", headers=listener).json()["exists"] is False
    made = client.post(f"{HISTORY}/scrobble-token", headers=listener).json()
    token = made["token"]
    assert made["exists"] and len(token) == 36
    assert client.get(f"{HISTORY}/scrobble-token", headers=listener).json()["token"] is None
    app_headers = {"Authorization": f"Token {token}"}

    valid = client.get("/1/validate-token", headers=app_headers).json()
    assert valid == {
        "code": 200,
        "message": "Token valid.",
        "valid": True,
        "user_name": "scrobbler",
    }
    assert client.get("/1/validate-token", params={"token": token}).json()["valid"] is True
    invalid = client.get("/1/validate-token", params={"token": "not-a-token"}).json()
    assert invalid == {"code": 200, "message": "Token invalid.", "valid": False}

    at = 1_760_000_000
    single = {"listen_type": "single", "payload": [listen(at)]}
    assert client.post("/1/submit-listens", json=single, headers=app_headers).json() == {
        "status": "ok"
    }
    batch = {
        "listen_type": "import",
        "payload": [listen(at), listen(at + 300), listen(at + 600, "Nobody", "Nothing")],
    }
    assert client.post("/1/submit-listens", json=batch, headers=app_headers).status_code == 200
    now = {"listen_type": "playing_now", "payload": [listen(None)]}
    assert client.post("/1/submit-listens", json=now, headers=app_headers).status_code == 200
    plays = client.get(f"{HISTORY}/plays", headers=listener).json()
    assert [(p["track_id"], p["source"]) for p in plays] == [(track, "scrobble")] * 2  # once each

    for body, status, message in [
        (single, 401, "Invalid authorization token."),  # no token at all: below
        ({"listen_type": "single", "payload": [listen(at), listen(at + 1)]}, 400, "exactly one"),
        ({"listen_type": "single", "payload": [listen(None)]}, 400, "listened_at"),
        ({"listen_type": "playing_now", "payload": [listen(at)]}, 400, "listened_at"),
        ({"listen_type": "stream", "payload": [listen(at)]}, 400, "listen_type"),
        ({"listen_type": "import", "payload": [listen(at + i) for i in range(1001)]}, 400, "1000"),
        ({"listen_type": "single", "payload": [listen(at, artist="")]}, 400, "artist_name"),
        ({"listen_type": "single", "payload": [listen(1_000)]}, 400, "too low"),
    ]:
        headers = {"Authorization": "Token wrong"} if status == 401 else app_headers
        answer = client.post("/1/submit-listens", json=body, headers=headers)
        assert answer.status_code == status, answer.text
        assert answer.json()["code"] == status and message in answer.json()["error"]
    assert client.post("/1/submit-listens", json=single).status_code == 401

    rotated = client.post(f"{HISTORY}/scrobble-token", headers=listener).json()["token"]
    assert client.get("/1/validate-token", params={"token": token}).json()["valid"] is False
    assert client.get("/1/validate-token", params={"token": rotated}).json()["valid"] is True
    assert client.delete(f"{HISTORY}/scrobble-token", headers=listener).status_code == 204
    assert client.get("/1/validate-token", params={"token": rotated}).json()["valid"] is False
    with app.uow() as uow:  # kept hashed: the token itself is nowhere in the database
        stored = uow.session.execute(text("SELECT count(*) FROM scrobble_tokens")).scalar()  # type: ignore[attr-defined]
    assert stored == 0


def test_a_listener_s_plays_are_forwarded_to_listenbrainz_and_lastfm(
    app: App, client: TestClient
) -> None:
    _, (track,) = put_release(app, "A Night at the Opera", ["Queen"], [Song("Bohemian Rhapsody")])
    listener = sign_in(client, app, "forwarder@example.org")
    account = app.admin.id_of("forwarder@example.org")
    with stand_in() as (base, received):
        app.__dict__["remote_scrobblers"] = HttpScrobblers(
            base, f"{base}/2.0/", LASTFM_KEY, LASTFM_SECRET, timeout_s=5, backoff_s=0.01
        )
        bad = client.put(
            f"{HISTORY}/forwarding/listenbrainz", json={"secret": "wrong"}, headers=listener
        )
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "remote_token_invalid"
        good = client.put(
            f"{HISTORY}/forwarding/listenbrainz", json={"secret": LB_TOKEN}, headers=listener
        )
        assert good.status_code == 200 and good.json()["remote_user"] == LB_USER
        fm = client.put(
            f"{HISTORY}/forwarding/lastfm", json={"secret": LASTFM_SESSION}, headers=listener
        )
        assert fm.status_code == 200
        shown = client.get(f"{HISTORY}/forwarding", headers=listener)
        assert [s["service"] for s in shown.json()] == ["lastfm", "listenbrainz"]
        assert LB_TOKEN not in shown.text and LASTFM_SESSION not in shown.text
        with app.uow() as uow:
            sealed = (
                uow.session.execute(text("SELECT sealed_secret FROM scrobble_forwarding"))
                .scalars()
                .all()
            )  # type: ignore[attr-defined]
        assert sealed and not any(LB_TOKEN in s or LASTFM_SESSION in s for s in sealed)

        now = app.clock.now()
        app.messages.publish(TrackFinished(account, track, 20_000, True, (), now))  # too short
        app.messages.publish(TrackFinished(account, track, 150_000, False, (), now))
        assert received.calls == 0  # the player's request only filled the outbox
        received.fail_next = 6  # both away for all three tries of the first pass
        app.scrobble_forwarding.deliver_due()
        assert received.listens == [] and len(received.scrobbles) == 0
        assert client.get(f"{HISTORY}/forwarding", headers=listener).json()[0]["waiting"] == 2
        assert app.scrobble_forwarding.deliver_due(now + timedelta(minutes=5)) == 2

        (sent,) = received.listens
        assert sent["listened_at"] == int(now.timestamp()) - 150
        meta = sent["track_metadata"]
        assert (meta["artist_name"], meta["track_name"], meta["release_name"]) == (
            "Queen",
            "Bohemian Rhapsody",
            "A Night at the Opera",
        )
        assert meta["additional_info"]["duration_ms"] == 200_000
        (scrobble,) = received.scrobbles
        assert (scrobble["artist[0]"], scrobble["track[0]"], scrobble["sk"]) == (
            "Queen",
            "Bohemian Rhapsody",
            LASTFM_SESSION,
        )
        assert scrobble["timestamp[0]"] == str(int(now.timestamp()) - 150)
        assert client.get(f"{HISTORY}/forwarding", headers=listener).json()[0]["waiting"] == 0

        assert client.delete(f"{HISTORY}/forwarding/lastfm", headers=listener).status_code == 204
        assert client.delete(f"{HISTORY}/forwarding/lastfm", headers=listener).status_code == 404
        app.messages.publish(TrackFinished(account, track, 150_000, False, (), now))
        assert app.scrobble_forwarding.deliver_due(now + timedelta(minutes=10)) == 1
        assert len(received.listens) == 2 and len(received.scrobbles) == 1


def test_a_listener_connects_lastfm_by_allowing_cadenza_there(app: App, client: TestClient) -> None:
    listener = sign_in(client, app, "lastfm@example.org")
    authorize = f"{HISTORY}/forwarding/lastfm/authorize"
    refused = client.get(authorize, headers=listener)  # the operator set no Last.fm API key
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "lastfm_not_configured"
    with stand_in() as (base, _):
        app.__dict__["remote_scrobblers"] = HttpScrobblers(
            base, f"{base}/2.0/", LASTFM_KEY, LASTFM_SECRET, lastfm_auth_url=f"{base}/api/auth/"
        )
        url = client.get(authorize, headers=listener).json()["url"]
        assert url.startswith(f"{base}/api/auth/?api_key={LASTFM_KEY}&cb=")
        assert "%2Faccount%3Fconnect%3Dlastfm" in url  # back to the account page
        session = f"{HISTORY}/forwarding/lastfm/session"
        bad = client.post(session, json={"token": "not-allowed"}, headers=listener)
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "remote_token_invalid"
        good = client.post(session, json={"token": LASTFM_ALLOWED_TOKEN}, headers=listener)
        assert good.status_code == 200 and good.json()["remote_user"] == LASTFM_USER
    shown = client.get(f"{HISTORY}/forwarding", headers=listener).json()
    assert [(f["service"], f["remote_user"]) for f in shown] == [("lastfm", LASTFM_USER)]
