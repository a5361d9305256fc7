"""Only You and Your year through HTTP: the numbers a listener sees are their own plays, a pair
many listeners share is not rare, others show only as counts, and share cards are real images
of the promised sizes. The app's clock is set so plays land at chosen hours and years."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Connection

from cadenza.adapters.db.engine import MIGRATIONS
from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_listening import play
from tests.fixtures.catalog import put_release

SECONDS = 60  # each play: a minute of a 200-second song


def set_clock(app: App, monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """The app's clock, moved to any moment (it runs on from there as the real one does)."""
    moment = {"at": datetime.now(UTC), "real": datetime.now(UTC)}
    monkeypatch.setattr(
        app.clock, "now", lambda: moment["at"] + (datetime.now(UTC) - moment["real"])
    )

    def move(at: datetime) -> None:
        moment.update(at=at, real=datetime.now(UTC))

    return move


def heard(
    client: TestClient, who: dict[str, str], plays: list[tuple[int, datetime]], tag: str
) -> None:
    """Counted plays of a minute each, of these tracks, each starting at its time."""
    events: list[dict[str, Any]] = []
    for n, (track, start) in enumerate(plays):
        events += play(track, f"{tag}-{n}", SECONDS, start)
    for first in range(0, len(events), 490):
        batch = {"events": events[first : first + 490]}
        answer = post_events(client, who, batch["events"])
        assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text


def artists(app: App) -> dict[str, list[int]]:
    """Four artists of three songs each, their genres apart."""
    made = {}
    for name, genre in (
        ("Mirror Lake", "Ambient"),
        ("Velvet Choir", "Soul"),
        ("Iron Gannet", "Metal"),
        ("Paper Comets", "Pop"),
    ):
        _, tracks = put_release(
            app, f"{name} Songs", [name], ["First", "Second", "Third"], genres=[genre]
        )
        made[name] = tracks
    return made


