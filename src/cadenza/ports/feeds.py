"""Outgoing HTTP for podcast feeds: the feed itself (conditional), and the files it points at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cadenza.domain.podcasts import FeedShow


@dataclass(frozen=True)
class FetchedFeed:
    """A feed's answer: `body` None when it has not changed (304)."""

    url: str  # where it was found, after redirects
    body: bytes | None
    etag: str | None
    last_modified: str | None


class FeedFetcher(Protocol):
    def feed(self, url: str, etag: str | None, last_modified: str | None) -> FetchedFeed:
        """The feed, or None as its body when unchanged; FeedRefused (nothing fetched) when it
        is too big, somewhere private, or does not answer."""
        ...

    def small(self, url: str, max_bytes: int) -> tuple[bytes, str]:
        """A small file the feed names (chapters, transcript, artwork): its bytes and type."""
        ...

    def download(self, url: str, dest: Path, max_bytes: int) -> str:
        """An enclosure into `dest` (streamed, never held in memory); its content type."""
        ...


class FeedReader(Protocol):
    def read(self, body: bytes) -> FeedShow:
        """The show and its episodes, descriptions sanitised; FeedRefused for a hostile or
        broken feed."""
        ...
