"""Search through HTTP: groups, a top result, paging, visibility, fresh publications, popularity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from cadenza.adapters.db.models import ArtistRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_search import SearchEntryRow
from cadenza.bootstrap import App
from cadenza.domain.accounts import Scope
from cadenza.domain.catalog import Viewer
from cadenza.domain.search import Kind
from tests.e2e.conftest import KEY, sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_cli import cadenza
from tests.e2e.test_listening import play
from tests.fixtures.catalog import Song, put_release


def search(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    answer = client.get("/api/v1/search", params={"q": q, **params})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def titles(group: dict[str, Any]) -> list[str]:
    names = []
    for item in group["items"]:
        thing = item["track"] or item["release"] or item["artist"]
        names.append(thing.get("title") or thing.get("name"))
    return names


def test_results_come_grouped_with_a_top_result_and_pages(client: TestClient, app: App) -> None:
    put_release(app, "Discovery", ["Daft Punk"], ["One More Time", "Digital Love", "Aerodynamic"])
    put_release(app, "Homework", ["Daft Punk"], ["Da Funk", "Around the World"])
    body = search(client, "daft", type="track,artist,release,playlist", limit=2)
    assert body["top"]["kind"] == "artist"
    assert body["top"]["artist"]["name"] == "Daft Punk"
    assert titles(body["artists"]) == ["Daft Punk"]
    assert len(body["tracks"]["items"]) == 2
    assert body["playlists"]["items"] == []  # no playlist is called that
    track = body["tracks"]["items"][0]["track"]
    assert track["release"]["title"] in {"Discovery", "Homework"}
    # The next page goes on where the first stopped, and the last has no next.
    following = client.get(body["tracks"]["next"]).json()
    assert following["tracks"]["offset"] == 2 and following["top"] is None
    seen = titles(body["tracks"]) + titles(following["tracks"])
    third = client.get(following["tracks"]["next"]).json()["tracks"]
    seen += titles(third)
    assert sorted(seen) == sorted(
        ["One More Time", "Digital Love", "Aerodynamic", "Da Funk", "Around the World"]
    )
    assert third["next"] is None
    only = search(client, "daft", type="release")
    assert set(only) >= {"releases"} and only["tracks"] is None
    assert titles(only["releases"]) and only["top"]["kind"] == "release"


def test_a_typo_finds_the_artist_and_says_it_was_corrected(client: TestClient, app: App) -> None:
    put_release(app, "Lemonade", ["Beyoncé"], ["Formation", "Sorry"])
    body = search(client, "beyonse")
    assert body["top"]["artist"]["name"] == "Beyoncé"
    assert body["corrected"] is True
    assert search(client, "BEYONCE")["corrected"] is False
    assert search(client, "for")["top"]["track"]["title"] == "Formation"


def test_typos_in_every_word_find_the_song_published_after_the_index_was_built(
    client: TestClient, app: App
) -> None:
    put_release(app, "A Night at the Opera", ["Queen"], ["Love of My Life"])
    app.search.reindex()
    # published later: its words enter the vocabulary (and the typo index) one by one
    put_release(app, "Bohemian Rhapsody", ["Queen"], ["Bohemian Rhapsody", "Bohemian Polka"])
    for typed in ("bohemain rhapsody", "bohemian rhapsdy", "bohemain rhapsdy", "bhoemian rhap"):
        body = search(client, typed)
        assert body["tracks"]["items"][0]["track"]["title"] == "Bohemian Rhapsody", typed
        assert body["corrected"] is True
    assert search(client, "bohemian rhapsody")["corrected"] is False


def test_filters_narrow_what_is_found(client: TestClient, app: App) -> None:
    put_release(
        app,
        "Bookends",
        ["Simon & Garfunkel"],
        [Song("America", isrc="USSM16800001")],
        released=datetime(1968, 4, 3, tzinfo=UTC),
        upc="074640905524",
    )
    put_release(
        app, "America", ["Neil Diamond"], ["America"], released=datetime(1980, 11, 10, tzinfo=UTC)
    )
    body = search(client, "america year:1960-1969")
    assert body["query"]["year_from"] == 1960 and body["query"]["year_to"] == 1969
    assert [i["track"]["artists"][0]["name"] for i in body["tracks"]["items"]] == [
        "Simon & Garfunkel"
    ]
    assert titles(body["releases"]) == []  # Neil Diamond's "America" is from 1980
    assert titles(search(client, "simon year:1968")["releases"]) == ["Bookends"]
    assert body["artists"]["items"] == []  # year: is about releases and tracks
    assert titles(search(client, "upc:074640905524")["releases"]) == ["Bookends"]
    assert titles(search(client, "isrc:USSM16800001")["tracks"]) == ["America"]
    neil = search(client, 'america artist:"neil diamond"')
    assert titles(neil["releases"]) == ["America"] and len(neil["tracks"]["items"]) == 1
    assert titles(search(client, "album:bookends")["tracks"]) == ["America"]


def test_only_what_the_listener_may_see(client: TestClient, app: App) -> None:
    now = datetime.now(UTC)
    put_release(
        app, "Tomorrow Album", ["Future Band"], ["Tomorrow Song"], released=now + timedelta(days=2)
    )
    put_release(app, "Nordic Album", ["Fjord Band"], ["Fjord Song"], territories=("NO", "SE"))
    put_release(app, "Loud Album", ["Rude Band"], [Song("Rude Song", explicit=True), "Polite Song"])
    assert (
        search(client, "tomorrow")["top"] is None
    )  # not released yet: nothing, not even the artist
    assert search(client, "future band")["artists"]["items"] == []
    assert titles(search(client, "fjord", country="SE")["tracks"]) == ["Fjord Song"]
    assert search(client, "fjord", country="GB")["top"] is None
    # A distributor finds its own unreleased release (and only its own).
    own = app.distributors.by_key("test-distributor-key", Scope.RELEASES_READ)
    put_release(
        app,
        "Secret Album",
        ["Hidden Band"],
        ["Secret Song"],
        released=now + timedelta(days=9),
        distributor=app.settings.distributor_name,
    )
    assert app.distributor_id(app.settings.distributor_name) == own
    mine = client.get("/api/v1/search", params={"q": "secret"}, headers=KEY).json()
    assert titles(mine["releases"]) == ["Secret Album"]
    assert search(client, "secret")["top"] is None
    assert client.get("/api/v1/search", params={"q": "tomorrow"}, headers=KEY).json()["top"] is None
    # A listener whose explicit filter is on finds the release without its explicit track.
    filtered = Viewer(country="GB", now=now, allow_explicit=False)
    results = app.search.search("song", filtered, [Kind.TRACK])
    assert [h.track.title for h in results.groups[Kind.TRACK].hits if h.track] == ["Polite Song"]
    everyone = search(client, "song", country="GB")["tracks"]
    assert sorted(titles(everyone)) == ["Polite Song", "Rude Song"]


def test_published_releases_are_found_at_once_and_changes_replace_them(
    client: TestClient, app: App
) -> None:
    assert search(client, "midnight")["top"] is None
    release_id, _ = put_release(app, "Midnight Drive", ["The Testers"], ["Neon", "Overpass"])
    assert search(client, "midnight")["top"]["release"]["id"] == release_id
    # Delivered again with a new title and one track fewer: the old names are gone.
    put_release(app, "Midnight Drive", ["The Testers"], ["Neon"], upc=None)
    assert titles(search(client, "overpass")["tracks"]) == []
    assert titles(search(client, "neon")["tracks"]) == ["Neon"]


def test_every_song_of_a_large_release_is_found_by_its_own_word(
    client: TestClient, app: App
) -> None:
    # PostgreSQL reads a word's matches in tiers (one entry in 256, one in 16, the rest) and
    # stops once it has enough: a word only one song holds is found in whichever tier it sits,
    # and a word all of them share still fills a page.
    def own_word(n: int) -> str:
        return "zq" + chr(ord("a") + n // 26) + chr(ord("a") + n % 26)

    songs = [f"Chorus {own_word(n)}" for n in range(300)]
    _, track_ids = put_release(app, "Three Hundred Songs", ["The Long Band"], songs)
    with app.engine.connect() as conn:
        entries = dict(
            conn.execute(
                select(SearchEntryRow.entity_id, SearchEntryRow.id).where(
                    SearchEntryRow.kind == Kind.TRACK.value
                )
            ).all()
        )
    tiers = {
        "one in 256": [n for n, t in enumerate(track_ids) if entries[t] % 256 == 0],
        "one in 16": [
            n for n, t in enumerate(track_ids) if entries[t] % 256 and entries[t] % 16 == 0
        ],
        "the rest": [n for n, t in enumerate(track_ids) if entries[t] % 16 == 1],
    }
    for tier, numbers in tiers.items():
        assert numbers, f"no song sits in {tier}"
        for n in numbers:
            found = search(client, own_word(n), type="track")["tracks"]
            assert titles(found) == [songs[n]], f"{own_word(n)!r} ({tier})"
    for typed in ("chorus", "chor"):
        shared = search(client, typed, type="track", limit=20)["tracks"]
        assert len(shared["items"]) == 20 and shared["next"] is not None


def test_a_word_being_typed_finds_what_was_published_since_it_was_last_typed(
    client: TestClient, app: App
) -> None:
    # A typed start stands for its indexed completions ("teste": "tested"), which a server
    # keeps a moment: they must not hide a word published right after ("testers").
    put_release(app, "Proven", ["Tested Band"], ["Trial"])
    assert titles(search(client, "teste")["tracks"]) == ["Trial"]
    put_release(app, "Midnight Drive", ["The Testers"], ["Neon", "Overpass"])
    found = search(client, "teste")
    assert set(titles(found["artists"])) == {"Tested Band", "The Testers"}
    assert sorted(titles(found["tracks"])) == ["Neon", "Overpass", "Trial"]  # artists' words


def test_what_people_play_comes_first_in_their_country_first(client: TestClient, app: App) -> None:
    _, (local,) = put_release(app, "Intro One", ["Svea"], ["Intro"])
    _, (worldwide,) = put_release(app, "Intro Two", ["Yankee"], ["Intro"])
    listeners = [sign_in(client, app, f"l{i}@example.org") for i in range(3)]
    with app.uow() as uow:  # the first listener lives in Sweden
        uow.session.execute(
            update(UserRow).where(UserRow.email == "l0@example.org").values(country="SE")
        )
        uow.commit()
    start = datetime.now(UTC) - timedelta(hours=1)
    plays = [(listeners[0], local), (listeners[1], worldwide), (listeners[2], worldwide)]
    for n, (who, track) in enumerate(plays):
        events = play(track, f"play-{n}", 40, start + timedelta(minutes=n))
        assert post_events(client, who, events).json()["rejected"] == []

    def first_artist(country: str) -> str:
        item = search(client, "intro", type="track", country=country)["tracks"]["items"][0]
        name: str = item["track"]["artists"][0]["name"]
        return name

    # Popularity is rolled up daily (the server's clock, or `cadenza search popularity`): until
    # then the plays do not move anything.
    assert first_artist("US") == "Svea"
    run = cadenza(app.settings, "search", "popularity")
    assert run.returncode == 0, run.stderr
    assert first_artist("SE") == "Svea"
    assert first_artist("US") == "Yankee"


def test_the_song_people_play_tops_a_common_word_among_hundreds(
    client: TestClient, app: App
) -> None:
    # "love" is in 150 names: more than a query hands over for ranking (the first names in
    # order, the first matches as the index has them). The one people play most is last in
    # both, and 30 others are played too: more than the most played branches hand over.
    _, songs = put_release(app, "Love Songs", ["Crooner"], [f"Love {n:03}" for n in range(150)])
    _, (hit,) = put_release(app, "The Hit", ["Star"], ["Love Story"])
    listener = sign_in(client, app, "fan@example.org")
    start = datetime.now(UTC) - timedelta(hours=2)
    played = [hit, hit, hit, *songs[:30]]
    for n, track in enumerate(played):
        events = play(track, f"play-{n}", 40, start + timedelta(minutes=n))
        sent = post_events(client, listener, events)
        assert sent.json()["rejected"] == []

    def first(typed: str) -> str:
        title: str = search(client, typed, type="track")["tracks"]["items"][0]["track"]["title"]
        return title

    assert first("lov") != "Love Story"  # until popularity is rolled up
    run = cadenza(app.settings, "search", "popularity")
    assert run.returncode == 0, run.stderr
    for typed in ("lov", "love", "love s"):
        assert first(typed) == "Love Story", typed
    # Delivered again, it stays among the most played until the next rollup.
    put_release(app, "The Hit", ["Star"], ["Love Story"])
    assert first("lov") == "Love Story"
    # A reindex keeps what the last rollup counted.
    assert cadenza(app.settings, "search", "reindex").returncode == 0
    assert first("love") == "Love Story"


def test_reindex_finds_a_catalog_indexed_before_search_existed(
    client: TestClient, app: App
) -> None:
    put_release(app, "Old Catalog", ["Archive Band"], ["Dusty Song"])
    with app.uow() as uow:  # as a catalog published before this version looks
        uow.session.execute(delete(SearchEntryRow))
        uow.commit()
    assert search(client, "dusty")["top"] is None
    run = cadenza(app.settings, "search", "reindex")
    assert run.returncode == 0, run.stderr
    assert "indexed 3 entries" in run.stderr
    assert search(client, "dusty")["top"]["track"]["title"] == "Dusty Song"


def test_odd_input_is_answered_not_crashed_on(client: TestClient, app: App) -> None:
    put_release(app, "Quotes", ["Odd Band"], ['Say "Hi"', "OR NOT AND", "100%"])
    for q in [
        '"',
        "'",
        "*",
        "(",
        "OR",
        "NEAR(a b)",
        "a\x00b",
        "isrc:\x00",
        "upc:12'3",
        "year:99999",
        "artist:",
        'artist:"',
        "tag:old",
        "x" * 500,
        "%_\\",
        "🎵🎶",
        "ß",
    ]:
        answer = client.get("/api/v1/search", params={"q": q})
        assert answer.status_code == 200, (q, answer.text)
    assert titles(search(client, 'say "hi"')["tracks"]) == ['Say "Hi"']
    assert titles(search(client, "or not and")["tracks"]) == ["OR NOT AND"]
    refused = client.get("/api/v1/search", params={"q": "x", "type": "radio"})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "unknown_search_type"
    assert client.get("/api/v1/search", params={"q": "x", "limit": 51}).status_code == 422


def test_an_artist_without_music_leaves_the_index_empty_and_searchable(
    client: TestClient, app: App
) -> None:
    """A catalog whose only artist has no release yet (an artist account linked first): the
    rebuild at start finds no words at all, and search answers nothing rather than failing."""
    with app.uow() as uow:
        uow.session.add(
            ArtistRow(name="Quiet Band", name_key="quiet band", created_at=datetime.now(UTC))
        )
        uow.commit()
    app.search.reindex()
    assert search(client, "quiet")["top"] is None
