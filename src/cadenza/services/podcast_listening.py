"""Listening to podcasts: follow shows, Your Episodes, where you stopped (kept per episode and
sent to the account's other devices at once), played or not, and the episode's audio through
a signed, short-lived URL like a track's. Podcasts are free on every plan: no skip limit, any
order; a podcast play is counted here, never as a music stream, never in royalties."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from cadenza.domain.audio import Quality
from cadenza.domain.devices import PlayerEvent
from cadenza.domain.errors import Conflict, Forbidden, InvalidRequest, NotFound
from cadenza.domain.podcasts import AudioState, Episode, Progress, Show, counts_as_played
from cadenza.ports.clock import Clock
from cadenza.ports.devices import PlayerEvents
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.stream_grants import GRANT_TTL, StreamLinks

EPISODE_AUDIO_PATH = "/api/v1/episode-audio/"
MAX_IDS = 50
POSITION_EVENT = "episode_position"
QUALITIES = (Quality.LOW, Quality.NORMAL, Quality.HIGH, Quality.VERY_HIGH)


@dataclass(frozen=True)
class EpisodeGrant:
    episode_id: int
    quality: Quality
    url: str
    expires: int
    gain_db: float
    duration_ms: int | None
    media_type: str = "audio/ogg"


@dataclass(frozen=True)
class GrantedEpisode:
    account_id: int
    episode_id: int
    blob: str
    expires: int


@dataclass(frozen=True)
class YourEpisodes:
    episodes: list[tuple[Episode, Progress | None]]
    total: int
    unplayed: dict[int, int]  # show id -> episodes not played yet
    shows: dict[int, Show]


class PodcastListening:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        links: Callable[[], StreamLinks],
        events: Callable[[], PlayerEvents],
        heard: Callable[[int, float], None] | None = None,
    ) -> None:
        self.uow, self.clock, self.links, self.events = uow, clock, links, events
        # An episode heard to its end brings a Free listener's next ad break closer, as a song
        # does: the break then plays before the next episode, never inside one.
        self.heard = heard

    def show(self, show_id: int, account_id: int | None) -> tuple[Show, bool, int]:
        """The show, whether the listener follows it, and how many of its episodes they have
        not played."""
        with self.uow() as uow:
            show = uow.podcasts.show(show_id)
            if show is None:
                raise NotFound("no such show", code="show_not_found")
            if account_id is None:
                return show, False, 0
            following = uow.podcast_listening.following(account_id, [show_id])[0]
            unplayed = uow.podcast_listening.unplayed(account_id, self.clock.now()).get(show_id, 0)
        return show, following, unplayed

    def episodes(
        self, show_id: int, account_id: int | None, limit: int, offset: int
    ) -> tuple[list[tuple[Episode, Progress | None]], int]:
        with self.uow() as uow:
            show = uow.podcasts.show(show_id)
            if show is None:
                raise NotFound("no such show", code="show_not_found")
            mine = account_id is not None and show.owner_id == account_id
            found, total = uow.podcasts.episodes(
                show_id, self.clock.now(), limit, offset, unpublished=mine
            )
            progress = self._progress(uow, account_id, [e.id for e in found])
        return [(e, progress.get(e.id)) for e in found], total

    def episode(
        self, episode_id: int, account_id: int | None
    ) -> tuple[Episode, Show, Progress | None]:
        with self.uow() as uow:
            episode = self._visible(uow, episode_id, account_id)
            show = uow.podcasts.show(episode.show_id)
            assert show is not None
            progress = self._progress(uow, account_id, [episode_id]).get(episode_id)
        return episode, show, progress

    def follow(self, account_id: int, show_ids: list[int]) -> None:
        ids = _ids(show_ids)
        with self.uow() as uow:
            missing = [i for i in ids if uow.podcasts.show(i) is None]
            if missing:
                raise NotFound(f"no such show: {missing[0]}", code="show_not_found")
            uow.podcast_listening.follow(account_id, ids, self.clock.now())
            uow.commit()

    def unfollow(self, account_id: int, show_ids: list[int]) -> None:
        with self.uow() as uow:
            uow.podcast_listening.unfollow(account_id, _ids(show_ids))
            uow.commit()

    def followed(self, account_id: int) -> list[tuple[Show, int]]:
        with self.uow() as uow:
            ids = uow.podcast_listening.followed(account_id)
            unplayed = uow.podcast_listening.unplayed(account_id, self.clock.now())
            shows = [uow.podcasts.show(i) for i in ids]
        return [(s, unplayed.get(s.id, 0)) for s in shows if s is not None]

    def your_episodes(self, account_id: int, limit: int, offset: int) -> YourEpisodes:
        """New episodes of the shows the listener follows, newest first, finished ones left out."""
        now = self.clock.now()
        with self.uow() as uow:
            found, total = uow.podcast_listening.new_episodes(account_id, now, limit, offset)
            progress = self._progress(uow, account_id, [e.id for e in found])
            unplayed = uow.podcast_listening.unplayed(account_id, now)
            shows = {
                i: s for i in {e.show_id for e in found} if (s := uow.podcasts.show(i)) is not None
            }
        return YourEpisodes([(e, progress.get(e.id)) for e in found], total, unplayed, shows)

    def set_position(
        self, account_id: int, episode_id: int, position_ms: int, device_id: str | None = None
    ) -> Progress:
        """Where the listener is now; every device of the account hears of it."""
        if position_ms < 0:
            raise InvalidRequest("a position is 0 or more milliseconds", code="invalid_position")
        with self.uow() as uow:
            episode = self._visible(uow, episode_id, account_id)
            if episode.duration_ms is not None:
                position_ms = min(position_ms, episode.duration_ms)
            before = uow.podcast_listening.progress(account_id, [episode_id]).get(episode_id)
            played = counts_as_played(position_ms, episode.duration_ms) or bool(
                before and before.played
            )
            progress = Progress(episode_id, position_ms, played, self.clock.now())
            uow.podcast_listening.save_progress(account_id, progress)
            uow.commit()
        if played and not (before and before.played) and self.heard is not None:
            self.heard(account_id, position_ms / 1000)
        self._tell(account_id, progress, device_id)
        return progress

    def mark_played(self, account_id: int, episode_id: int, played: bool) -> Progress:
        with self.uow() as uow:
            episode = self._visible(uow, episode_id, account_id)
            before = uow.podcast_listening.progress(account_id, [episode_id]).get(episode_id)
            position = before.position_ms if before and not played else 0
            if played:
                position = episode.duration_ms or (before.position_ms if before else 0)
            progress = Progress(episode_id, position if played else 0, played, self.clock.now())
            uow.podcast_listening.save_progress(account_id, progress)
            uow.commit()
        self._tell(account_id, progress, None)
        return progress

    def stream(
        self, account_id: int, episode_id: int, quality: Quality, starting: bool
    ) -> EpisodeGrant:
        """A signed URL for a minute, on any plan; a starting play is counted as a podcast
        play (never a music stream)."""
        with self.uow() as uow:
            episode = self._visible(uow, episode_id, account_id)
            if episode.audio is not AudioState.READY:
                code = (
                    "episode_audio_pending"
                    if episode.audio is AudioState.PENDING
                    else "episode_audio_refused"
                )
                raise Conflict("this episode's audio is not ready to play", code=code)
            chosen = _best(episode, quality)
            if starting:
                uow.podcast_listening.record_play(
                    account_id, episode_id, episode.show_id, self.clock.now()
                )
                uow.commit()
        blob = episode.ladder[chosen.value][0]
        expires = int((self.clock.now() + GRANT_TTL).timestamp())
        path = f"{EPISODE_AUDIO_PATH}{blob}.opus"
        play = f"{account_id}.{episode_id}"
        sig = self.links().signature(expires, path, play)
        url = f"{path}?play={play}&expires={expires}&sig={sig}"
        return EpisodeGrant(episode_id, chosen, url, expires, episode.gain_db, episode.duration_ms)

    def check(
        self, name: str, play: str | None, expires: str | None, sig: str | None
    ) -> GrantedEpisode:
        """The episode audio a URL grants (404 `stream_not_found`, 403 `grant_expired`)."""
        path = EPISODE_AUDIO_PATH + name
        try:
            blob, extension = name.split(".")
            account, episode = (play or "").split(".")
            if not (
                extension == "opus" and len(blob) == 64 and sig and expires and expires.isdigit()
            ):
                raise ValueError("bad")
            if not hmac.compare_digest(sig, self.links().signature(int(expires), path, play or "")):
                raise ValueError("bad signature")
            granted = GrantedEpisode(int(account), int(episode), blob, int(expires))
        except ValueError:
            raise NotFound("no such stream", code="stream_not_found") from None
        if granted.expires <= self.clock.now().timestamp():
            raise Forbidden(
                "the stream grant has expired; ask for a fresh one", code="grant_expired"
            )
        return granted

    def _visible(self, uow: UnitOfWork, episode_id: int, account_id: int | None) -> Episode:
        episode = uow.podcasts.episode(episode_id)
        if episode is None:
            raise NotFound("no such episode", code="episode_not_found")
        if episode.published_at is not None and episode.published_at > self.clock.now():
            show = uow.podcasts.show(episode.show_id)
            if show is None or account_id is None or show.owner_id != account_id:
                raise NotFound("no such episode", code="episode_not_found")
        return episode

    def _progress(
        self, uow: UnitOfWork, account_id: int | None, ids: list[int]
    ) -> dict[int, Progress]:
        if account_id is None or not ids:
            return {}
        return uow.podcast_listening.progress(account_id, ids)

    def _tell(self, account_id: int, progress: Progress, device_id: str | None) -> None:
        self.events().publish(
            account_id,
            PlayerEvent(
                POSITION_EVENT,
                {
                    "episode_id": progress.episode_id,
                    "position_ms": progress.position_ms,
                    "played": progress.played,
                    "from_device_id": device_id,
                    "updated_at": progress.updated_at.astimezone(UTC).isoformat(),
                },
            ),
        )


def _best(episode: Episode, asked: Quality) -> Quality:
    """The quality asked for, or the nearest below it on the episode's ladder."""
    ranked = [q for q in QUALITIES if q.value in episode.ladder]
    below = (
        [q for q in ranked if QUALITIES.index(q) <= QUALITIES.index(asked)]
        if asked in QUALITIES
        else []
    )
    if not ranked:
        raise Conflict("this episode's audio is not ready to play", code="episode_audio_pending")
    return (below or ranked)[-1] if below else ranked[0]


def _ids(ids: list[int]) -> list[int]:
    if not ids or len(ids) > MAX_IDS:
        raise InvalidRequest(f"give 1 to {MAX_IDS} show ids", code="invalid_ids")
    return list(dict.fromkeys(ids))