def test_your_year_counts_her_plays_minutes_and_the_artists_new_that_year(
    client: TestClient, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = set_clock(app, monkeypatch)
    songs = artists(app)
    lake, choir, gannet = songs["Mirror Lake"], songs["Velvet Choir"], songs["Iron Gannet"]
    ada = sign_in(client, app, "ada@example.org")
    bo = sign_in(client, app, "bo@example.org")

    move(datetime(2024, 11, 20, 12, tzinfo=UTC))
    heard(client, ada, [(lake[0], datetime(2024, 11, 19, 9, tzinfo=UTC))], "ada-2024")
    move(datetime(2025, 3, 10, 12, tzinfo=UTC))
    day = datetime(2025, 3, 9, 8, tzinfo=UTC)
    plays = [lake[0], choir[0], choir[0], choir[1], gannet[0], choir[0], gannet[1]]
    heard(client, ada, [(t, day + timedelta(minutes=5 * n)) for n, t in enumerate(plays)], "ada")
    # Bo plays Iron Gannet all day: none of it is hers.
    heard(client, bo, [(gannet[1], day + timedelta(minutes=5 * n)) for n in range(9)], "bo")

    year = client.get("/api/v1/me/year/2025", headers=ada).json()
    assert year["plays"] == 7
    assert year["minutes"] == 7  # seven plays of a minute
    assert [(a["artist"]["name"], a["plays"]) for a in year["top_artists"]] == [
        ("Velvet Choir", 4),
        ("Iron Gannet", 2),
        ("Mirror Lake", 1),
    ]
    top = [(t["track"]["id"], t["plays"]) for t in year["top_tracks"]]
    assert top[0] == (choir[0], 3) and len(top) == 5  # all five songs she played, once each
    assert {t for t, _ in top} == {lake[0], *choir[:2], *gannet[:2]} and sum(n for _, n in top) == 7
    assert year["top_genres"][0] == {"genre": "soul", "plays": 4}
    assert year["new_artists"] == 2  # Mirror Lake was first played in 2024
    assert client.get("/api/v1/me/year/2024", headers=ada).json()["new_artists"] == 1

    empty = client.get("/api/v1/me/year/2023", headers=ada)
    assert empty.status_code == 200
    assert {k: empty.json()[k] for k in ("plays", "minutes", "new_artists", "top_artists")} == {
        "plays": 0,
        "minutes": 0,
        "new_artists": 0,
        "top_artists": [],
    }
    coming = client.get("/api/v1/me/year/2026", headers=ada)
    assert coming.status_code == 422 and coming.json()["error"]["code"] == "year_not_started"
    assert client.get("/api/v1/me/year/2025").status_code == 401


def test_share_cards_are_png_images_of_the_promised_sizes(
    client: TestClient, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = set_clock(app, monkeypatch)
    songs = artists(app)
    ada = sign_in(client, app, "ada@example.org")
    move(datetime(2025, 6, 2, 12, tzinfo=UTC))
    start = datetime(2025, 6, 1, 20, tzinfo=UTC)
    heard(client, ada, [(songs["Paper Comets"][0], start), (songs["Mirror Lake"][1], start)], "ada")

    year = client.get("/api/v1/me/year/2025", headers=ada).json()
    for kind, url in year["cards"].items():
        for size, pixels in (("square", (1080, 1080)), ("wide", (1200, 630))):
            answer = client.get(f"{url}&size={size}", headers=ada)
            assert answer.status_code == 200, (kind, answer.text)
            assert answer.headers["content-type"] == "image/png"
            image = Image.open(io.BytesIO(answer.content))
            assert (image.format, image.size) == ("PNG", pixels)
    again = client.get(year["cards"]["artists"], headers=ada)
    assert Image.open(io.BytesIO(again.content)).size == (1080, 1080)
    wrong = client.get("/api/v1/me/year/2025/card.png?kind=everything", headers=ada)
    assert wrong.status_code == 422
    assert client.get("/api/v1/me/year/2023/card.png", headers=ada).status_code == 200  # empty
    assert client.get(year["cards"]["artists"]).status_code == 401


def test_only_you_finds_the_pairs_few_share_and_names_nobody(
    client: TestClient, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = set_clock(app, monkeypatch)
    songs = artists(app)
    lake, choir, gannet = songs["Mirror Lake"], songs["Velvet Choir"], songs["Iron Gannet"]
    today = datetime(2026, 5, 20, 12, tzinfo=UTC)
    move(today)
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)

    # Too little history first: a clear answer, not an empty page.
    heard(client, ada, [(lake[0], today - timedelta(hours=3))], "ada-first")
    early = client.get("/api/v1/me/taste", headers=ada)
    assert early.status_code == 404 and early.json()["error"]["code"] == "not_enough_listening"

    # Four others play Mirror Lake with Velvet Choir; a fifth Mirror Lake with Iron Gannet.
    for n in range(5):
        other = sign_in(client, app, f"listener{n}@example.org")
        second = gannet[1] if n == 0 else choir[1]
        ago = today - timedelta(days=2)
        heard(client, other, [(lake[1], ago), (second, ago + timedelta(hours=1))], f"other-{n}")

    # Ada, for forty days: Mirror Lake mornings, Velvet Choir afternoons; Iron Gannet at night,
    # only these last four days. Plays reach the server at most 30 days late: the older ones
    # are sent from 20 days ago.
    def days(first: int, last: int) -> list[tuple[int, datetime]]:
        plays = []
        for d in range(first, last + 1):
            day = today - timedelta(days=d)
            plays += [(lake[d % 3], day.replace(hour=7)), (lake[0], day.replace(hour=8))]
            plays += [(choir[d % 2], day.replace(hour=14))]
            if d <= 4:
                plays += [
                    (gannet[0], day.replace(hour=23)),
                    (gannet[1], day.replace(hour=23, minute=30)),
                ]
        return plays

    move(today - timedelta(days=20))
    heard(client, ada, days(21, 40), "ada-before")
    move(today)
    heard(client, ada, days(1, 20), "ada")

    answer = client.get("/api/v1/me/taste", headers=ada)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    pairs = {
        tuple(sorted(a["name"] for a in p["artists"])): p["shared_by"] for p in found["rare_pairs"]
    }
    assert pairs == {("Iron Gannet", "Velvet Choir"): 0, ("Iron Gannet", "Mirror Lake"): 1}
    assert ("Mirror Lake", "Velvet Choir") not in pairs  # five of the five others play it

    parts = {p["name"]: p for p in found["parts_of_day"]}
    assert [a["name"] for a in parts["morning"]["artists"]] == ["Mirror Lake"]
    assert parts["morning"]["plays"] == 81 and parts["morning"]["genres"] == ["ambient"]
    assert [a["name"] for a in parts["afternoon"]["artists"]] == ["Velvet Choir"]
    assert [a["name"] for a in parts["night"]["artists"]] == ["Iron Gannet"]
    assert parts["evening"]["plays"] == 0

    dinner = [(g["artist"]["name"], g["role"]) for g in found["dream_dinner"]]
    assert dinner == [
        ("Mirror Lake", "favourite"),  # 81 plays
        ("Iron Gannet", "rising"),  # all its eight plays in the last days
        ("Velvet Choir", "regular"),  # not rare: every other listener but one plays it
    ]
    assert found["dream_dinner"][1]["reason"] == (
        "Iron Gannet is rising fast: 8 plays in the last 30 days."
    )

    # Nobody else is named: no address, no display name, no account id.
    assert "example.org" not in answer.text
    assert not any(f"listener{n}" in answer.text for n in range(5))

    names = [m["name"] for m in found["mixes"]]
    assert names[0] == "Your morning mix" and "Your rare pairings" in names
    morning = client.get("/api/v1/me/taste/mixes/1", headers=ada).json()
    assert {t["id"] for t in morning["tracks"]} == set(lake)
    started = client.put(
        "/api/v1/me/player/play", json={"context": morning["context"]}, headers=ada
    )
    assert started.status_code == 200, started.text
    assert started.json()["track_id"] == morning["tracks"][0]["id"]
    missing = client.get("/api/v1/me/taste/mixes/9", headers=ada)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "mix_not_found"


def test_a_server_upgraded_to_0029_counts_the_plays_it_already_had(
    client: TestClient, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = set_clock(app, monkeypatch)
    songs = artists(app)
    ada = sign_in(client, app, "ada@example.org")
    move(datetime(2024, 12, 30, 12, tzinfo=UTC))
    heard(client, ada, [(songs["Mirror Lake"][0], datetime(2024, 12, 29, 9, tzinfo=UTC))], "old")
    move(datetime(2025, 1, 20, 12, tzinfo=UTC))
    day = datetime(2025, 1, 19, 9, tzinfo=UTC)
    later = day + timedelta(hours=1)  # one stream at a time
    heard(client, ada, [(songs["Mirror Lake"][1], day), (songs["Paper Comets"][0], later)], "new")
    before = client.get("/api/v1/me/year/2025", headers=ada).json()
    assert before["new_artists"] == 1

    # The table counting plays per listener and artist, dropped and made again by migration
    # 0029 from the plays already there (as on a server upgraded with history).
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with migrating(app) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0029-1")
    with migrating(app) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert client.get("/api/v1/me/year/2025", headers=ada).json() == before
    assert client.get("/api/v1/me/year/2024", headers=ada).json()["new_artists"] == 1


@contextmanager
def migrating(app: App) -> Iterator[Connection]:
    """A connection as the server's migrations use one: on SQLite without foreign keys enforced
    (engine.migrate's own engine), so a column dropped on the way down (a table rebuilt) does
    not cascade into the rows that point at it."""
    with app.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
