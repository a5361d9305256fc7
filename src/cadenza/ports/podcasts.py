"""Podcast shows and episodes (`uow.podcasts`), and each listener's follows, positions and
plays (`uow.podcast_listening`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cadenza.domain.podcasts import (
    AudioState,
    Chapter,
    Cue,
    Episode,
    EpisodeSummary,
    FeedEpisode,
    FeedShow,
    FetchState,
    Progress,
    Show,
    ShowSummary,
)


@dataclass(frozen=True)
class NewShow:
    feed_url: str | None
    owner_id: int | None
    show: FeedShow
    artwork_blob: str | None
    artwork_generated: bool


@dataclass(frozen=True)
class EpisodeStats:
    episode_id: int
    title: str
    duration_ms: int | None
    plays: int
    listeners: int
    furthest_ms: list[int]  # per listener who started it


class PodcastRepository(Protocol):
    def add_show(self, new: NewShow, now: datetime) -> int: ...

    def update_show(self, show_id: int, show: FeedShow, artwork_blob: str | None) -> None: ...

    def show(self, show_id: int) -> Show | None: ...

    def search_page(
        self, show_ids: list[int], episode_ids: list[int]
    ) -> tuple[dict[int, ShowSummary], dict[int, EpisodeSummary]]:
        """A search page's shows and episodes (and the episodes' shows): what a hit shows."""
        ...

    def show_by_feed(self, feed_url: str) -> int | None: ...

    def owned(self, owner_id: int) -> list[Show]: ...

    def due(self, now: datetime, limit: int) -> list[tuple[int, str]]:
        """(show id, feed URL) of the feeds due for a refresh, the longest waiting first."""
        ...

    def fetch_state(self, show_id: int) -> FetchState: ...

    def fetched(
        self, show_id: int, state: FetchState, error: str | None, now: datetime | None
    ) -> None:
        """Keep how the last refresh went (`now` None: the feed was not read)."""
        ...

    def merge_episodes(self, show_id: int, episodes: tuple[FeedEpisode, ...], now: datetime) -> int:
        """Add the new episodes and bring the known ones up to date; how many were new."""
        ...

    def episodes(
        self, show_id: int, now: datetime, limit: int, offset: int, *, unpublished: bool = False
    ) -> tuple[list[Episode], int]:
        """Newest first, with the total; `unpublished` too for the show's owner."""
        ...

    def episode(self, episode_id: int) -> Episode | None: ...

    def awaiting_audio(self, limit: int, show_id: int | None = None) -> list[Episode]:
        """Episodes whose audio is still to fetch, newest first."""
        ...

    def set_audio(
        self,
        episode_id: int,
        state: AudioState,
        error: str | None,
        ladder: dict[str, tuple[str, int]] | None = None,
        gain_db: float = 0.0,
        duration_ms: int | None = None,
    ) -> None: ...

    def set_extras(
        self,
        episode_id: int,
        chapters: tuple[Chapter, ...] | None,
        transcript: tuple[Cue, ...] | None,
    ) -> None: ...

    def extras_of(self, episode_id: int) -> tuple[str | None, str | None, str | None]:
        """(chapters URL, transcript URL, transcript type) as the feed gave them."""
        ...

    def add_episode(self, show_id: int, episode: FeedEpisode, now: datetime) -> int: ...

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        """Those of these blobs a show uses (the blob sweep keeps them)."""
        ...


class PodcastListeningRepository(Protocol):
    def follow(self, account_id: int, show_ids: list[int], now: datetime) -> None: ...

    def unfollow(self, account_id: int, show_ids: list[int]) -> None: ...

    def following(self, account_id: int, show_ids: list[int]) -> list[bool]: ...

    def followed(self, account_id: int) -> list[int]: ...

    def new_episodes(
        self, account_id: int, now: datetime, limit: int, offset: int
    ) -> tuple[list[Episode], int]:
        """The followed shows' published episodes the listener has not finished, newest first."""
        ...

    def unplayed(self, account_id: int, now: datetime) -> dict[int, int]:
        """Per followed show, how many published episodes are not played yet."""
        ...

    def progress(self, account_id: int, episode_ids: list[int]) -> dict[int, Progress]: ...

    def save_progress(self, account_id: int, progress: Progress) -> None: ...

    def record_play(
        self, account_id: int, episode_id: int, show_id: int, now: datetime
    ) -> None: ...

    def stats(self, show_id: int) -> list[EpisodeStats]: ...

    def show_totals(self, show_id: int) -> tuple[int, int]:
        """(plays, distinct listeners) of a show."""
        ...
