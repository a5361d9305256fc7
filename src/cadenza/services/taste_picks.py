"""Cold start: "pick three artists you like", a step after sign-up that can be skipped.

A new listener picks from the popular artists of their country (or searches them by name);
the picks are kept, and whatever is made for the listener reads them until they have history
of their own (`picked_artists`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cadenza.domain.catalog import ArtistRef, Viewer, name_key
from cadenza.domain.entitlements import Listener
from cadenza.domain.errors import InvalidRequest, NotFound
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.catalog import CatalogService

MAX_PICKS = 10
SUGGESTED = 3  # what the sign-up step asks for; any number from 1 to MAX_PICKS is kept
PAGE_MAX = 50


class TastePicks:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        catalog: CatalogService,
        listener: Callable[[int], Listener],
    ) -> None:
        self.uow, self.clock, self.catalog, self.listener = uow, clock, catalog, listener

    def artists_to_pick(
        self, account_id: int, name: str = "", limit: int = 20, offset: int = 0
    ) -> list[ArtistRef]:
        """Artists the listener may hear, the most played in their country first; only those
        whose name contains `name` when one is given."""
        viewer = self._viewer(account_id)
        words = name_key(name[:100]) if name.strip() else ""
        with self.uow() as uow:
            return uow.taste_picks.popular_artists(viewer, words, min(limit, PAGE_MAX), offset)

    def pick(self, account_id: int, artist_ids: list[int]) -> list[ArtistRef]:
        """Keep these artists (1 to 10, each one the listener may hear) as their picks,
        in place of any before."""
        wanted = list(dict.fromkeys(artist_ids))
        if not 1 <= len(wanted) <= MAX_PICKS:
            raise InvalidRequest(
                f"pick 1 to {MAX_PICKS} artists (three is plenty)", code="invalid_taste_picks"
            )
        viewer = self._viewer(account_id)
        picked = [self._visible(artist_id, viewer) for artist_id in wanted]
        with self.uow() as uow:
            uow.taste_picks.replace(account_id, wanted, self.clock.now())
            uow.commit()
        return picked

    def picks(self, account_id: int) -> list[ArtistRef]:
        """The listener's picks they may still hear, in the order picked."""
        viewer = self._viewer(account_id)
        found = []
        for artist_id in self.picked_artists(account_id):
            try:
                found.append(self._visible(artist_id, viewer))
            except NotFound:
                continue
        return found

    def picked_artists(self, account_id: int) -> list[int]:
        """The picked artist ids, as recommendations read them for a listener with no history."""
        with self.uow() as uow:
            return uow.taste_picks.picks(account_id)

    def _visible(self, artist_id: int, viewer: Viewer) -> ArtistRef:
        artist = self.catalog.artist(artist_id, viewer)  # 404 for one the listener cannot hear
        return ArtistRef(artist.id, artist.name)

    def _viewer(self, account_id: int) -> Viewer:
        who = self.listener(account_id)
        now: datetime = self.clock.now()
        return Viewer(country=who.country, now=now, allow_explicit=who.allow_explicit)
