"""One-time tokens sent by mail (verify an address, reset a password), spent once. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import OneTimeTokenRow


class SqlOneTimeTokens:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_token(
        self,
        account_id: int,
        purpose: str,
        token_hash: str,
        expires_at: datetime,
        data: dict[str, str],
    ) -> None:
        self.s.add(
            OneTimeTokenRow(
                user_id=account_id,
                purpose=purpose,
                token_hash=token_hash,
                expires_at=expires_at,
                data=data,
            )
        )
        self.s.flush()

    def use_token(
        self, purpose: str, token_hash: str, now: datetime
    ) -> tuple[int, dict[str, str]] | None:
        # One UPDATE decides: two concurrent uses of one token cannot both succeed.
        spent = self.s.execute(
            update(OneTimeTokenRow)
            .where(
                OneTimeTokenRow.purpose == purpose,
                OneTimeTokenRow.token_hash == token_hash,
                OneTimeTokenRow.used_at.is_(None),
                OneTimeTokenRow.expires_at > now,
            )
            .values(used_at=now)
        )
        if getattr(spent, "rowcount", 0) != 1:
            return None
        row = self.s.scalars(
            select(OneTimeTokenRow).where(OneTimeTokenRow.token_hash == token_hash)
        ).one()
        return row.user_id, dict(row.data)

    def drop_tokens(self, account_id: int, purpose: str) -> None:
        """Cancel every outstanding token of this kind (say, earlier step-up codes)."""
        self.s.execute(
            delete(OneTimeTokenRow).where(
                OneTimeTokenRow.user_id == account_id, OneTimeTokenRow.purpose == purpose
            )
        )

    def prune_one_time_tokens(self, now: datetime) -> int:
        done = self.s.execute(delete(OneTimeTokenRow).where(OneTimeTokenRow.expires_at <= now))
        return int(getattr(done, "rowcount", 0))
