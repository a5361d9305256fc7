"""The artists a listener picked at sign-up ("pick three artists you like").

Recommendations read them through `picks` until the listener has history of their own: until
then, what is made for them comes from these artists and their country's popular songs."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.catalog import ArtistRef, Viewer


class TastePickRepository(Protocol):
    def picks(self, user_id: int) -> list[int]:
        """The artist ids the listener picked, in the order they picked them."""
        ...

    def replace(self, user_id: int, artist_ids: list[int], now: datetime) -> None: ...

    def popular_artists(
        self, viewer: Viewer, name_words: str, limit: int, offset: int
    ) -> list[ArtistRef]:
        """Artists with a release the viewer may hear, the most streamed in the viewer's
        country first (as search last rolled up popularity), then everywhere, then by name;
        only those whose folded name contains `name_words` when it is not empty."""
        ...
