"""`cadenza podcasts add URL` prints the show's id, with the server stopped or running; a
hostile feed is refused with its code and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cadenza.bootstrap import App
from tests.e2e.live import live_server
from tests.fixtures.audio import make_audio
from tests.fixtures.feeds import ENTITY_BOMB, Item, feed_host, rss


def test_the_cli_adds_shows_with_or_without_the_server(
    app: App, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from cadenza import cli

    monkeypatch.setenv("CADENZA_DATA_DIR", str(app.settings.data_dir))
    monkeypatch.setenv("CADENZA_FEEDS_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("CADENZA_TRANSCODE_WORKERS", "1")
    if app.settings.database_url:
        monkeypatch.setenv("CADENZA_DATABASE_URL", app.settings.database_url)
    runner = CliRunner()
    with feed_host() as host:
        audio = host.put("/a.mp3", make_audio(tmp_path / "a.mp3", "mp3").read_bytes(), "audio/mpeg")
        first = host.put("/one.xml", rss("Stopped Server Show", [Item("One", "1", audio)]))
        done = runner.invoke(cli.cli, ["podcasts", "add", first, "--quiet"])
        assert done.exit_code == 0, done.output
        show_id = int(done.stdout.strip())
        shown = app.podcasts.show(show_id)
        assert shown.title == "Stopped Server Show"
        [(episode, _)], _ = app.podcast_listening.episodes(show_id, None, 5, 0)
        assert episode.audio.value == "ready"  # the newest episodes' audio came with it

        with live_server(app) as base:
            second = host.put("/two.xml", rss("Running Server Show", []))
            again = runner.invoke(cli.cli, ["podcasts", "add", second, "--audio", "0", "--quiet"])
            assert again.exit_code == 0, again.output
            served = httpx.get(f"{base}/api/v1/shows/{int(again.stdout.strip())}").json()
            assert served["title"] == "Running Server Show"

        host.put(
            "/one.xml",
            rss("Stopped Server Show", [Item("One", "1", audio), Item("Two", "2", audio)]),
        )
        refreshed = runner.invoke(cli.cli, ["podcasts", "refresh", str(show_id)])
        assert refreshed.exit_code == 0 and refreshed.stdout.split() == [
            str(show_id),
            "changed",
            "1",
            "new",
        ]

        bomb = host.put("/bomb.xml", ENTITY_BOMB)
        refused = runner.invoke(cli.cli, ["podcasts", "add", bomb, "--quiet"])
        assert refused.exit_code == 2 and "feed_entities_forbidden" in refused.output
