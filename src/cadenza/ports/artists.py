"""Cadenza for Artists: claims of artist profiles, the pages artists edit, pitches to editors,
and the images artists upload."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.artists import (
    ArtistPage,
    Claim,
    ClaimStatus,
    ComingRelease,
    Pitch,
    PitchDraft,
    PitchStatus,
)
from cadenza.ports.creator_contacts import CreatorContacts


class ArtistClaimRepository(CreatorContacts, Protocol):
    """Claims of artist profiles, and whom to tell when one (or a pitch) is decided."""

    def add(self, artist_id: int, account_id: int, message: str, now: datetime) -> int: ...

    def get(self, claim_id: int) -> Claim | None: ...

    def of_account(self, account_id: int) -> list[Claim]:
        """The account's own claims, newest first."""
        ...

    def pending(self, distributor_id: int | None, limit: int, offset: int) -> list[Claim]:
        """Claims waiting for a decision, oldest first: on the artists this distributor
        delivers, or every one when None (the admins)."""
        ...

    def decide(
        self, claim_id: int, status: ClaimStatus, by: str, note: str | None, now: datetime
    ) -> bool:
        """Approve or reject a pending claim; False when it was decided already."""
        ...

    def delivers(self, distributor_id: int, artist_id: int) -> bool:
        """Whether this distributor delivered a release of this artist (as a release artist)."""
        ...

    def artist_name(self, artist_id: int) -> str | None: ...


class ArtistPageRepository(Protocol):
    def get(self, artist_id: int) -> ArtistPage:
        """The page as edited; the empty page when nobody edited it."""
        ...

    def save(self, page: ArtistPage, now: datetime) -> None: ...

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        """Which of these blobs an artist page shows (the blob sweep keeps them)."""
        ...


class PitchRepository(Protocol):
    def add(self, release_id: int, draft: PitchDraft, by: str, now: datetime) -> int | None:
        """None when the release has a pitch already (one per release)."""
        ...

    def get(self, pitch_id: int) -> Pitch | None: ...

    def of_release(self, release_id: int) -> Pitch | None: ...

    def of_artists(self, artist_ids: list[int]) -> list[Pitch]:
        """Pitches of releases by these artists, newest first."""
        ...

    def of_distributor(self, distributor_id: int) -> list[Pitch]: ...

    def queue(self, status: PitchStatus | None, limit: int, offset: int) -> list[Pitch]:
        """The editors' queue: soonest release first."""
        ...

    def set_status(self, pitch_id: int, status: PitchStatus, now: datetime) -> None: ...

    def delivered_at(self, release_id: int) -> datetime | None:
        """When the release was first delivered."""
        ...

    def coming(self, distributor_id: int, now: datetime, limit: int) -> list[ComingRelease]:
        """The distributor's releases not out yet nor taken down, soonest first (no pitch)."""
        ...


class ProfileImages(Protocol):
    def avatar(self, image: bytes) -> bytes:
        """A square JPEG (domain.artists.AVATAR_PX), centred; InvalidRequest when the bytes
        are not a JPEG or PNG of sensible size."""
        ...

    def header(self, image: bytes) -> bytes:
        """A wide JPEG (domain.artists.HEADER_SIZE), centred crop."""
        ...
