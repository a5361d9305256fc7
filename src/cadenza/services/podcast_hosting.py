"""Hosted shows (like Spotify for Podcasters): a podcaster creates a show, uploads episodes
(audio through the ingest's stages, notes as sanitised HTML, chapters, a publishing time),
Cadenza publishes the show's RSS feed for other apps, and the podcaster sees plays, listeners
and how far people listen (the completion curve of each episode)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cadenza.domain.errors import Forbidden, InvalidRequest, NotFound
from cadenza.domain.podcast_feed import hosted_feed
from cadenza.domain.podcasts import (
    AudioState,
    Chapter,
    Episode,
    FeedEpisode,
    FeedShow,
    Show,
    completion_curve,
)
from cadenza.ports.clock import Clock
from cadenza.ports.podcasts import NewShow
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.podcasts import Podcasts, require_podcaster

FEED_EPISODES = 300  # the newest episodes a hosted feed lists
PUBLIC_QUALITY = "normal"  # what other apps get: 96 kbit/s Opus


@dataclass(frozen=True)
class EpisodeFigures:
    episode_id: int
    title: str
    plays: int
    listeners: int
    completion: list[float]  # per tenth of the episode, the share of listeners past it


@dataclass(frozen=True)
class Dashboard:
    show: Show
    plays: int
    listeners: int
    episodes: list[EpisodeFigures]


class PodcastHosting:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        podcasts: Podcasts,
        sanitise: Callable[[str], str],
    ) -> None:
        self.uow, self.clock, self.podcasts, self.sanitise = uow, clock, podcasts, sanitise

    def create_show(
        self,
        account_id: int,
        title: str,
        description: str,
        language: str,
        explicit: bool,
        category: str,
    ) -> Show:
        publisher = self._podcaster(account_id)
        feed = FeedShow(
            title=title.strip(),
            publisher=publisher,
            description_html=self.sanitise(description),
            link=None,
            language=language or None,
            explicit=explicit,
            image_url=None,
            podcast_guid=str(uuid.uuid4()),
            categories=(category,) if category else (),
            persons=(),
            episodes=(),
        )
        artwork, _ = self.podcasts.artwork_of(feed)
        with self.uow() as uow:
            show_id = uow.podcasts.add_show(
                NewShow(None, account_id, feed, artwork, True), self.clock.now()
            )
            uow.search.index_show(show_id)
            uow.commit()
        return self.podcasts.show(show_id)

    def shows(self, account_id: int) -> list[Show]:
        self._podcaster(account_id)
        with self.uow() as uow:
            return uow.podcasts.owned(account_id)

    def upload(
        self,
        account_id: int,
        show_id: int,
        audio: Path,
        title: str,
        notes: str,
        chapters: tuple[Chapter, ...],
        publish_at: datetime | None,
        season: int | None = None,
        number: int | None = None,
        guid: str | None = None,
    ) -> Episode:
        """An episode: its audio on the ladder now, listed from `publish_at` (now without)."""
        episode = self._uploaded(
            account_id, show_id, title, notes, guid, publish_at, season, number
        )
        with self.uow() as uow:
            episode_id = uow.podcasts.add_episode(show_id, episode, self.clock.now())
            uow.podcasts.set_extras(episode_id, chapters, None)
            uow.commit()
            made = uow.podcasts.episode(episode_id)
        assert made is not None
        state = self.podcasts.ingest_file(made, audio)
        with self.uow() as uow:
            if state is not AudioState.READY:
                uow.podcasts.set_audio(episode_id, AudioState.REFUSED, "enclosure_not_audio")
            uow.search.index_show(show_id)
            uow.commit()
            done = uow.podcasts.episode(episode_id)
        assert done is not None
        if state is not AudioState.READY:
            raise _not_audio("the upload")
        return done

    def upload_when_ready(
        self,
        account_id: int,
        show_id: int,
        audio: Path,
        title: str,
        notes: str,
        guid: str,
        stage: Callable[[str], None] = lambda _: None,
    ) -> Episode:
        """An episode listed now, added only once its audio is on the ladder (nothing is listed
        while it is encoded, nor if the process stops on the way)."""
        episode = self._uploaded(account_id, show_id, title, notes, guid)
        episode_id = self.podcasts.ingest_new(show_id, episode, audio, (), stage)
        if episode_id is None:
            raise _not_audio("the recording")
        with self.uow() as uow:
            done = uow.podcasts.episode(episode_id)
        assert done is not None
        return done

    def _uploaded(
        self,
        account_id: int,
        show_id: int,
        title: str,
        notes: str,
        guid: str | None = None,
        publish_at: datetime | None = None,
        season: int | None = None,
        number: int | None = None,
    ) -> FeedEpisode:
        """An uploaded episode as a feed would list it (no enclosure: its audio is ours), for
        the show's owner only; listed from `publish_at` (now without)."""
        self._owned(account_id, show_id)
        return FeedEpisode(
            guid=guid or str(uuid.uuid4()),
            title=title.strip(),
            description_html=self.sanitise(notes),
            published_at=publish_at or self.clock.now(),
            duration_ms=None,
            explicit=False,
            season=season,
            number=number,
            enclosure_url=None,
            enclosure_type=None,
            enclosure_length=None,
        )

    def episodes(self, account_id: int, show_id: int) -> list[Episode]:
        """Every episode of one's own show, those not yet listed too, the newest first."""
        self._owned(account_id, show_id)
        with self.uow() as uow:
            found, _ = uow.podcasts.episodes(
                show_id, self.clock.now(), 100_000, 0, unpublished=True
            )
        return found

    def dashboard(self, account_id: int, show_id: int) -> Dashboard:
        show = self._owned(account_id, show_id)
        with self.uow() as uow:
            plays, listeners = uow.podcast_listening.show_totals(show_id)
            stats = uow.podcast_listening.stats(show_id)
        figures = [
            EpisodeFigures(
                s.episode_id,
                s.title,
                s.plays,
                s.listeners,
                completion_curve(s.furthest_ms, s.duration_ms),
            )
            for s in stats
        ]
        return Dashboard(show, plays, listeners, figures)

    def feed(self, show_id: int, base_url: str) -> bytes:
        """The hosted show's public RSS feed: its published, playable episodes, newest first."""
        show = self.podcasts.show(show_id)
        if show.feed_url is not None:
            raise NotFound("no such hosted show", code="show_not_found")
        with self.uow() as uow:
            found, _ = uow.podcasts.episodes(show_id, self.clock.now(), FEED_EPISODES, 0)
        ready = [e for e in found if e.audio is AudioState.READY and PUBLIC_QUALITY in e.ladder]
        image = f"{base_url}/api/v1/images/{show.artwork_blob}" if show.artwork_blob else None

        def audio(e: Episode) -> tuple[str, int]:
            return f"{base_url}/podcasts/{show_id}/audio/{e.id}.opus", e.ladder[PUBLIC_QUALITY][1]

        return hosted_feed(show, ready, f"{base_url}/show/{show_id}", image, audio)

    def public_audio(self, show_id: int, episode_id: int) -> str:
        """The blob other apps fetch for a published episode of a hosted show."""
        with self.uow() as uow:
            show = uow.podcasts.show(show_id)
            episode = uow.podcasts.episode(episode_id)
        now = self.clock.now()
        if (
            show is None
            or show.feed_url is not None
            or episode is None
            or episode.show_id != show_id
            or (episode.published_at is not None and episode.published_at > now)
            or PUBLIC_QUALITY not in episode.ladder
        ):
            raise NotFound("no such episode", code="episode_not_found")
        return episode.ladder[PUBLIC_QUALITY][0]

    def _podcaster(self, account_id: int) -> str:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        require_podcaster(tuple(str(r) for r in account.roles) if account else ())
        assert account is not None
        return account.display_name

    def owned(self, account_id: int, show_id: int) -> Show:
        """One of the account's own hosted shows (else `not_your_show`)."""
        return self._owned(account_id, show_id)

    def _owned(self, account_id: int, show_id: int) -> Show:
        self._podcaster(account_id)
        show = self.podcasts.show(show_id)
        if show.owner_id != account_id or show.feed_url is not None:
            raise Forbidden("this is not one of your hosted shows", code="not_your_show")
        return show


def _not_audio(what: str) -> InvalidRequest:
    return InvalidRequest(f"{what} is not audio Cadenza can decode", code="episode_not_audio")
