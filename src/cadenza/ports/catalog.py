"""The catalog: what listeners read, what distributors supply, and takedowns."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Protocol

from cadenza.domain.audio import Loudness
from cadenza.domain.catalog import (
    ArtistView,
    PublishedTrack,
    ReleaseSpec,
    ReleaseView,
    TakedownEvent,
    TrackToPlay,
    TrackView,
    Viewer,
)
from cadenza.domain.lyrics import Lyrics
from cadenza.ports.deal_schedules import DealScheduleRepository


class CatalogRepository(Protocol):
    def artist(self, artist_id: int) -> ArtistView | None: ...

    def release(self, release_id: int) -> ReleaseView | None:
        """The release with its tracks."""
        ...

    def track(self, track_id: int) -> TrackView | None: ...

    def tracks(self, track_ids: list[int]) -> list[TrackView]: ...

    def lyrics(self, track_id: int) -> Lyrics | None: ...

    def tracks_to_play(self, track_ids: list[int]) -> list[TrackToPlay]:
        """Each track with its files and its release's visibility, in one statement."""
        ...

    def release_tracks_to_play(self, release_id: int) -> list[TrackToPlay]:
        """A release's tracks in order, as `tracks_to_play`; none for no such release."""
        ...

    def releases(self, release_ids: list[int]) -> list[ReleaseView]:
        """These releases without their tracks, in no particular order."""
        ...

    def new_releases(self, viewer: Viewer, limit: int, offset: int) -> list[ReleaseView]: ...

    def distributor_releases(
        self, distributor_id: int, limit: int, offset: int
    ) -> list[ReleaseView]: ...

    def release_by_source(self, distributor_id: int, source_key: str) -> ReleaseView | None: ...

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        """Which of these blobs a published track or cover refers to."""
        ...


class TrackSource(NamedTuple):
    """The file a track was encoded from: its sha256 and its container/codec."""

    sha256: str
    format: str


class SupplyRepository(Protocol):
    """What distributors deliver: their releases by source key, ISRC and UPC, saved and replaced."""

    def distributor_id(self, name: str) -> int:
        """The distributor's id, created on first use."""
        ...

    def distributor_of_account(self, account_id: int, name: str) -> int:
        """The distributor an account delivers as, created and linked on first use."""
        ...

    def track_sources(self, release_id: int) -> dict[int, TrackSource]:
        """Track id -> the file it was encoded from (its sha256 and format)."""
        ...

    def release_id_of_isrc(self, isrc: str) -> int | None: ...

    def release_id_of_upc(self, upc: str) -> int | None: ...

    def save_release(
        self,
        distributor_id: int,
        source_key: str,
        spec: ReleaseSpec,
        covers: dict[int, str],
        loudness: Loudness | None,
    ) -> int: ...

    def save_track(self, release_id: int, track: PublishedTrack, taken: set[int]) -> int:
        """Update the matching track not in `taken`, or add it; return its id."""
        ...

    def remove_tracks_except(self, release_id: int, keep: set[int]) -> None: ...


class TakedownRepository(DealScheduleRepository, Protocol):
    """Releases taken down and put back, with who did it and why (and the DDEX deals' dates
    that change where a release is offered, or take it down)."""

    def set_taken_down(self, release_id: int, at: datetime | None) -> None:
        """Take a release down (at: when), or put it back (None)."""
        ...

    def record_takedown(self, event: TakedownEvent) -> None: ...

    def takedown_history(self, release_id: int) -> list[TakedownEvent]:
        """Newest first."""
        ...
