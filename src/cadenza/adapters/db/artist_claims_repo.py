"""Claims of artist profiles, in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.creator_contacts_repo import SqlCreatorContacts
from cadenza.adapters.db.models import ArtistRow, ReleaseArtistRow, ReleaseRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_artists import ArtistClaimRow
from cadenza.domain.artists import Claim, ClaimStatus
from cadenza.domain.catalog import as_utc


class SqlArtistClaims(SqlCreatorContacts):
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, artist_id: int, account_id: int, message: str, now: datetime) -> int:
        row = ArtistClaimRow(
            artist_id=artist_id,
            user_id=account_id,
            status=ClaimStatus.PENDING.value,
            message=message,
            created_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def get(self, claim_id: int) -> Claim | None:
        found = self.s.execute(self._select().where(ArtistClaimRow.id == claim_id)).first()
        return _claim(found) if found else None

    def of_account(self, account_id: int) -> list[Claim]:
        rows = self.s.execute(
            self._select()
            .where(ArtistClaimRow.user_id == account_id)
            .order_by(ArtistClaimRow.created_at.desc(), ArtistClaimRow.id.desc())
            .limit(100)
        )
        return [_claim(r) for r in rows]

    def pending(self, distributor_id: int | None, limit: int, offset: int) -> list[Claim]:
        query = self._select().where(ArtistClaimRow.status == ClaimStatus.PENDING.value)
        if distributor_id is not None:
            query = query.where(self._delivered(distributor_id, ArtistClaimRow.artist_id))
        rows = self.s.execute(
            query.order_by(ArtistClaimRow.created_at, ArtistClaimRow.id).limit(limit).offset(offset)
        )
        return [_claim(r) for r in rows]

    def decide(
        self, claim_id: int, status: ClaimStatus, by: str, note: str | None, now: datetime
    ) -> bool:
        done = self.s.execute(
            update(ArtistClaimRow)
            .where(
                ArtistClaimRow.id == claim_id,
                ArtistClaimRow.status == ClaimStatus.PENDING.value,
            )
            .values(status=status.value, decided_by=by, decided_at=now, note=note)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def delivers(self, distributor_id: int, artist_id: int) -> bool:
        return bool(self.s.scalar(select(self._delivered(distributor_id, artist_id))))

    def artist_name(self, artist_id: int) -> str | None:
        return self.s.scalar(select(ArtistRow.name).where(ArtistRow.id == artist_id))

    @staticmethod
    def _delivered(distributor_id: int, artist_id: Any) -> Any:
        return exists().where(
            ReleaseArtistRow.artist_id == artist_id,
            ReleaseRow.id == ReleaseArtistRow.release_id,
            ReleaseRow.distributor_id == distributor_id,
        )

    @staticmethod
    def _select() -> Any:
        return (
            select(ArtistClaimRow, ArtistRow.name, UserRow.display_name)
            .join(ArtistRow, ArtistRow.id == ArtistClaimRow.artist_id)
            .join(UserRow, UserRow.id == ArtistClaimRow.user_id)
        )


def _claim(found: Any) -> Claim:
    row, artist_name, account_name = found
    return Claim(
        id=row.id,
        artist_id=row.artist_id,
        artist_name=artist_name,
        account_id=row.user_id,
        account_name=account_name,
        status=ClaimStatus(row.status),
        message=row.message,
        created_at=as_utc(row.created_at),
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
        note=row.note,
    )
