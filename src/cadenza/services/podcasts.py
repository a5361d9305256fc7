"""Shows from RSS: a feed added by its URL, refreshed on a schedule with conditional requests
and backing off on errors, its episodes kept; a feed that turns hostile is refused with a clear
code and changes nothing. Each episode's audio goes through the music ingest's own stages
(validate, loudness, Opus ladder, store) in the worker pool."""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from cadenza.domain.errors import CadenzaError, Forbidden, InvalidDelivery, InvalidRequest, NotFound
from cadenza.domain.podcasts import (
    MAX_CHAPTERS,
    MAX_FEED_URL,
    AudioState,
    Chapter,
    Cue,
    Episode,
    FeedEpisode,
    FeedRefused,
    FeedShow,
    FetchState,
    Show,
    cues_from_text,
    next_fetch,
)
from cadenza.ingest.encode import EncodeJob, encode_track
from cadenza.ingest.store import StoredBlobs
from cadenza.ports.audio import AudioProbe, CoverArt, Transcoder
from cadenza.ports.blobs import BlobStore
from cadenza.ports.clock import Clock
from cadenza.ports.feeds import FeedFetcher, FeedReader
from cadenza.ports.podcasts import NewShow
from cadenza.ports.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
SMALL_FILE = 5 << 20  # chapters, transcripts, artwork
DUE_BATCH = 100


@dataclass(frozen=True)
class FeedRules:
    every: timedelta = timedelta(hours=1)  # each feed asked again this often
    max_audio_bytes: int = 1 << 30
    audio_at_add: int = 3  # episodes whose audio is fetched when a show is added or refreshed


@dataclass
class AudioTools:
    """The music ingest's stages, lent to podcasts."""

    probe: AudioProbe
    transcoder: Transcoder
    covers: CoverArt
    blobs: BlobStore
    pool: Executor
    work_dir: Path


@dataclass(frozen=True)
class EncodedAudio:
    """An episode's audio on the Opus ladder, stored: the blob and size per quality, the
    loudness gain and the length."""

    ladder: dict[str, tuple[str, int]]
    gain_db: float
    duration_ms: int

    def set_ready(self, uow: UnitOfWork, episode_id: int) -> None:
        """The episode plays this audio (in `uow`, not committed)."""
        uow.podcasts.set_audio(
            episode_id, AudioState.READY, None, self.ladder, self.gain_db, self.duration_ms
        )


@dataclass(frozen=True)
class Refreshed:
    show_id: int
    changed: bool  # False: 304, or the same bytes
    new_episodes: int
    error: str | None = None


