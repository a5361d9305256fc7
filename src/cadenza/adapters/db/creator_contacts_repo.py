"""Whom to tell about an artist's claim or pitch, in SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadenza.adapters.db.models import DistributorRow, ReleaseArtistRow, ReleaseRow
from cadenza.adapters.db.models_accounts import AccountArtistRow, UserRow


class SqlCreatorContacts:
    """The contacts half of SqlArtistClaims: uow.artist_claims."""

    s: Session

    def artist_addresses(self, artist_ids: list[int]) -> list[str]:
        if not artist_ids:
            return []
        return list(
            self.s.scalars(
                select(UserRow.email)
                .join(AccountArtistRow, AccountArtistRow.user_id == UserRow.id)
                .where(AccountArtistRow.artist_id.in_(artist_ids), UserRow.disabled_at.is_(None))
                .distinct()
                .order_by(UserRow.email)
            )
        )

    def distributor_addresses(self, distributor_ids: list[int]) -> list[str]:
        if not distributor_ids:
            return []
        return list(
            self.s.scalars(
                select(UserRow.email)
                .join(DistributorRow, DistributorRow.account_id == UserRow.id)
                .where(DistributorRow.id.in_(distributor_ids), UserRow.disabled_at.is_(None))
                .distinct()
                .order_by(UserRow.email)
            )
        )

    def distributors_of(self, artist_id: int) -> list[int]:
        return list(
            self.s.scalars(
                select(ReleaseRow.distributor_id)
                .join(ReleaseArtistRow, ReleaseArtistRow.release_id == ReleaseRow.id)
                .where(ReleaseArtistRow.artist_id == artist_id)
                .distinct()
                .order_by(ReleaseRow.distributor_id)
            )
        )

    def release_artists(self, release_id: int) -> list[int]:
        return list(
            self.s.scalars(
                select(ReleaseArtistRow.artist_id)
                .where(ReleaseArtistRow.release_id == release_id)
                .order_by(ReleaseArtistRow.position)
            )
        )
