"""Hosted shows: a podcaster creates a show and uploads episodes (audio through the ingest,
notes sanitised, chapters, a schedule); Cadenza publishes a valid RSS feed with playable
enclosures; the dashboard shows plays, listeners and each episode's completion curve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
from fastapi.testclient import TestClient

from cadenza.adapters.feeds.read import FeedparserReader
from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from tests.e2e.conftest import sign_in
from tests.fixtures.audio import make_audio


def podcaster(client: TestClient, app: App, email: str) -> dict[str, str]:
    who = sign_in(client, app, email)
    app.admin.set_roles(None, app.admin.id_of(email), [Role.PODCASTER])
    return who


def upload(client: TestClient, who: dict[str, str], show: int, audio: Path, **form: str) -> dict:
    with audio.open("rb") as f:
        answer = client.post(
            f"/api/v1/podcaster/shows/{show}/episodes",
            files={"audio": (audio.name, f, "audio/mpeg")},
            data=form,
            headers=who,
        )
    assert answer.status_code in (201, 422), answer.text
    found: dict = answer.json()
    return found


def test_a_hosted_show_is_published_as_rss_and_its_dashboard_counts_listening(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    host = podcaster(client, app, "maker@example.org")
    created = client.post(
        "/api/v1/podcaster/shows",
        json={
            "title": "Garden Talk",
            "description": "<p>Soil <script>x()</script>and seeds</p>",
            "category": "Leisure",
        },
        headers=host,
    )
    assert created.status_code == 201, created.text
    show = created.json()
    assert show["hosted"] and show["feed"].endswith(f"/podcasts/{show['id']}/feed.xml")
    assert "script" not in show["description_html"]

    audio = make_audio(tmp_path / "talk.mp3", "mp3", seconds=4.0)
    chapters = '[{"start_ms": 0, "title": "Hello"}, {"start_ms": 2000, "title": "Tomatoes"}]'
    first = upload(
        client,
        host,
        show["id"],
        audio,
        title="Tomatoes",
        notes="<b>Red</b><img src=x onerror=y>",
        chapters=chapters,
    )
    assert first["playable"] and "onerror" not in first["description_html"]
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    scheduled = upload(client, host, show["id"], audio, title="Next week", publish_at=later)
    not_audio = tmp_path / "x.mp3"
    not_audio.write_text("not audio at all")
    refused = upload(client, host, show["id"], not_audio, title="Bad")
    assert refused["error"]["code"] == "episode_not_audio"

    feed = client.get(f"/podcasts/{show['id']}/feed.xml")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith(
        "application/rss+xml"
    )
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo and parsed.feed.title == "Garden Talk"
    assert [e.title for e in parsed.entries] == ["Tomatoes"]  # the scheduled one waits
    assert FeedparserReader().read(feed.content).episodes[0].enclosure_type == "audio/ogg"
    enclosure = parsed.entries[0].enclosures[0]["href"]
    audio_answer = client.get(enclosure.split("8000", 1)[1], headers={"Range": "bytes=0-3"})
    assert audio_answer.status_code == 206 and audio_answer.content == b"OggS"

    listener = sign_in(client, app, "ear@example.org")
    assert client.get(f"/api/v1/episodes/{scheduled['id']}", headers=listener).status_code == 404
    assert client.get(f"/api/v1/episodes/{scheduled['id']}", headers=host).status_code == 200
    detail = client.get(f"/api/v1/episodes/{first['id']}", headers=listener).json()
    assert [c["title"] for c in detail["chapters"]] == ["Hello", "Tomatoes"]

    assert (
        client.post(f"/api/v1/episodes/{first['id']}/stream", json={}, headers=listener).status_code
        == 200
    )
    client.put(
        f"/api/v1/me/episodes/{first['id']}/position", json={"position_ms": 2100}, headers=listener
    )
    board = client.get(f"/api/v1/podcaster/shows/{show['id']}/dashboard", headers=host).json()
    assert (board["plays"], board["listeners"]) == (1, 1)
    tomatoes = next(e for e in board["episodes"] if e["title"] == "Tomatoes")
    assert tomatoes["completion"][:5] == [1.0] * 5 and tomatoes["completion"][6:] == [0.0] * 4

    other = podcaster(client, app, "rival@example.org")
    assert (
        client.get(f"/api/v1/podcaster/shows/{show['id']}/dashboard", headers=other).json()[
            "error"
        ]["code"]
        == "not_your_show"
    )
    assert (
        client.get(f"/api/v1/podcaster/shows/{show['id']}/dashboard", headers=listener).json()[
            "error"
        ]["code"]
        == "podcaster_required"
    )
