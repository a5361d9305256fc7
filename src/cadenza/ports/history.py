"""What bringing your history needs kept: imports and their reports, the imported plays (never
counted streams), the catalog as matching reads it, scrobbling tokens, and where a listener's
plays are forwarded (with the outbox of plays on their way there)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class CatalogTrack:
    """A track as matching sees it."""

    id: int
    title: str
    artists: tuple[str, ...]  # main artists' names, in credit order
    duration_ms: int
    isrc: str | None
    release_title: str


@dataclass(frozen=True)
class HistoryImport:
    id: int
    user_id: int
    source: str
    file_name: str
    status: str  # running | done | failed
    total: int
    processed: int
    matched: int
    unmatched: int
    skipped: int
    added: int
    top_unmatched: list[tuple[str, str, int]]
    error: str | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ImportedPlay:
    track_id: int
    played_at: datetime
    listened_ms: int
    source: str
    import_id: int | None


class HistoryRepository(Protocol):
    @property
    def forwarding(self) -> ForwardingRepository:
        """Where the listener's plays are forwarded, and the outbox (in the same transaction)."""
        ...

    def catalog(self) -> Iterator[CatalogTrack]:
        """Every track of the catalog (taken down or not: past plays of it are still history)."""
        ...

    def spotify_uris(self) -> dict[str, int]:
        """Spotify track URI -> track, as earlier confident matches taught."""
        ...

    def remember_spotify_uris(self, uris: dict[str, int]) -> None: ...

    def start_import(
        self, user_id: int, source: str, file_name: str, total: int, skipped: int, at: datetime
    ) -> int: ...

    def progress(
        self, import_id: int, processed: int, matched: int, unmatched: int, added: int
    ) -> None: ...

    def finish(
        self,
        import_id: int,
        status: str,
        top_unmatched: list[tuple[str, str, int]],
        error: str | None,
        at: datetime,
    ) -> None: ...

    def get_import(self, import_id: int) -> HistoryImport | None: ...

    def imports(self, user_id: int, limit: int) -> list[HistoryImport]:
        """The listener's imports, newest first."""
        ...

    def delete_import(self, import_id: int) -> int:
        """The import and its plays gone; how many plays went."""
        ...

    def fail_unfinished(self, error: str, at: datetime, started_before: datetime) -> int:
        """Imports a stopped process left running (begun before `started_before`, this
        server's start) are failed (their file was not kept)."""
        ...

    def add_plays(
        self,
        user_id: int,
        import_id: int | None,
        source: str,
        plays: list[tuple[int, datetime, int]],
    ) -> int:
        """(track, when it started, ms heard) added to the listener's imported history unless
        already there from the same source at the same time; how many were new."""
        ...

    def plays(self, user_id: int, limit: int, offset: int) -> list[ImportedPlay]:
        """The listener's imported plays, newest first."""
        ...

    def set_token(self, user_id: int, token_hash: str, at: datetime) -> None:
        """The listener's scrobbling token (its hash), replacing any earlier one."""
        ...

    def token_owner(self, token_hash: str) -> int | None: ...

    def token_made(self, user_id: int) -> datetime | None: ...

    def delete_token(self, user_id: int) -> bool: ...


@dataclass(frozen=True)
class Forwarding:
    user_id: int
    service: str  # listenbrainz | lastfm
    sealed_secret: str  # the remote token or session key, encrypted with the server's key
    remote_user: str | None
    created_at: datetime


@dataclass(frozen=True)
class OutgoingPlay:
    """A play on its way to a listener's ListenBrainz or Last.fm."""

    id: int
    user_id: int
    service: str
    artist: str
    title: str
    album: str
    duration_ms: int
    played_at: datetime
    attempts: int


class ForwardingRepository(Protocol):
    def set(self, forwarding: Forwarding) -> None: ...

    def of(self, user_id: int) -> list[Forwarding]: ...

    def get(self, user_id: int, service: str) -> Forwarding | None: ...

    def delete(self, user_id: int, service: str) -> bool:
        """The setting gone, with the plays still waiting to go there."""
        ...

    def enqueue(self, play: OutgoingPlay, at: datetime) -> None: ...

    def due(self, at: datetime, limit: int) -> list[OutgoingPlay]: ...

    def claim(self, play_id: int, at: datetime, until: datetime) -> bool: ...

    def sent(self, play_id: int) -> None: ...

    def retry(self, play_id: int, at: datetime, error: str) -> None: ...

    def give_up(self, play_id: int, error: str) -> None: ...

    def waiting(self, user_id: int) -> int: ...
