"""Shows from RSS feeds served on loopback: a large feed, chapters and transcripts, conditional
refreshes, and broken or hostile feeds refused with a clear code and nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from cadenza.adapters.feeds.fetch import HttpFeedFetcher
from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.domain.podcasts import AudioState, FeedRefused
from tests.fixtures.audio import make_audio
from tests.fixtures.feeds import ENTITY_BOMB, FeedHost, Item, feed_host, many_items, rss


@pytest.fixture
def host() -> FeedHost:
    with feed_host() as served:
        yield served  # type: ignore[misc]


def audio(host: FeedHost, tmp_path: Path, name: str = "ep.mp3") -> str:
    data = make_audio(tmp_path / name, "mp3", seconds=3.0).read_bytes()
    return host.put(f"/audio/{name}", data, "audio/mpeg")


def test_a_show_from_its_feed_keeps_episodes_and_plays_through_the_ingest(
    app: App, host: FeedHost, tmp_path: Path
) -> None:
    url = host.put(
        "/show.xml",
        rss(
            "Morning Notes",
            [
                Item(
                    "First <light>",
                    "g-1",
                    audio(host, tmp_path),
                    description='<p>Hello <script>alert(1)</script><a href="javascript:x()">x</a></p>',
                    season=2,
                    number=5,
                    explicit="yes",
                )
            ],
            author="Dawn Radio",
            description="<p>Daily <b>notes</b></p><img src=x onerror=alert(1)>",
        ),
    )
    show = app.podcasts.add(url)
    assert (show.title, show.publisher, show.episode_count) == ("Morning Notes", "Dawn Radio", 1)
    assert "<b>notes</b>" in show.description_html and "onerror" not in show.description_html
    assert show.artwork_generated and show.artwork_blob and app.blobs.exists(show.artwork_blob)
    assert app.podcasts.add(url).id == show.id  # the same feed twice: the same show

    [(episode, _)], total = app.podcast_listening.episodes(show.id, None, 10, 0)
    assert total == 1 and episode.title == "First <light>"
    assert "script" not in episode.description_html and "javascript" not in episode.description_html
    assert (episode.season, episode.number, episode.explicit) == (2, 5, True)
    assert episode.audio is AudioState.PENDING

    assert app.podcasts.fetch_audio(show.id) == 1
    ready, _, _ = app.podcast_listening.episode(episode.id, None)
    assert ready.audio is AudioState.READY
    assert {"low", "normal", "high"} <= set(ready.ladder)
    assert ready.duration_ms is not None and 2900 <= ready.duration_ms <= 3100
    assert all(app.blobs.exists(blob) for blob, _ in ready.ladder.values())


def test_a_feed_of_2000_episodes_and_its_conditional_refresh(app: App, host: FeedHost) -> None:
    url = host.put("/big.xml", rss("Archive Hour", many_items(2000)))
    show = app.podcasts.add(url)
    assert show.episode_count == 2000
    page, total = app.podcast_listening.episodes(show.id, None, 3, 0)
    assert total == 2000 and [e.title for e, _ in page] == [
        "Episode 2000",
        "Episode 1999",
        "Episode 1998",
    ]

    unchanged = app.podcasts.refresh(show.id)
    assert not unchanged.changed and host.asked[-1][1] is not None  # asked with If-None-Match

    host.put("/big.xml", rss("Archive Hour", many_items(2001)))
    grown = app.podcasts.refresh(show.id)
    assert grown.changed and grown.new_episodes == 1
    assert app.podcasts.show(show.id).episode_count == 2001


def test_chapters_transcript_and_people_from_podcasting_2(
    app: App, host: FeedHost, tmp_path: Path
) -> None:
    chapters = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": 0, "title": "Welcome"},
            {"startTime": 1.5, "title": "The interview", "url": "https://example.org/guest"},
        ],
    }
    host.put("/chapters.json", json.dumps(chapters), "application/json+chapters")
    vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:01.200\n<v Ada>Welcome to the show\n\n00:00:01.500 --> 00:00:02.900\n<v Grace>Compilers are friends\n"
    host.put("/transcript.vtt", vtt, "text/vtt")
    extra = (
        f'<podcast:chapters url="{host.url("/chapters.json")}" type="application/json+chapters"/>'
        f'<podcast:transcript url="{host.url("/transcript.vtt")}" type="text/vtt"/>'
        '<podcast:person role="guest" href="https://example.org/grace">Grace</podcast:person>'
    )
    url = host.put(
        "/p20.xml",
        rss(
            "Deep Dives",
            [Item("Compilers", "c-1", audio(host, tmp_path), extra=extra)],
            extra="<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>"
            "<podcast:person>Ada</podcast:person>",
        ),
    )
    show = app.podcasts.add(url)
    assert show.podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert [p.name for p in show.persons] == ["Ada"]
    app.podcasts.fetch_audio(show.id)
    [(episode, _)], _ = app.podcast_listening.episodes(show.id, None, 10, 0)
    assert [(c.start_ms, c.title) for c in episode.chapters] == [
        (0, "Welcome"),
        (1500, "The interview"),
    ]
    assert [(c.start_ms, c.speaker, c.text) for c in episode.transcript] == [
        (0, "Ada", "Welcome to the show"),
        (1500, "Grace", "Compilers are friends"),
    ]
    assert [(p.name, p.role) for p in episode.persons] == [("Grace", "guest")]


@pytest.mark.parametrize(
    ("body", "kind", "code"),
    [
        (ENTITY_BOMB, "application/rss+xml", "feed_entities_forbidden"),
        ("<rss><channel><title>Broken", "application/rss+xml", "feed_malformed"),
        ("<html><body>not a feed</body></html>", "text/html", "feed_not_podcast"),
        (
            rss("Videos", [Item("A film", "v1", "https://example.org/film.mp4", "video/mp4")]),
            "application/rss+xml",
            "enclosure_not_audio",
        ),
    ],
)
def test_hostile_and_broken_feeds_are_refused_and_add_nothing(
    app: App, host: FeedHost, body: str, kind: str, code: str
) -> None:
    url = host.put("/bad.xml", body, kind)
    with pytest.raises(FeedRefused) as refused:
        app.podcasts.add(url)
    assert refused.value.code == code
    with app.uow() as uow:
        assert uow.podcasts.show_by_feed(url) is None


def test_a_feed_larger_than_the_cap_is_refused(
    settings: Settings, app: App, host: FeedHost
) -> None:
    settings.feeds_max_bytes = 64 * 1024
    url = host.put("/huge.xml", rss("Huge", many_items(600)))
    with pytest.raises(FeedRefused) as refused:
        app.podcasts.add(url)
    assert refused.value.code == "feed_too_large"


def test_private_addresses_and_redirects_to_them_are_refused(host: FeedHost) -> None:
    url = host.put("/show.xml", rss("Home", []))
    strict = HttpFeedFetcher()
    with pytest.raises(FeedRefused) as refused:
        strict.feed(url, None, None)
    assert refused.value.code == "feed_address_private" and host.asked == []

    trusting_this_host = HttpFeedFetcher(trusted_hosts=frozenset({"127.0.0.1"}))
    assert trusting_this_host.feed(url, None, None).body
    moved = host.redirect("/moved.xml", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(FeedRefused) as redirected:
        trusting_this_host.feed(moved, None, None)
    assert redirected.value.code == "feed_address_private"


def test_a_feed_that_turns_hostile_changes_nothing_and_backs_off(app: App, host: FeedHost) -> None:
    url = host.put("/turns.xml", rss("Steady", many_items(3)))
    show = app.podcasts.add(url)
    host.put("/turns.xml", ENTITY_BOMB)
    first = app.podcasts.refresh(show.id)
    second = app.podcasts.refresh(show.id)
    assert first.error == second.error == "feed_entities_forbidden"
    after = app.podcasts.show(show.id)
    assert (after.title, after.episode_count, after.last_error) == (
        "Steady",
        3,
        "feed_entities_forbidden",
    )
    with app.uow() as uow:
        state = uow.podcasts.fetch_state(show.id)
    assert state.failures == 2
    assert state.next_fetch_at is not None and state.next_fetch_at - app.clock.now() > timedelta(
        hours=3
    )


def test_an_enclosure_that_is_not_audio_is_refused_and_stores_nothing(
    app: App, host: FeedHost
) -> None:
    page = host.put("/audio/fake.mp3", "<html>a login page</html>", "text/html")
    show = app.podcasts.add(host.put("/s.xml", rss("Fakes", [Item("Fake", "f1", page)])))
    assert app.podcasts.fetch_audio(show.id) == 0
    [(episode, _)], _ = app.podcast_listening.episodes(show.id, None, 10, 0)
    assert (episode.audio, episode.audio_error) == (AudioState.REFUSED, "enclosure_not_audio")
    assert episode.ladder == {}


def test_the_clock_refreshes_every_due_feed_past_one_batch(app: App, host: FeedHost) -> None:
    from cadenza.adapters.db.models_podcasts import PodcastShowRow

    body = rss("Same", many_items(2))
    now = app.clock.now()
    with app.db_sessions() as db:
        for n in range(130):  # more than the clock reads at once
            db.add(
                PodcastShowRow(
                    feed_url=host.put(f"/many/{n}.xml", body), owner_id=None, title=f"S{n}",
                    publisher="", description_html="", link=None, language=None, explicit=False,
                    artwork_blob=None, artwork_generated=True, podcast_guid=None, categories=[],
                    persons=[], etag=None, last_modified=None, failures=0, next_fetch_at=None,
                    last_fetched_at=None, last_error=None, created_at=now,
                )
            )  # fmt: skip
        db.commit()
    done = app.podcasts.refresh_due()
    assert len(done) == 130 and all(r.new_episodes == 2 for r in done)
    assert app.podcasts.refresh_due() == []  # none is due again before its hour
