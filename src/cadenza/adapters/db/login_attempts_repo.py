"""Failed logins per key (address, IP) and spent proof-of-work challenges. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models_accounts import LoginFailureRow, SpentChallengeRow
from cadenza.domain.catalog import as_utc


class SqlLoginAttempts:
    def __init__(self, session: Session) -> None:
        self.s = session

    def record_failure(self, keys: list[str], now: datetime) -> list[int]:
        rows = [LoginFailureRow(key=key, at=now) for key in keys]
        self.s.add_all(rows)
        self.s.flush()
        return [r.id for r in rows]

    def forget_failure_ids(self, ids: list[int]) -> None:
        self.s.execute(delete(LoginFailureRow).where(LoginFailureRow.id.in_(ids)))

    def failures(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        count, last = self.s.execute(
            select(func.count(), func.max(LoginFailureRow.at)).where(
                LoginFailureRow.key == key, LoginFailureRow.at > since
            )
        ).one()
        return int(count or 0), as_utc(last) if last is not None else None

    def forget_failures(self, before: datetime) -> None:
        self.s.execute(delete(LoginFailureRow).where(LoginFailureRow.at < before))

    def spend_challenge(self, digest: str, now: datetime, forget_before: datetime) -> bool:
        spent = self.s.execute(
            insert_on_conflict(self.s, SpentChallengeRow)
            .values(digest=digest, spent_at=now)
            .on_conflict_do_nothing(index_elements=["digest"])
            .returning(SpentChallengeRow.digest)
        ).scalar()
        if digest.startswith("0"):  # now and then, forget challenges long expired
            self.s.execute(
                delete(SpentChallengeRow).where(SpentChallengeRow.spent_at < forget_before)
            )
        return spent is not None  # RETURNING: an ORM insert's rowcount is not reliable
