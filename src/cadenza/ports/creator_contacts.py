"""Whom to tell about an artist's claim or pitch: the accounts that speak for artists, and the
accounts distributors deliver with."""

from __future__ import annotations

from typing import Protocol


class CreatorContacts(Protocol):
    def artist_addresses(self, artist_ids: list[int]) -> list[str]:
        """E-mail addresses of the enabled accounts linked to these artists."""
        ...

    def distributor_addresses(self, distributor_ids: list[int]) -> list[str]:
        """E-mail addresses of these distributors' enabled accounts (a distributor that
        delivers only with the key has none)."""
        ...

    def distributors_of(self, artist_id: int) -> list[int]:
        """The distributors that delivered a release of this artist."""
        ...

    def release_artists(self, release_id: int) -> list[int]: ...