class Podcasts:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        fetcher: FeedFetcher,
        reader: FeedReader,
        tools: Callable[[], AudioTools],
        rules: FeedRules | None = None,
        indexed: Callable[[UnitOfWork, int], None] = lambda uow, show_id: None,
    ) -> None:
        self.uow, self.clock, self.fetcher, self.reader = uow, clock, fetcher, reader
        self.tools, self.rules = tools, rules or FeedRules()
        self.indexed = indexed  # search: the show and its episodes, in the same transaction

    def add(self, url: str, owner_id: int | None = None) -> Show:
        """A show by its feed URL (the same URL twice gives the same show)."""
        url = url.strip()
        if not url or len(url) > MAX_FEED_URL:
            raise InvalidRequest("give the feed's http(s) address", code="feed_bad_url")
        with self.uow() as uow:
            known = uow.podcasts.show_by_feed(url)
        if known is not None:
            return self.show(known)
        fetched = self.fetcher.feed(url, None, None)
        assert fetched.body is not None
        feed = self.reader.read(fetched.body)
        artwork, generated = self.artwork_of(feed)
        now = self.clock.now()
        with self.uow() as uow:
            if (known := uow.podcasts.show_by_feed(url)) is not None:
                return self.show(known)
            show_id = uow.podcasts.add_show(NewShow(url, owner_id, feed, artwork, generated), now)
            uow.podcasts.merge_episodes(show_id, feed.episodes, now)
            state = FetchState(
                fetched.etag, fetched.last_modified, 0, next_fetch(now, self.rules.every, 0)
            )
            uow.podcasts.fetched(show_id, state, None, now)
            self.indexed(uow, show_id)
            uow.commit()
        return self.show(show_id)

    def add_by(self, account_id: int, url: str) -> Show:
        """A show added by an admin or a podcaster (who then owns it)."""
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        roles = tuple(str(r) for r in account.roles) if account is not None else ()
        require_podcaster(roles)
        return self.add(url, owner_id=account_id if "podcaster" in roles else None)

    def show(self, show_id: int) -> Show:
        with self.uow() as uow:
            show = uow.podcasts.show(show_id)
        if show is None:
            raise NotFound("no such show", code="show_not_found")
        return show

    def refresh(self, show_id: int) -> Refreshed:
        """Ask the feed again (conditionally); a refusal is kept on the show, with a back-off."""
        with self.uow() as uow:
            show = uow.podcasts.show(show_id)
            if show is None or show.feed_url is None:
                raise NotFound("no such show from a feed", code="show_not_found")
            state = uow.podcasts.fetch_state(show_id)
        now = self.clock.now()
        try:
            fetched = self.fetcher.feed(show.feed_url, state.etag, state.last_modified)
            feed = self.reader.read(fetched.body) if fetched.body is not None else None
        except FeedRefused as refused:
            failures = state.failures + 1
            later = replace(
                state, failures=failures, next_fetch_at=next_fetch(now, self.rules.every, failures)
            )
            with self.uow() as uow:
                uow.podcasts.fetched(show_id, later, refused.code, None)
                uow.commit()
            log.info("feed %s refused: %s", show_id, refused.code)
            return Refreshed(show_id, False, 0, refused.code)
        state = FetchState(
            fetched.etag, fetched.last_modified, 0, next_fetch(now, self.rules.every, 0)
        )
        new = 0
        artwork = None
        if feed is not None and show.artwork_generated and feed.image_url:
            artwork, generated = self.artwork_of(feed)
            artwork = None if generated else artwork
        with self.uow() as uow:
            if feed is not None:
                uow.podcasts.update_show(show_id, feed, artwork)
                new = uow.podcasts.merge_episodes(show_id, feed.episodes, now)
                self.indexed(uow, show_id)
            uow.podcasts.fetched(show_id, state, None, now)
            uow.commit()
        return Refreshed(show_id, feed is not None, new)

    def refresh_due(self, limit: int | None = None) -> list[Refreshed]:
        """Every feed whose time has come (the scheduled clock), then their newest audio."""
        done: list[Refreshed] = []
        while limit is None or len(done) < limit:
            batch = DUE_BATCH if limit is None else min(DUE_BATCH, limit - len(done))
            with self.uow() as uow:
                due = uow.podcasts.due(self.clock.now(), batch)
            if not due:
                break
            for show_id, _ in due:
                try:
                    done.append(self.refresh(show_id))
                except Exception:  # one feed's problem holds up no other
                    log.exception("podcast refresh: show %s", show_id)
                    with self.uow() as uow:
                        state = uow.podcasts.fetch_state(show_id)
                        later = replace(
                            state,
                            next_fetch_at=next_fetch(
                                self.clock.now(), self.rules.every, state.failures + 1
                            ),
                        )
                        uow.podcasts.fetched(show_id, later, "refresh_failed", None)
                        uow.commit()
        return done

    def run(self) -> None:
        """The scheduled work: refresh the feeds that are due, fetch the newest audio."""
        for refreshed in self.refresh_due():
            if refreshed.new_episodes:
                self.fetch_audio(refreshed.show_id, self.rules.audio_at_add)

    def fetch_audio(
        self, show_id: int | None = None, limit: int = 3, progress: Callable[[], None] | None = None
    ) -> int:
        """The newest episodes still without audio: fetched, checked, put on the ladder; the
        number made playable."""
        with self.uow() as uow:
            waiting = uow.podcasts.awaiting_audio(limit, show_id)
        ready = 0
        for episode in waiting:
            ready += self.ingest_episode(episode) is AudioState.READY
            if progress is not None:
                progress()
        return ready

    def ingest_episode(self, episode: Episode) -> AudioState:
        """An episode's enclosure fetched, then put on the ladder (see `ingest_file`)."""
        assert episode.enclosure_url is not None
        work = self.tools().work_dir / f"podcast-{uuid.uuid4().hex}"
        work.mkdir(parents=True)
        try:
            source = work / "enclosure"
            try:
                self.fetcher.download(episode.enclosure_url, source, self.rules.max_audio_bytes)
            except FeedRefused as refused:
                return self._refuse(episode.id, refused.code)
            return self.ingest_file(episode, source)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def ingest_file(self, episode: Episode, source: Path) -> AudioState:
        """Validate, measure loudness and encode the Opus ladder in the ingest's worker pool,
        store it, and make the episode playable; a file that is not audio is refused."""
        try:
            with self._encoded(source) as audio:
                chapters, transcript = self._extras(episode)
                with self.uow() as uow:
                    audio.set_ready(uow, episode.id)
                    uow.podcasts.set_extras(episode.id, chapters, transcript)
                    uow.commit()
            return AudioState.READY
        except InvalidDelivery:
            return self._refuse(episode.id, "enclosure_not_audio")

    def ingest_new(
        self,
        show_id: int,
        episode: FeedEpisode,
        source: Path,
        chapters: tuple[Chapter, ...],
        stage: Callable[[str], None] = lambda _: None,
    ) -> int | None:
        """An episode added only once its audio is playable: validated, loudness measured and
        the Opus ladder stored first, then the episode and its audio in one transaction, so
        nothing half-made is ever listed (a process stopped on the way leaves no episode; the
        blobs it stored are the orphan sweep's). None (nothing added): the file is not audio."""
        try:
            with self._encoded(source) as audio:
                stage("list")
                with self.uow() as uow:
                    episode_id = uow.podcasts.add_episode(show_id, episode, self.clock.now())
                    uow.podcasts.set_extras(episode_id, chapters, None)
                    audio.set_ready(uow, episode_id)
                    uow.search.index_show(show_id)
                    uow.commit()
            return episode_id
        except InvalidDelivery:
            return None

    @contextmanager
    def _encoded(self, source: Path) -> Iterator[EncodedAudio]:
        """`source` validated, its loudness measured and the Opus ladder encoded in the
        ingest's worker pool and stored, for the body to make an episode of. Should the
        encoding or the body fail, the blobs stored here that nothing uses go back; a file
        that is not audio raises InvalidDelivery."""
        tools = self.tools()
        work = tools.work_dir / f"podcast-{uuid.uuid4().hex}"
        stored = StoredBlobs(tools.blobs)
        try:
            job = EncodeJob(source, work, tools.probe, tools.transcoder)
            result = tools.pool.submit(encode_track, job).result().result
            assert result is not None
            ladder = {a.quality.value: (a.blob, a.size) for a in stored.store_ladder(result)}
            yield EncodedAudio(ladder, result.loudness.gain_db(), round(result.duration_s * 1000))
        except BaseException:
            with self.uow() as uow:  # what this try stored and nothing uses goes back
                stored.take_back(uow.podcasts.blobs_in_use(stored.created))
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _refuse(self, episode_id: int, code: str) -> AudioState:
        with self.uow() as uow:
            uow.podcasts.set_audio(episode_id, AudioState.REFUSED, code)
            uow.commit()
        log.info("episode %s audio refused: %s", episode_id, code)
        return AudioState.REFUSED

    def _extras(
        self, episode: Episode
    ) -> tuple[tuple[Chapter, ...] | None, tuple[Cue, ...] | None]:
        """The episode's chapters and transcript, where its feed names them (a broken one is
        left out, the episode kept)."""
        chapters = transcript = None
        with self.uow() as uow:
            urls = uow.podcasts.extras_of(episode.id)
        if urls[0]:
            try:
                body, _ = self.fetcher.small(urls[0], SMALL_FILE)
                chapters = chapters_from_json(body)
            except (FeedRefused, ValueError):
                log.info("episode %s: chapters left out", episode.id)
        if urls[1]:
            try:
                body, _ = self.fetcher.small(urls[1], SMALL_FILE)
                transcript = transcript_from(body, urls[2] or "")
            except (FeedRefused, ValueError):
                log.info("episode %s: transcript left out", episode.id)
        return chapters, transcript

    def artwork_of(self, feed: FeedShow) -> tuple[str | None, bool]:
        """The feed's artwork as a stored JPEG, or a generated cover when it has none (or a
        broken one)."""
        covers, blobs = self.tools().covers, self.tools().blobs
        if feed.image_url:
            try:
                body, _ = self.fetcher.small(feed.image_url, SMALL_FILE)
                prepared = covers.prepare(body, min_px=1)
                return blobs.put_bytes(prepared.sizes[640]).digest, False
            except (FeedRefused, CadenzaError):
                log.info("feed artwork left out: %s", feed.image_url)
        placeholder = covers.prepare(covers.placeholder(feed.title, feed.publisher), min_px=1)
        return blobs.put_bytes(placeholder.sizes[640]).digest, True


