"""An account's TOTP secret, its last used step and its recovery codes. In SQL."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_accounts import UserRow
from cadenza.domain.two_factor import RecoveryCodes


class SqlTwoFactor:
    def __init__(self, session: Session) -> None:
        self.s = session

    def set_totp_step(self, account_id: int, step: int) -> None:
        self._set(account_id, totp_last_step=step)

    def advance_totp_step(self, account_id: int, step: int) -> bool:
        """Accept a TOTP step only if it is newer than the last: one UPDATE, so two requests
        racing with the same code cannot both pass."""
        done = self.s.execute(
            update(UserRow)
            .where(
                UserRow.id == account_id,
                (UserRow.totp_last_step.is_(None)) | (UserRow.totp_last_step < step),
            )
            .values(totp_last_step=step)
        )
        return getattr(done, "rowcount", 0) == 1

    def pending_totp(self, account_id: int) -> str | None:
        return self.s.scalar(select(UserRow.totp_pending).where(UserRow.id == account_id))

    def set_pending_totp(self, account_id: int, secret: str | None) -> None:
        self._set(account_id, totp_pending=secret)

    def set_two_factor(
        self, account_id: int, secret: str | None, codes: RecoveryCodes | None
    ) -> None:
        self._set(
            account_id,
            totp_secret=secret,
            totp_pending=None,
            totp_last_step=None,
            recovery_codes=_codes_json(codes),
        )

    def recovery_codes(self, account_id: int) -> RecoveryCodes | None:
        raw = self.s.scalar(select(UserRow.recovery_codes).where(UserRow.id == account_id))
        if not raw:
            return None
        return RecoveryCodes(str(raw["salt"]), tuple(str(d) for d in raw["digests"]))  # type: ignore[attr-defined]

    def set_recovery_codes(self, account_id: int, codes: RecoveryCodes) -> None:
        self._set(account_id, recovery_codes=_codes_json(codes))

    def _set(self, account_id: int, **values: object) -> None:
        self.s.execute(update(UserRow).where(UserRow.id == account_id).values(**values))


def _codes_json(codes: RecoveryCodes | None) -> dict[str, object] | None:
    return {"salt": codes.salt, "digests": list(codes.digests)} if codes else None
