"""The most played song holding a common word (not at its name's start) tops a search for
that word, with an index written before the popular entries had a word of their kind
(migration 0054) as with one written after, and after a rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from cadenza.adapters.db.engine import MIGRATIONS
from cadenza.bootstrap import App
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_cli import cadenza
from tests.e2e.test_listening import play
from tests.e2e.test_search import search
from tests.fixtures.catalog import put_release

pytestmark = pytest.mark.database


def migrate(app: App, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with app.engine.begin() as connection:
        config.attributes["connection"] = connection
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def test_a_played_song_with_the_word_inside_its_name_tops_the_word(
    client: TestClient, app: App
) -> None:
    # "love" is in 150 names: more than the text index's first matches hand over, and no name
    # starts with it; only the branch of the most played entries finds the played song.
    titles = [f"Old Love {n:03}" for n in range(150)]
    _, songs = put_release(app, "Love Songs", ["Crooner"], titles)
    _, (hit,) = put_release(app, "The Hit", ["Star"], ["My Love"])
    listener = sign_in(client, app, "fan@example.org")
    start = datetime.now(UTC) - timedelta(hours=2)
    for n, track in enumerate([hit, hit, hit, *songs[:5]]):
        sent = post_events(
            client, listener, play(track, f"play-{n}", 40, start + timedelta(minutes=n))
        )
        assert sent.json()["rejected"] == []

    def first(typed: str) -> str:
        title: str = search(client, typed, type="track")["tracks"]["items"][0]["track"]["title"]
        return title

    sqlite = app.settings.database_url is None
    if sqlite:  # SQLite hands over the text index's first matches: not the song, until a rollup
        assert first("love") != "My Love"
    run = cadenza(app.settings, "search", "popularity")
    assert run.returncode == 0, run.stderr
    assert first("love") == "My Love"
    if sqlite:  # the text index as 0045 left it, then as 0054 writes it
        migrate(app, "0045")
        migrate(app, "head")
    assert first("love") == "My Love"
    assert first("my lo") == "My Love"
    # a rebuild writes the index again, the most played entries' own text index (0057) too
    run = cadenza(app.settings, "search", "reindex")
    assert run.returncode == 0, run.stderr
    assert first("love") == "My Love"
    assert first("lo") == "My Love"