def chapters_from_json(body: bytes) -> tuple[Chapter, ...]:
    """Podcasting 2.0 JSON chapters: {"chapters": [{"startTime": s, "title": ...}]}."""
    data = json.loads(body)
    found = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(found, list):
        raise ValueError("no chapters")
    chapters = []
    for c in found[:MAX_CHAPTERS]:
        if not isinstance(c, dict) or not isinstance(c.get("startTime"), int | float):
            continue
        if c.get("toc") is False:
            continue
        title = " ".join(str(c.get("title") or "").split())[:300]
        url = (
            c.get("url")
            if isinstance(c.get("url"), str) and c["url"].startswith(("http://", "https://"))
            else None
        )
        chapters.append(Chapter(int(float(c["startTime"]) * 1000), title or "Chapter", url))
    return tuple(sorted(chapters, key=lambda c: c.start_ms))


def transcript_from(body: bytes, kind: str) -> tuple[Cue, ...]:
    text = body.decode("utf-8", errors="replace")
    if "json" in kind:
        data = json.loads(text)
        segments = data.get("segments") if isinstance(data, dict) else None
        if not isinstance(segments, list):
            raise ValueError("no segments")
        return tuple(
            Cue(
                int(float(s["startTime"]) * 1000),
                str(s.get("body", "")).strip()[:2000],
                s.get("speaker"),
            )
            for s in segments[:20_000]
            if isinstance(s, dict)
            and isinstance(s.get("startTime"), int | float)
            and str(s.get("body", "")).strip()
        )
    return cues_from_text(text)


def require_podcaster(roles: tuple[str, ...]) -> None:
    if "admin" not in roles and "podcaster" not in roles:
        raise Forbidden("adding shows takes the podcaster or admin role", code="podcaster_required")
