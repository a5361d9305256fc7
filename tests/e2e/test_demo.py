"""The demo as a newcomer meets it: accounts with listening histories of their own (Daily Mixes
on the first day), a linked artist, a distributor login, and a catalog published release by
release with its progress on the API."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.cli_demo import DEMO_PASSWORD, DemoBuild, demo_users, listen_to
from tests.e2e.conftest import mail_to
from tests.fixtures.catalog import Song, put_release


def log_in(client: TestClient, app: App, email: str) -> dict[str, str]:
    """Sign in with the published demo password from a new device (answering the mailed code)."""
    form = {"email": email, "password": DEMO_PASSWORD, "device_id": f"d-{email}"}
    answer = client.post("/api/v1/auth/token", json=form | {"device_name": "test"})
    if answer.status_code == 401:
        body = mail_to(app, email)[-1].get_body(("plain",))
        assert body is not None
        code = re.search(r"enter this code: (\d{6})", str(body.get_content()))
        assert code is not None
        form |= {"device_name": "test", "email_code": code.group(1)}
        answer = client.post("/api/v1/auth/token", json=form)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _catalog(app: App) -> list[int]:
    releases = []
    for n, genre in enumerate(["hip hop", "reggae", "jazz", "classical", "techno", "folk"]):
        songs = [Song(f"{genre} song {k}", genres=[genre]) for k in range(6)]
        release_id, _ = put_release(
            app, f"{genre.title()} Album", [f"{genre.title()} Band"], songs, upc=f"00000000{n}"
        )
        releases.append(release_id)
    return releases


def test_demo_listeners_have_daily_mixes_of_their_own_tastes_on_the_first_day(
    client: TestClient, app: App
) -> None:
    accounts = demo_users(app)
    for release_id in _catalog(app):
        with app.uow() as uow:
            release = uow.catalog.release(release_id)
        assert release is not None
        listen_to(app, accounts, release)
        listen_to(app, accounts, release)  # a second start adds nothing

    genres: dict[str, set[str]] = {}
    for who in ("free", "premium"):
        me = log_in(client, app, f"{who}@demo.cadenza.localhost")
        mixes = client.get("/api/v1/me/daily-mixes", headers=me)
        assert mixes.status_code == 200, mixes.text
        assert mixes.json(), f"{who} has no Daily Mix on the first day"
        genres[who] = {m["genre"] for m in mixes.json()}
        liked = client.get("/api/v1/me/tracks", headers=me).json()
        saved = client.get("/api/v1/me/releases", headers=me).json()
        followed = client.get("/api/v1/me/following/artists", headers=me).json()
        assert liked["total"] + saved["total"] + followed["total"] > 0
    assert genres["free"] <= {"hip hop", "reggae"}
    assert genres["premium"] <= {"jazz", "classical"}

    # `serve --demo` trains a model once the catalog is published: Made for you comes from it.
    app.train_recs()
    for who, tastes in (("free", {"hip hop", "reggae"}), ("premium", {"jazz", "classical"})):
        me = log_in(client, app, f"{who}@demo.cadenza.localhost")
        mixes = client.get("/api/v1/me/daily-mixes", headers=me).json()
        assert mixes and {m["basis"] for m in mixes} == {"model"}
        assert {m["genre"] for m in mixes} <= tastes  # clusters of their own taste
        weekly = client.get("/api/v1/me/discover-weekly", headers=me).json()
        assert weekly["basis"] == "model" and weekly["tracks"]
    plays = {e: len(app.listening.recently_played(i, 10_000, 0)) for e, i in accounts.items()}
    assert plays["free@demo.cadenza.localhost"] > 0
    listen_to(app, accounts, release)
    again = {e: len(app.listening.recently_played(i, 10_000, 0)) for e, i in accounts.items()}
    assert again == plays


def test_the_demo_is_published_release_by_release_with_artist_and_distributor_logins(
    client: TestClient, app: App
) -> None:
    size = {"artists": 2, "releases": 2, "tracks": 3, "min_seconds": 31, "max_seconds": 33}
    app.settings.demo_size = json.dumps(size | {"mean_seconds": 32})
    app.settings.demo_opus_complexity = 0
    seen: list[dict[str, object]] = []

    def announce(done: int, total: int, title: str | None) -> None:
        seen.append(client.get("/api/v1/demo/progress").json())

    assert client.get("/api/v1/demo/progress").json()["preparing"] is False  # no demo here
    DemoBuild(app, announce).run()
    assert seen == [
        {"preparing": True, "done": 0, "total": 2},
        {"preparing": True, "done": 1, "total": 2},
        {"preparing": False, "done": 2, "total": 2},
    ]

    artist = log_in(client, app, "artist@demo.cadenza.localhost")
    speaks_for = client.get("/api/v1/me", headers=artist).json()["artists"]
    assert len(speaks_for) == 1
    profile = client.get(f"/api/v1/me/artists/{speaks_for[0]['id']}", headers=artist)
    assert profile.status_code == 200, profile.text

    label = log_in(client, app, "distributor@demo.cadenza.localhost")
    delivered = client.get("/api/v1/distributor/releases", headers=label)
    assert delivered.status_code == 200, delivered.text
    assert len(delivered.json()["items"]) == 2

    DemoBuild(app, announce).run()  # a restart publishes nothing twice
    assert len(client.get("/api/v1/distributor/releases", headers=label).json()["items"]) == 2
