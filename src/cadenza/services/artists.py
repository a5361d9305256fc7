"""An artist account's own view of the artist profiles it is linked to: every release, whether
out yet or not, wherever it is available."""

from __future__ import annotations

from collections.abc import Callable

from cadenza.domain.accounts import Role
from cadenza.domain.catalog import ArtistRef, ArtistView
from cadenza.domain.errors import Forbidden
from cadenza.ports.unit_of_work import UnitOfWork


class ArtistProfiles:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self.uow = uow

    def mine(self, account_id: int) -> list[ArtistView]:
        with self.uow() as uow:
            refs = self._linked(uow, account_id)
            views = [uow.catalog.artist(ref.id) for ref in refs]
        return [v for v in views if v is not None]

    def one(self, account_id: int, artist_id: int) -> ArtistView:
        """Only an artist linked to this account; any other is refused."""
        with self.uow() as uow:
            if artist_id not in {ref.id for ref in self._linked(uow, account_id)}:
                raise Forbidden("this artist profile is not yours", code="not_your_artist")
            view = uow.catalog.artist(artist_id)
        if view is None:
            raise Forbidden("this artist profile is not yours", code="not_your_artist")
        return view

    def _linked(self, uow: UnitOfWork, account_id: int) -> list[ArtistRef]:
        account = uow.accounts.get(account_id)
        if account is None or Role.ARTIST not in account.roles:
            raise Forbidden("this needs an artist account", code="artist_only")
        return uow.artist_links.linked_artists(account_id)
