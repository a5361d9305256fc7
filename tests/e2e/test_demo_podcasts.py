"""The demo's podcasts: synthesised (or espeak-ng) episodes go through the same upload and ingest
path as any hosted show, play, and are listed in the show's public feed; made once."""

from __future__ import annotations

import feedparser
from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.cli_demo import _demo_podcasts
from cadenza.demo.podcasts import SHOWS
from cadenza.domain.accounts import Role
from tests.e2e.conftest import LISTENER_PASSWORD


def test_the_demo_hosts_spoken_shows_that_play(client: TestClient, app: App) -> None:
    admin = app.accounts.create("admin@demo.example.org", LISTENER_PASSWORD, roles=[Role.ADMIN]).id
    _demo_podcasts(app, admin)
    _demo_podcasts(app, admin)  # a second start makes nothing again
    shows = app.podcast_hosting.shows(admin)
    assert [s.title for s in shows] == [s.title for s in SHOWS]
    first = shows[0]
    episodes, total = app.podcast_listening.episodes(first.id, None, 10, 0)
    assert total == len(SHOWS[0].episodes)
    assert all(e.audio.value == "ready" and (e.duration_ms or 0) > 3000 for e, _ in episodes)
    assert episodes[0][0].chapters  # the demo's chapters came with the upload
    feed = feedparser.parse(client.get(f"/podcasts/{first.id}/feed.xml").content)
    assert {e.title for e in feed.entries} == {e.title for e in SHOWS[0].episodes}
