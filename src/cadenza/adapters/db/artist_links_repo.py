"""Which artists an account speaks for (the artist dashboard). In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import ArtistRow
from cadenza.adapters.db.models_accounts import AccountArtistRow
from cadenza.domain.catalog import ArtistRef


class SqlArtistLinks:
    def __init__(self, session: Session) -> None:
        self.s = session

    def link_artist(self, account_id: int, artist_id: int, now: datetime) -> bool:
        added = self.s.execute(
            insert_on_conflict(self.s, AccountArtistRow)
            .values(user_id=account_id, artist_id=artist_id, linked_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "artist_id"])
            .returning(AccountArtistRow.artist_id)
        ).scalar()
        return added is not None

    def unlink_artist(self, account_id: int, artist_id: int) -> bool:
        done = self.s.execute(
            delete(AccountArtistRow).where(
                AccountArtistRow.user_id == account_id, AccountArtistRow.artist_id == artist_id
            )
        )
        return getattr(done, "rowcount", 0) == 1

    def unlink_all_artists(self, account_id: int) -> None:
        self.s.execute(delete(AccountArtistRow).where(AccountArtistRow.user_id == account_id))

    def linked_artists(self, account_id: int) -> list[ArtistRef]:
        rows = self.s.execute(
            select(ArtistRow.id, ArtistRow.name)
            .join(AccountArtistRow, AccountArtistRow.artist_id == ArtistRow.id)
            .where(AccountArtistRow.user_id == account_id)
            .order_by(ArtistRow.name, ArtistRow.id)
        )
        return [ArtistRef(i, name) for i, name in rows]
