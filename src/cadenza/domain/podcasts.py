"""Podcasts as a listener meets them: shows, episodes, chapters, transcripts, where they stopped.
Pure values and rules (feed refresh back-off, transcript cues, the completion curve); the feed's
bytes, the database and the audio are elsewhere."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.errors import CadenzaError

MAX_FEED_URL = 2000
MAX_TITLE = 500
MAX_DESCRIPTION = 20_000  # sanitised HTML kept per show or episode
MAX_EPISODES_PER_FEED = 10_000
MAX_CHAPTERS = 500
MAX_TRANSCRIPT_CUES = 20_000
MAX_BACK_OFF = timedelta(days=1)
PLAYED_NEAR_END_MS = 30_000  # a position this close to the end counts as played
COMPLETION_BUCKETS = 10  # the completion curve: share of listeners past each tenth


class AudioState(StrEnum):
    PENDING = "pending"  # known from the feed, not fetched yet
    READY = "ready"  # on the Opus ladder, playable
    REFUSED = "refused"  # fetched and refused (not audio, too big, undecodable): see the code


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    title: str
    url: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class Cue:
    """One line of a transcript: where it starts and what is said."""

    start_ms: int
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class Person:
    name: str
    role: str = "host"
    href: str | None = None


@dataclass(frozen=True)
class FeedEpisode:
    """An episode as its feed says it (sanitised already)."""

    guid: str
    title: str
    description_html: str
    published_at: datetime | None
    duration_ms: int | None
    explicit: bool
    season: int | None
    number: int | None
    enclosure_url: str | None
    enclosure_type: str | None
    enclosure_length: int | None
    image_url: str | None = None
    chapters_url: str | None = None
    transcript_url: str | None = None
    transcript_type: str | None = None
    persons: tuple[Person, ...] = ()


@dataclass(frozen=True)
class FeedShow:
    """A show as its feed says it, with every episode."""

    title: str
    publisher: str
    description_html: str
    link: str | None
    language: str | None
    explicit: bool
    image_url: str | None
    podcast_guid: str | None
    categories: tuple[str, ...]
    persons: tuple[Person, ...]
    episodes: tuple[FeedEpisode, ...]


@dataclass(frozen=True)
class Show:
    id: int
    title: str
    publisher: str
    description_html: str
    feed_url: str | None  # None: hosted here
    link: str | None
    language: str | None
    explicit: bool
    artwork_blob: str | None
    artwork_generated: bool
    podcast_guid: str | None
    categories: tuple[str, ...]
    persons: tuple[Person, ...]
    owner_id: int | None
    episode_count: int
    last_fetched_at: datetime | None
    last_error: str | None  # the code of the last refresh's refusal, None when it went well


@dataclass(frozen=True)
class Episode:
    id: int
    show_id: int
    guid: str
    title: str
    description_html: str
    published_at: datetime | None
    duration_ms: int | None
    explicit: bool
    season: int | None
    number: int | None
    audio: AudioState
    audio_error: str | None
    chapters: tuple[Chapter, ...] = ()
    transcript: tuple[Cue, ...] = ()
    persons: tuple[Person, ...] = ()
    ladder: dict[str, tuple[str, int]] = field(default_factory=dict)  # quality -> (blob, size)
    gain_db: float = 0.0
    enclosure_url: str | None = None
    publish_at: datetime | None = None  # hosted: not listed before this instant


@dataclass(frozen=True)
class ShowSummary:
    """What a search hit shows of a show (or of an episode's show)."""

    id: int
    title: str
    publisher: str
    artwork_blob: str | None


@dataclass(frozen=True)
class EpisodeSummary:
    """What a search hit shows of an episode."""

    id: int
    show_id: int
    title: str
    published_at: datetime | None
    duration_ms: int | None


@dataclass(frozen=True)
class FetchState:
    """What the next conditional request sends, and when it is due."""

    etag: str | None
    last_modified: str | None
    failures: int
    next_fetch_at: datetime | None


@dataclass(frozen=True)
class Progress:
    """Where a listener stopped in an episode, and whether they finished it."""

    episode_id: int
    position_ms: int
    played: bool
    updated_at: datetime


def next_fetch(now: datetime, every: timedelta, failures: int) -> datetime:
    """When to ask again: the show's period, doubled for each refusal in a row, at most a day."""
    if failures <= 0:
        return now + every
    wait: timedelta = min(every * int(2 ** min(failures, 16)), max(MAX_BACK_OFF, every))
    return now + wait


def counts_as_played(position_ms: int, duration_ms: int | None) -> bool:
    """Within the last 30 seconds (or the last twentieth of a short episode) counts as played."""
    if duration_ms is None or duration_ms <= 0:
        return False
    return position_ms >= duration_ms - min(PLAYED_NEAR_END_MS, duration_ms // 20)


def completion_curve(furthest_ms: list[int], duration_ms: int | None) -> list[float]:
    """Per tenth of the episode, the share of its listeners who got past it (1.0 at the start)."""
    if not furthest_ms or not duration_ms:
        return [0.0] * COMPLETION_BUCKETS
    total = len(furthest_ms)
    return [
        round(sum(1 for f in furthest_ms if f >= duration_ms * i / COMPLETION_BUCKETS) / total, 4)
        for i in range(COMPLETION_BUCKETS)
    ]


_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?")


def clock_ms(text: str) -> int | None:
    """'01:02:03.500', '2:03', '123' (seconds) as milliseconds; None when it is none of these."""
    text = text.strip()
    if text.isdigit():
        return int(text) * 1000
    found = _TIME.fullmatch(text)
    if found is None:
        return None
    hours, minutes, seconds, fraction = found.groups()
    ms = int((fraction or "0").ljust(3, "0")[:3])
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + ms


def cues_from_text(text: str) -> tuple[Cue, ...]:
    """WebVTT or SRT cues (timings, optional `<v Speaker>`), as the transcript a listener reads."""
    cues: list[Cue] = []
    for block in re.split(r"\r?\n\s*\r?\n", text.replace("\ufeff", "")):
        lines = [line.strip() for line in block.strip().splitlines()]
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        start = clock_ms(lines[timing].split("-->")[0])
        said = " ".join(line for line in lines[timing + 1 :] if line)
        if start is None or not said:
            continue
        speaker = None
        voice = re.match(r"<v(?:\.[^ >]*)?\s+([^>]+)>", said)
        if voice:
            speaker = voice.group(1).strip()[:100]
        said = re.sub(r"<[^>]+>", "", said).strip()
        if said:
            cues.append(Cue(start, said[:2000], speaker))
        if len(cues) >= MAX_TRANSCRIPT_CUES:
            break
    return tuple(cues)


def find_in_transcript(cues: tuple[Cue, ...], words: str) -> list[Cue]:
    """The cues that say every word asked for (case and order aside)."""
    wanted = [w for w in words.casefold().split() if w]
    if not wanted:
        return []
    return [c for c in cues if all(w in c.text.casefold() for w in wanted)]


class FeedRefused(CadenzaError):
    """A feed, or what it points at, that Cadenza will not take: nothing was changed. `code` is
    stable (feed_too_large, feed_address_private, feed_entities_forbidden, feed_malformed,
    feed_not_podcast, enclosure_not_audio, feed_http_error, feed_unreachable...)."""

    code = "feed_refused"
    status = 422

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
